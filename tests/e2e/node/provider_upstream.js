#!/usr/bin/env node
// A mock of the LLM provider APIs (OpenAI, Anthropic, Gemini and Ollama
// routes, and the OpenAI Realtime WebSocket) over HTTPS, or plain HTTP as a
// local Ollama server speaks it, standing in for the real hosts in the
// provider end-to-end tests. Plain node:https (and ws for the WebSocket), so
// what it sends is exactly what the tests expect back through warden. Every
// request is recorded as one JSON line (with its body, or the parse error node
// refused it with), every WebSocket as one line when it closes, so the tests
// can compare what reached the upstream on each path.
//
// usage: provider_upstream.js --host 127.0.0.2 --port 443 --cert-dir DIR
//                             --names api.openai.com --record FILE
//                             [--chunk-delay-ms 5]
//        provider_upstream.js --plain --host 127.0.0.5 --port 11434 --record FILE
// DIR holds <name>.crt and <name>.key for every name; the first name is the
// default when a client sends no SNI. --plain serves HTTP without TLS (and
// takes no certificates). Several instances may share one record
// file: each line is written with a single append.
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');
const tls = require('node:tls');

const { handleAnthropic } = require('./mock/anthropic_api');
const { handleGemini } = require('./mock/gemini_api');
const { handleOllama } = require('./mock/ollama_api');
const { handleOpenAi } = require('./mock/openai_api');
const { attachOpenAiRealtime } = require('./mock/openai_realtime');
const { sha256, sendJson } = require('./mock/http_reply');

const kRecordedBodyLimit = 16384;

function parseArgs(argv) {
  const args = { host: '127.0.0.2', port: 443, chunkDelayMs: 5, names: [], certDir: '', record: '', plain: false };
  let i = 2;
  while (i < argv.length) {
    const key = argv[i];
    if (key === '--plain') {  // a flag: no value follows
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
    throw new Error('--cert-dir and --names are required unless --plain');
  }
  return args;
}

function loadContexts(certDir, names) {
  const contexts = new Map();
  for (const name of names) {
    const cert = fs.readFileSync(path.join(certDir, `${name}.crt`));
    const key = fs.readFileSync(path.join(certDir, `${name}.key`));
    contexts.set(name, { cert, key, context: tls.createSecureContext({ cert, key }) });
  }
  return contexts;
}

function recordEntry(req, url, body) {
  return {
    kind: 'request',
    time_ms: Date.now(),
    method: req.method,
    path: url.pathname,
    query: url.search,
    host: req.headers.host || '',
    sni: req.socket.servername || '',
    content_type: req.headers['content-type'] || '',
    body_sha256: sha256(body),
    body_bytes: body.length,
    body: body.subarray(0, kRecordedBodyLimit).toString('utf8'),
    remote: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
  };
}

function httpsServer(args) {
  const contexts = loadContexts(args.certDir, args.names);
  const fallback = contexts.get(args.names[0]);
  return https.createServer({
    cert: fallback.cert,
    key: fallback.key,
    SNICallback: (servername, done) => {
      const entry = contexts.get(String(servername).toLowerCase());
      done(null, (entry || fallback).context);
    },
  });
}

function main() {
  const args = parseArgs(process.argv);
  const record = fs.openSync(args.record, 'a');
  const server = args.plain ? http.createServer() : httpsServer(args);

  server.on('request', (req, res) => {
    const parts = [];
    req.on('data', (d) => parts.push(d));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      const url = new URL(req.url, 'https://mock.invalid');
      const entry = recordEntry(req, url, body);
      fs.writeSync(record, `${JSON.stringify(entry)}\n`);
      let request;
      try {
        request = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        sendJson(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
        return;
      }
      const hash = entry.body_sha256;
      const handled = handleOpenAi(req, res, url.pathname, request, hash, args.chunkDelayMs) ||
        handleAnthropic(req, res, url.pathname, request, hash, args.chunkDelayMs) ||
        handleGemini(req, res, url, request, hash, args.chunkDelayMs) ||
        handleOllama(req, res, url.pathname, request, hash, args.chunkDelayMs);
      if (!handled) {
        sendJson(res, 404, { error: { message: `no route ${req.method} ${url.pathname}`, type: 'not_found_error' } });
      }
    });
  });
  attachOpenAiRealtime(server, (entry) => fs.writeSync(record, `${JSON.stringify(entry)}\n`), args.chunkDelayMs);
  // Malformed requests are part of the tests; they must not take the server down.
  server.on('tlsClientError', () => {});
  // A request node's own parser refuses (say, Content-Length with
  // Transfer-Encoding) is recorded too: the tests must see anything that
  // reached this upstream.
  server.on('clientError', (err, socket) => {
    // Resets of idle keep-alive connections are not requests.
    if (!String(err.code || '').startsWith('HPE_')) {
      socket.destroy();
      return;
    }
    const entry = { kind: 'rejected', time_ms: Date.now(), error: err.code || err.message, sni: socket.servername || '' };
    fs.writeSync(record, `${JSON.stringify(entry)}\n`);
    socket.destroy();
  });

  server.listen(args.port, args.host, () => {
    const names = args.plain ? 'plain HTTP' : args.names.join(',');
    process.stdout.write(`provider mock listening on ${args.host}:${args.port} for ${names}\n`);
  });
  // Open keep-alive and stalled connections would hold server.close() up.
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}

main();
