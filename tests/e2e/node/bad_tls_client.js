#!/usr/bin/env node
// Clients that break the TLS handshake on purpose, to show that one bad peer
// neither crashes nor blocks the agent it is redirected to.
//
// usage: bad_tls_client.js MODE HOST PORT [COUNT] [HOLD_MS]
//   garbage    send 512 random bytes, then close
//   truncated  send the first 50 bytes of a real ClientHello, then close
//   stall      send the first 100 bytes of a real ClientHello and keep the
//              connection open for HOLD_MS (default 30000) or until SIGTERM
// COUNT connections are opened at once (default 1). Prints "ready" once every
// connection has sent its bytes, then one line per connection describing how
// it ended.
'use strict';

const crypto = require('node:crypto');
const net = require('node:net');
const tls = require('node:tls');

// Captures a genuine ClientHello (SNI api.openai.com) by letting node's TLS
// stack dial a throwaway local listener; far more realistic than a template.
function captureClientHello(servername) {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      socket.once('data', (data) => {
        resolve(data);
        socket.destroy();
        server.close();
      });
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const client = tls.connect({ host: '127.0.0.1', port: server.address().port, servername });
      client.on('error', () => {});
    });
  });
}

function openOne(host, port, payload, closeAfterSend) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const result = { sent: 0, received: 0, ended: 'open' };
    socket.on('data', (d) => { result.received += d.length; });
    socket.on('error', (e) => { result.ended = `error ${e.code || e.message}`; });
    socket.on('close', () => { if (result.ended === 'open') result.ended = 'closed'; });
    socket.on('connect', () => {
      socket.write(payload, () => {
        result.sent = payload.length;
        if (closeAfterSend) socket.end();
        resolve({ socket, result });
      });
    });
    socket.on('error', () => resolve({ socket, result }));
  });
}

async function main() {
  const [mode, host, portText, countText, holdText] = process.argv.slice(2);
  const port = Number(portText);
  const count = Number(countText || 1);
  const holdMs = Number(holdText || 30000);
  if (!['garbage', 'truncated', 'stall'].includes(mode) || !host || !port) {
    throw new Error('usage: bad_tls_client.js garbage|truncated|stall HOST PORT [COUNT] [HOLD_MS]');
  }
  let payload;
  if (mode === 'garbage') {
    payload = crypto.randomBytes(512);
  } else {
    const hello = await captureClientHello('api.openai.com');
    payload = hello.subarray(0, mode === 'truncated' ? 50 : 100);
  }
  const conns = await Promise.all(Array.from({ length: count }, () => openOne(host, port, payload, mode !== 'stall')));
  process.stdout.write('ready\n');

  const finish = () => {
    for (const { socket, result } of conns) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      socket.destroy();
    }
    process.exit(0);
  };
  process.on('SIGTERM', finish);
  // Closing modes wait briefly so the report says whether the peer hung up.
  setTimeout(finish, mode === 'stall' ? holdMs : 1000);
}

main().catch((err) => {
  process.stderr.write(`bad_tls_client: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
