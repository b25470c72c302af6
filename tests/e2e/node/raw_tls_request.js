#!/usr/bin/env node
// Sends bytes exactly as given over a verified TLS connection and reports how
// the server answered: for requests no HTTP client library would send (say,
// Content-Length together with Transfer-Encoding).
//
// usage: raw_tls_request.js HOST PORT SERVERNAME CAFILE REQUEST_FILE [WAIT_MS]
// Prints one JSON object: the status line and code of the first response,
// its head, whether the server closed the connection within WAIT_MS (default
// 3000) and how long that took.
'use strict';

const fs = require('node:fs');
const tls = require('node:tls');

function main() {
  const [host, portText, servername, caFile, requestFile, waitText] = process.argv.slice(2);
  if (!host || !portText || !servername || !caFile || !requestFile) {
    throw new Error('usage: raw_tls_request.js HOST PORT SERVERNAME CAFILE REQUEST_FILE [WAIT_MS]');
  }
  const waitMs = Number(waitText || 3000);
  const request = fs.readFileSync(requestFile);
  const start = performance.now();
  const received = [];
  let closedAfterMs = null;
  let gaveUp = false;
  let error = null;

  const report = () => {
    const text = Buffer.concat(received).toString('latin1');
    const headEnd = text.indexOf('\r\n\r\n');
    const head = headEnd >= 0 ? text.slice(0, headEnd) : text;
    const statusLine = head.split('\r\n')[0] || '';
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    const out = {
      pid: process.pid,
      status: match ? Number(match[1]) : null,
      status_line: statusLine,
      head,
      body: headEnd >= 0 ? text.slice(headEnd + 4) : '',
      closed_by_peer: closedAfterMs !== null,
      closed_after_ms: closedAfterMs,
      error,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    process.exit(0);
  };

  const socket = tls.connect({ host, port: Number(portText), servername, ca: fs.readFileSync(caFile) }, () => {
    socket.write(request);
  });
  socket.on('data', (d) => received.push(d));
  socket.on('end', () => {
    if (closedAfterMs === null) closedAfterMs = Math.round(performance.now() - start);
  });
  socket.on('close', () => {
    if (closedAfterMs === null && !gaveUp) closedAfterMs = Math.round(performance.now() - start);
    report();
  });
  socket.on('error', (err) => {
    error = err.code || err.message;
  });
  // Still open after WAIT_MS: the server kept the connection.
  setTimeout(() => {
    gaveUp = true;
    socket.destroy();
  }, waitMs).unref();
}

try {
  main();
} catch (err) {
  process.stderr.write(`raw_tls_request: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
}
