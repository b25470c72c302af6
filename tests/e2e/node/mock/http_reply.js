// Replies shared by the mock provider APIs: a JSON body, and a Server-Sent
// Events stream written one event per write with a pause in between, so that
// a proxy which buffered the stream would deliver it in one piece.
'use strict';

const crypto = require('node:crypto');

function sha256(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

// events: [{ event?: name, data: object | string }]; strings are sent as is
// (OpenAI's "[DONE]").
function sendSse(res, events, delayMs) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  let i = 0;
  const next = () => {
    if (res.destroyed) return;
    if (i === events.length) {
      res.end();
      return;
    }
    const { event, data } = events[i];
    const payload = typeof data === 'string' ? data : JSON.stringify(data);
    res.write(`${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`);
    i += 1;
    setTimeout(next, delayMs);
  };
  next();
}

// Token counts the mocks report: words, so they follow from the text and are
// the same on every path.
function wordCount(text) {
  return String(text).split(/\s+/).filter(Boolean).length;
}

module.exports = { sha256, sendJson, sendSse, wordCount };
