// The Ollama API as the provider tests need it: POST /api/chat and
// /api/generate, streamed as newline-delimited JSON (application/x-ndjson,
// Ollama's default) or, with "stream": false, one JSON object. Timestamps
// and durations are fixed and counts follow from the text, so the same
// request gets the same bytes back directly and through warden.
'use strict';

const { sendJson, wordCount } = require('./http_reply');

const kCreatedAt = '2025-01-01T00:00:00.000000000Z';
const kDoneReason = 'stop';
// Fixed nanosecond durations, shaped like a real server's.
const kDurations = { total_duration: 412000000, load_duration: 21000000, prompt_eval_duration: 35000000, eval_duration: 310000000 };
// /api/generate returns the context it built; any small fixed array will do.
const kContext = [128006, 882, 128007, 271];

function lastUserText(messages) {
  const users = (Array.isArray(messages) ? messages : []).filter((m) => m && m.role === 'user');
  return users.length ? String(users[users.length - 1].content || '') : '';
}

function chatPrompt(request) {
  return (Array.isArray(request.messages) ? request.messages : []).map((m) => String((m && m.content) || '')).join(' ');
}

// What the model answers and what its prompt was, per endpoint.
function exchange(path, request) {
  if (path === '/api/chat') {
    return { prompt: chatPrompt(request), answer: `You said: ${lastUserText(request.messages)}` };
  }
  const prompt = `${request.system || ''} ${request.prompt || ''}`;
  return { prompt, answer: `You asked: ${request.prompt || ''}` };
}

// One object of the answer: a piece of text, or the final one with the
// counts. /api/chat wraps the text in a message, /api/generate does not.
function piece(path, model, text, final) {
  const object = { model, created_at: kCreatedAt };
  if (path === '/api/chat') object.message = { role: 'assistant', content: text };
  else object.response = text;
  object.done = Boolean(final);
  if (final) {
    object.done_reason = kDoneReason;
    if (path === '/api/generate') object.context = kContext;
    Object.assign(object, { total_duration: kDurations.total_duration, load_duration: kDurations.load_duration });
    object.prompt_eval_count = final.promptTokens;
    object.prompt_eval_duration = kDurations.prompt_eval_duration;
    object.eval_count = final.outputTokens;
    object.eval_duration = kDurations.eval_duration;
  }
  return object;
}

function sendNdjson(res, objects, delayMs) {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  res.flushHeaders();
  let i = 0;
  const next = () => {
    if (res.destroyed) return;
    if (i === objects.length) {
      res.end();
      return;
    }
    res.write(`${JSON.stringify(objects[i])}\n`);
    i += 1;
    setTimeout(next, delayMs);
  };
  next();
}

// Returns false when the path is not an Ollama route.
function handleOllama(req, res, path, request, hash, delayMs) {
  if (req.method !== 'POST' || (path !== '/api/chat' && path !== '/api/generate')) return false;
  if (typeof request.model !== 'string' || !request.model) {
    sendJson(res, 400, { error: 'model is required' });
    return true;
  }
  const { prompt, answer } = exchange(path, request);
  const counts = { promptTokens: wordCount(prompt), outputTokens: wordCount(answer) };
  if (request.stream === false) {
    sendJson(res, 200, piece(path, request.model, answer, counts));
    return true;
  }
  const objects = answer.split(/(?= )/).map((word) => piece(path, request.model, word, null));
  objects.push(piece(path, request.model, '', counts));
  sendNdjson(res, objects, delayMs);
  return true;
}

module.exports = { handleOllama };
