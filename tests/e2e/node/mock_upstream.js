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

const { sha256, sendJson } = require('./mock/http_reply');
const { parseUpstreamArgs, createUpstreamServer, onRequest, recorder, listenUntilSignalled } =
  require('./mock/upstream_server');

const kCreated = 1700000000;
const kStreamWords = ['Hello', ' from', ' the', ' mock', ' upstream', '.'];

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

function userText(request) {
  if (!request || !Array.isArray(request.messages)) return '';
  return request.messages
    .filter((m) => m && m.role === 'user' && typeof m.content === 'string')
    .map((m) => m.content)
    .join('\n')
    .slice(0, 4096);
}

function main() {
  const args = parseUpstreamArgs(process.argv, { chunkDelayMs: 100 });
  const record = recorder(args.record);
  const server = createUpstreamServer(args);

  onRequest(server, (req, res, body, url) => {
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
      // Which key reached the upstream, without writing the key down.
      authorization_sha256: sha256(Buffer.from(req.headers.authorization || '')),
      // What the model would read of the user's turns (tests check masking).
      user_text: userText(request),
    };
    record(entry);

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
  server.on('clientError', (_err, socket) => socket.destroy());
  listenUntilSignalled(server, args, 'mock upstream');
}

main();
