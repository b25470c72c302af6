// The Gemini API (generativelanguage.googleapis.com) as the provider tests
// need it: models/{model}:generateContent, and :streamGenerateContent as
// server-sent events (?alt=sse) or, without alt=sse, as one JSON array
// written element by element, as the API streams it. Answers follow from the
// path and the request body alone, so the same request gets the same bytes
// back directly and through warden.
'use strict';

const { sendJson, sendSse, wordCount } = require('./http_reply');

const kFinishReason = 'STOP';
const kModelRoute = /^\/(v1|v1beta|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

function partsText(content) {
  const parts = content && content.parts;
  const list = Array.isArray(parts) ? parts : [parts];
  return list.map((part) => (part && typeof part.text === 'string' ? part.text : '')).join('');
}

function contentsOf(request) {
  if (Array.isArray(request.contents)) return request.contents;
  return request.contents ? [request.contents] : [];
}

function lastUserText(request) {
  const users = contentsOf(request).filter((c) => c && (c.role === undefined || c.role === 'user'));
  return users.length ? partsText(users[users.length - 1]) : '';
}

function promptTokens(request) {
  const system = request.systemInstruction || request.system_instruction;
  return wordCount(`${system ? partsText(system) : ''} ${contentsOf(request).map(partsText).join(' ')}`);
}

// usageMetadata as the API reports it: the prompt on every chunk, the
// candidates' count once the answer is complete.
function usage(request, answerText) {
  const prompt = promptTokens(request);
  if (answerText === null) return { promptTokenCount: prompt, totalTokenCount: prompt };
  const candidates = wordCount(answerText);
  return { promptTokenCount: prompt, candidatesTokenCount: candidates, totalTokenCount: prompt + candidates };
}

function chunk(request, model, hash, text, finished, answerText) {
  const candidate = { content: { parts: [{ text }], role: 'model' } };
  if (finished) candidate.finishReason = kFinishReason;
  candidate.index = 0;
  return {
    candidates: [candidate],
    usageMetadata: usage(request, finished ? answerText : null),
    modelVersion: model,
    responseId: `resp-${hash.slice(0, 16)}`,
  };
}

function answerText(request) {
  return `You said: ${lastUserText(request)}`;
}

// The answer in pieces, one word each; the last piece carries the finish
// reason and the final usage.
function streamChunks(request, model, hash) {
  const text = answerText(request);
  const words = text.split(/(?= )/);
  return words.map((word, i) => chunk(request, model, hash, word, i === words.length - 1, text));
}

// The API's array stream: "[" first element, then ",\r\n" and each further
// element, then "]", each element in its own write after a pause.
function sendJsonArray(res, elements, delayMs) {
  res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
  res.flushHeaders();
  let i = 0;
  const next = () => {
    if (res.destroyed) return;
    if (i === elements.length) {
      res.end(']');
      return;
    }
    res.write(`${i === 0 ? '[' : ',\r\n'}${JSON.stringify(elements[i])}`);
    i += 1;
    setTimeout(next, delayMs);
  };
  next();
}

// Returns false when the path is not a Gemini route. `url` carries the
// query: alt=sse picks the event stream.
function handleGemini(req, res, url, request, hash, delayMs) {
  const match = kModelRoute.exec(url.pathname);
  if (req.method !== 'POST' || !match) return false;
  const [, , model, method] = match;
  if (method === 'generateContent') {
    const text = answerText(request);
    sendJson(res, 200, chunk(request, model, hash, text, true, text));
  } else if (url.searchParams.get('alt') === 'sse') {
    sendSse(res, streamChunks(request, model, hash).map((data) => ({ data })), delayMs);
  } else {
    sendJsonArray(res, streamChunks(request, model, hash), delayMs);
  }
  return true;
}

module.exports = { handleGemini };
