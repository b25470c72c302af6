#!/usr/bin/env node
// A small OpenAI-compatible HTTPS server standing in for the real API in the
// end-to-end tests. Plain node:https, no framework, so what it sends is exactly
// what the test expects to see come back through warden.
//
// Answers deterministically (ids derive from the request body, fixed
// timestamps), so a response fetched directly and one fetched through warden
// can be compared byte for byte. Every request is recorded as one JSON line so
// the test can check what actually reached the upstream.
//
// usage: mock_upstream.js --host 127.0.0.2 --port 443 --cert-dir DIR
//                         --names api.openai.com,other.example.com --record FILE
//                         [--chunk-delay-ms 100]
// DIR holds <name>.crt and <name>.key for every name; the first name is the
// default when a client sends no SNI.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const tls = require('node:tls');

const kCreated = 1700000000;
const kStreamWords = ['Hello', ' from', ' the', ' mock', ' upstream', '.'];

function parseArgs(argv) {
  const args = { host: '127.0.0.2', port: 443, chunkDelayMs: 100, names: [], certDir: '', record: '' };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`missing value for ${key}`);
    if (key === '--host') args.host = value;
    else if (key === '--port') args.port = Number(value);
    else if (key === '--cert-dir') args.certDir = value;
    else if (key === '--names') args.names = value.split(',').filter(Boolean);
    else if (key === '--record') args.record = value;
    else if (key === '--chunk-delay-ms') args.chunkDelayMs = Number(value);
    else throw new Error(`unknown option ${key}`);
  }
  if (!args.certDir || args.names.length === 0 || !args.record) {
    throw new Error('--cert-dir, --names and --record are required');
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

function sha256(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function lastUserMessage(request) {
  const messages = Array.isArray(request.messages) ? request.messages : [];
  const users = messages.filter((m) => m && m.role === 'user');
  const last = users.length ? users[users.length - 1].content : '';
  return typeof last === 'string' ? last : JSON.stringify(last);
}

function chatCompletion(request, id) {
  const content = `You said: ${lastUserMessage(request)}`;
  return {
    id,
    object: 'chat.completion',
    created: kCreated,
    model: request.model || 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 7, completion_tokens: content.split(' ').length, total_tokens: 7 + content.split(' ').length },
  };
}

function chunk(id, model, delta, finishReason) {
  return {
    id,
    object: 'chat.completion.chunk',
    created: kCreated,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

// Sends the stream one SSE event per write with a pause between them, so a
// proxy that buffers the whole response shows up as chunks arriving together.
function streamCompletion(res, request, id, delayMs) {
  const model = request.model || 'gpt-4o-mini';
  const events = [chunk(id, model, { role: 'assistant', content: '' }, null)];
  for (const word of kStreamWords) events.push(chunk(id, model, { content: word }, null));
  events.push(chunk(id, model, {}, 'stop'));
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  let i = 0;
  const next = () => {
    if (res.destroyed) return;
    if (i < events.length) {
      res.write(`data: ${JSON.stringify(events[i])}\n\n`);
      i += 1;
      setTimeout(next, delayMs);
    } else {
      res.end('data: [DONE]\n\n');
    }
  };
  next();
}

const kModels = {
  object: 'list',
  data: [
    { id: 'gpt-4o-mini', object: 'model', created: kCreated, owned_by: 'warden-e2e' },
    { id: 'gpt-4o', object: 'model', created: kCreated, owned_by: 'warden-e2e' },
  ],
};

function main() {
  const args = parseArgs(process.argv);
  const contexts = loadContexts(args.certDir, args.names);
  const fallback = contexts.get(args.names[0]);
  const record = fs.openSync(args.record, 'a');

  const server = https.createServer({
    cert: fallback.cert,
    key: fallback.key,
    SNICallback: (servername, done) => {
      const entry = contexts.get(String(servername).toLowerCase());
      done(null, (entry || fallback).context);
    },
  });

  server.on('request', (req, res) => {
    const parts = [];
    req.on('data', (d) => parts.push(d));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      const url = new URL(req.url, 'https://mock.invalid');
      let request = {};
      if (body.length) {
        try {
          request = JSON.parse(body.toString('utf8'));
        } catch {
          request = null;
        }
      }
      const entry = {
        time_ms: Date.now(),
        method: req.method,
        path: url.pathname,
        host: req.headers.host || '',
        sni: req.socket.servername || '',
        body_sha256: sha256(body),
        body_bytes: body.length,
        stream: Boolean(request && request.stream),
        remote: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
      };
      fs.writeSync(record, `${JSON.stringify(entry)}\n`);

      const id = `chatcmpl-${entry.body_sha256.slice(0, 16)}`;
      if (req.method === 'GET' && url.pathname === '/v1/models') {
        sendJson(res, 200, kModels);
      } else if (req.method === 'POST' && url.pathname === '/v1/chat/completions') {
        if (request === null) {
          sendJson(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
        } else if (request.stream) {
          streamCompletion(res, request, id, args.chunkDelayMs);
        } else {
          sendJson(res, 200, chatCompletion(request, id));
        }
      } else {
        sendJson(res, 404, { error: { message: `no route ${req.method} ${url.pathname}`, type: 'invalid_request_error' } });
      }
    });
  });
  // Broken clients are part of the tests; they must not take the server down.
  server.on('tlsClientError', () => {});
  server.on('clientError', (_err, socket) => socket.destroy());

  server.listen(args.port, args.host, () => {
    process.stdout.write(`mock upstream listening on ${args.host}:${args.port}\n`);
  });
  // Open keep-alive and stalled connections would hold server.close() up.
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}

main();
