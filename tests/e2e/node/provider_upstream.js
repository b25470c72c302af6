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

const { handleAnthropic } = require('./mock/anthropic_api');
const { handleGemini } = require('./mock/gemini_api');
const { handleOllama } = require('./mock/ollama_api');
const { handleOpenAi } = require('./mock/openai_api');
const { attachOpenAiRealtime } = require('./mock/openai_realtime');
const { sha256, sendJson } = require('./mock/http_reply');
const { parseUpstreamArgs, createUpstreamServer, onRequest, recorder, listenUntilSignalled } =
  require('./mock/upstream_server');

const kRecordedBodyLimit = 16384;

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

function main() {
  const args = parseUpstreamArgs(process.argv, { chunkDelayMs: 5, plainAllowed: true });
  const record = recorder(args.record);
  const server = createUpstreamServer(args);

  onRequest(server, (req, res, body, url) => {
    const entry = recordEntry(req, url, body);
    record(entry);
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
  attachOpenAiRealtime(server, record, args.chunkDelayMs);
  // A request node's own parser refuses (say, Content-Length with
  // Transfer-Encoding) is recorded too: the tests must see anything that
  // reached this upstream.
  server.on('clientError', (err, socket) => {
    // Resets of idle keep-alive connections are not requests.
    if (String(err.code || '').startsWith('HPE_')) {
      record({ kind: 'rejected', time_ms: Date.now(), error: err.code || err.message, sni: socket.servername || '' });
    }
    socket.destroy();
  });
  listenUntilSignalled(server, args, 'provider mock');
}

main();
