// The Anthropic Messages API as the provider tests need it: a text answer, or
// a short text followed by a tool_use block when tools are offered; plain or
// streamed with the event sequence the API documents. Answers follow from
// the request body alone.
'use strict';

const { sendJson, sendSse, wordCount } = require('./http_reply');

const kToolInput = { city: 'Paris' };
const kToolInputPieces = ['{"ci', 'ty": "', 'Par', 'is"}'];
const kToolPreamble = 'Let me look that up.';

function textOf(content) {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((block) => (block && block.type === 'text' ? block.text : '')).join('');
}

function lastUserText(request) {
  const users = (Array.isArray(request.messages) ? request.messages : []).filter((m) => m && m.role === 'user');
  return users.length ? textOf(users[users.length - 1].content) : '';
}

function inputTokens(request) {
  const messages = Array.isArray(request.messages) ? request.messages : [];
  return wordCount(`${textOf(request.system)} ${messages.map((m) => textOf(m && m.content)).join(' ')}`);
}

function firstToolName(request) {
  const tools = Array.isArray(request.tools) ? request.tools : [];
  return tools.length ? tools[0].name : null;
}

function answer(request, hash) {
  const tool = firstToolName(request);
  if (!tool) {
    const text = `You said: ${lastUserText(request)}`;
    return { blocks: [{ type: 'text', text }], stopReason: 'end_turn', outputTokens: wordCount(text) };
  }
  return {
    blocks: [
      { type: 'text', text: kToolPreamble },
      { type: 'tool_use', id: `toolu_${hash.slice(0, 16)}`, name: tool, input: kToolInput },
    ],
    stopReason: 'tool_use',
    outputTokens: wordCount(kToolPreamble) + wordCount(JSON.stringify(kToolInput)),
  };
}

function message(request, hash, content, stopReason, usage) {
  return {
    id: `msg_${hash.slice(0, 16)}`,
    type: 'message',
    role: 'assistant',
    model: request.model || 'claude-sonnet-5-5',
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage,
  };
}

function messagesStream(request, hash) {
  const { blocks, stopReason, outputTokens } = answer(request, hash);
  const events = [];
  const push = (type, fields) => events.push({ event: type, data: { type, ...fields } });
  push('message_start', { message: message(request, hash, [], null, { input_tokens: inputTokens(request), output_tokens: 1 }) });
  push('ping', {});
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      push('content_block_start', { index, content_block: { type: 'text', text: '' } });
      for (const word of block.text.split(/(?= )/)) push('content_block_delta', { index, delta: { type: 'text_delta', text: word } });
    } else {
      push('content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      for (const piece of kToolInputPieces) {
        push('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } });
      }
    }
    push('content_block_stop', { index });
  });
  push('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } });
  push('message_stop', {});
  return events;
}

// Returns false when the path is not an Anthropic route.
function handleAnthropic(req, res, path, request, hash, delayMs) {
  if (req.method !== 'POST' || path !== '/v1/messages') return false;
  if (request.stream) {
    sendSse(res, messagesStream(request, hash), delayMs);
  } else {
    const { blocks, stopReason, outputTokens } = answer(request, hash);
    sendJson(res, 200, message(request, hash, blocks, stopReason, { input_tokens: inputTokens(request), output_tokens: outputTokens }));
  }
  return true;
}

module.exports = { handleAnthropic };
