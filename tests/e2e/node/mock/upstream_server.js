// The server half every mock upstream shares: its command line, an HTTPS
// server that answers each SNI name with that name's certificate (or plain
// HTTP), request bodies read whole, one JSON line per record and a clean exit
// on a signal. The mocks add their routes.
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');
const tls = require('node:tls');

// --host, --port, --cert-dir, --names, --record, --chunk-delay-ms and, when
// plainAllowed, the --plain flag (HTTP without TLS, no certificates).
function parseUpstreamArgs(argv, { chunkDelayMs, plainAllowed = false }) {
  const args = { host: '127.0.0.2', port: 443, chunkDelayMs, names: [], certDir: '', record: '', plain: false };
  let i = 2;
  while (i < argv.length) {
    const key = argv[i];
    if (plainAllowed && key === '--plain') {  // a flag: no value follows
      args.plain = true;
      i += 1;
      continue;
    }
    const value = argv[i + 1];
    i += 2;
    if (value === undefined) throw new Error(`missing value for ${key}`);
    if (key === '--host') args.host = value;
    else if (key === '--port') args.port = Number(value);
    else if (key === '--cert-dir') args.certDir = value;
    else if (key === '--names') args.names = value.split(',').filter(Boolean);
    else if (key === '--record') args.record = value;
    else if (key === '--chunk-delay-ms') args.chunkDelayMs = Number(value);
    else throw new Error(`unknown option ${key}`);
  }
  if (!args.record) throw new Error('--record is required');
  if (!args.plain && (!args.certDir || args.names.length === 0)) {
    throw new Error(`--cert-dir and --names are required${plainAllowed ? ' unless --plain' : ''}`);
  }
  return args;
}

// DIR holds <name>.crt and <name>.key for every name.
function loadContexts(certDir, names) {
  const contexts = new Map();
  for (const name of names) {
    const cert = fs.readFileSync(path.join(certDir, `${name}.crt`));
    const key = fs.readFileSync(path.join(certDir, `${name}.key`));
    contexts.set(name, { cert, key, context: tls.createSecureContext({ cert, key }) });
  }
  return contexts;
}

// The first name is the default when a client sends no (or an unknown) SNI.
function httpsServer(certDir, names) {
  const contexts = loadContexts(certDir, names);
  const fallback = contexts.get(names[0]);
  return https.createServer({
    cert: fallback.cert,
    key: fallback.key,
    SNICallback: (servername, done) => {
      const entry = contexts.get(String(servername).toLowerCase());
      done(null, (entry || fallback).context);
    },
  });
}

function createUpstreamServer(args) {
  const server = args.plain ? http.createServer() : httpsServer(args.certDir, args.names);
  // Broken clients are part of the tests; they must not take the server down.
  server.on('tlsClientError', () => {});
  return server;
}

// handler(req, res, body, url) once the whole body is in.
function onRequest(server, handler) {
  server.on('request', (req, res) => {
    const parts = [];
    req.on('data', (d) => parts.push(d));
    req.on('end', () => handler(req, res, Buffer.concat(parts), new URL(req.url, 'https://mock.invalid')));
  });
}

// A function appending one JSON line per entry to FILE. A single write per
// line, so several mocks may share the file.
function recorder(file) {
  const fd = fs.openSync(file, 'a');
  return (entry) => fs.writeSync(fd, `${JSON.stringify(entry)}\n`);
}

function listenUntilSignalled(server, args, banner) {
  server.listen(args.port, args.host, () => {
    const names = args.plain ? 'plain HTTP' : args.names.join(',');
    process.stdout.write(`${banner} listening on ${args.host}:${args.port} for ${names}\n`);
  });
  // Open keep-alive and stalled connections would hold server.close() up.
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}

module.exports = { parseUpstreamArgs, createUpstreamServer, onRequest, recorder, listenUntilSignalled };
