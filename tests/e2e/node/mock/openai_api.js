// The OpenAI API as the provider tests need it: chat completions (text and
// tool calls, plain and streamed, usage on request), the Responses API (text
// and function calls, plain and streamed) and embeddings (float or base64).
// Answers follow from the request body alone, so the same request gets the
// same bytes back directly and through warden.
'use strict';

const { sendJson, sendSse, wordCount } = require('./http_reply');

const kCreated = 1700000000;
const kToolArguments = '{"city":"Paris"}';
// How the arguments arrive in a stream: split mid-token, as real streams do.
const kToolArgumentPieces = ['{"ci', 'ty":', '"Par', 'is"}'];

function textOf(content) {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (part && typeof part.text === 'string' ? part.text : '')).join('');
}

function chatPrompt(request) {
  const messages = Array.isArray(request.messages) ? request.messages : [];
  return messages.map((m) => textOf(m && m.content)).join(' ');
}

function lastUserText(messages) {
  const users = (Array.isArray(messages) ? messages : []).filter((m) => m && m.role === 'user');
  return users.length ? textOf(users[users.length - 1].content) : '';
}

// Chat tools are {type, function: {name}}; Responses tools are {type, name}.
function firstToolName(request) {
  const tools = Array.isArray(request.tools) ? request.tools : [];
  if (!tools.length) return null;
  return (tools[0].function && tools[0].function.name) || tools[0].name || 'tool';
}

function chatUsage(request, completionText) {
  const prompt = wordCount(chatPrompt(request));
  const completion = wordCount(completionText);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function chatCompletion(request, hash) {
  const model = request.model || 'gpt-4o-mini';
  const tool = firstToolName(request);
  let message;
  let finishReason;
  let completionText;
  if (tool) {
    message = {
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{ id: `call_${hash.slice(0, 12)}`, type: 'function', function: { name: tool, arguments: kToolArguments } }],
    };
    finishReason = 'tool_calls';
    completionText = kToolArguments;
  } else {
    completionText = `You said: ${lastUserText(request.messages)}`;
    message = { role: 'assistant', content: completionText, refusal: null };
    finishReason = 'stop';
  }
  return {
    id: `chatcmpl-${hash.slice(0, 16)}`,
    object: 'chat.completion',
    created: kCreated,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
    usage: chatUsage(request, completionText),
  };
}

function chatStream(request, hash) {
  const id = `chatcmpl-${hash.slice(0, 16)}`;
  const model = request.model || 'gpt-4o-mini';
  const withUsage = Boolean(request.stream_options && request.stream_options.include_usage);
  const chunk = (delta, finishReason) => ({
    id,
    object: 'chat.completion.chunk',
    created: kCreated,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(withUsage ? { usage: null } : {}),
  });
  const tool = firstToolName(request);
  const chunks = [];
  let completionText;
  if (tool) {
    completionText = kToolArguments;
    chunks.push(chunk({
      role: 'assistant',
      content: null,
      tool_calls: [{ index: 0, id: `call_${hash.slice(0, 12)}`, type: 'function', function: { name: tool, arguments: '' } }],
    }, null));
    for (const piece of kToolArgumentPieces) {
      chunks.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null));
    }
    chunks.push(chunk({}, 'tool_calls'));
  } else {
    completionText = `You said: ${lastUserText(request.messages)}`;
    chunks.push(chunk({ role: 'assistant', content: '' }, null));
    for (const word of completionText.split(/(?= )/)) chunks.push(chunk({ content: word }, null));
    chunks.push(chunk({}, 'stop'));
  }
  if (withUsage) {
    chunks.push({ id, object: 'chat.completion.chunk', created: kCreated, model, choices: [], usage: chatUsage(request, completionText) });
  }
  return [...chunks.map((data) => ({ data })), { data: '[DONE]' }];
}

function responsesInputText(request) {
  if (typeof request.input === 'string') return request.input;
  return lastUserText(request.input);
}

function responsesUsage(request, outputText) {
  const input = wordCount(`${request.instructions || ''} ${responsesInputText(request)}`);
  const output = wordCount(outputText);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + output,
  };
}

function responseObject(request, hash, status, output, usage) {
  return {
    id: `resp_${hash.slice(0, 16)}`,
    object: 'response',
    created_at: kCreated,
    status,
    error: null,
    incomplete_details: null,
    instructions: request.instructions || null,
    max_output_tokens: null,
    model: request.model || 'gpt-4o-mini',
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: Array.isArray(request.tools) ? request.tools : [],
    top_p: 1,
    truncation: 'disabled',
    usage,
    user: null,
    metadata: {},
  };
}

// The one output item of a response: a function call when tools were
// offered, a message otherwise.
function responsesOutputItem(request, hash, status, text) {
  const tool = firstToolName(request);
  if (tool) {
    return {
      type: 'function_call',
      id: `fc_${hash.slice(0, 16)}`,
      call_id: `call_${hash.slice(0, 12)}`,
      name: tool,
      arguments: text,
      status,
    };
  }
  const content = status === 'completed' ? [{ type: 'output_text', text, annotations: [] }] : [];
  return { type: 'message', id: `msg_${hash.slice(0, 16)}`, status, role: 'assistant', content };
}

function responsesOutputText(request) {
  return firstToolName(request) ? kToolArguments : `You said: ${responsesInputText(request)}`;
}

function response(request, hash) {
  const text = responsesOutputText(request);
  const item = responsesOutputItem(request, hash, 'completed', text);
  return responseObject(request, hash, 'completed', [item], responsesUsage(request, text));
}

function responseStream(request, hash) {
  const text = responsesOutputText(request);
  const events = [];
  const push = (type, fields) => events.push({ event: type, data: { type, sequence_number: events.length, ...fields } });
  const isTool = Boolean(firstToolName(request));
  push('response.created', { response: responseObject(request, hash, 'in_progress', [], null) });
  push('response.in_progress', { response: responseObject(request, hash, 'in_progress', [], null) });
  const started = responsesOutputItem(request, hash, 'in_progress', '');
  push('response.output_item.added', { output_index: 0, item: started });
  if (isTool) {
    for (const piece of kToolArgumentPieces) {
      push('response.function_call_arguments.delta', { item_id: started.id, output_index: 0, delta: piece });
    }
    push('response.function_call_arguments.done', { item_id: started.id, output_index: 0, arguments: text });
  } else {
    const where = { item_id: started.id, output_index: 0, content_index: 0 };
    push('response.content_part.added', { ...where, part: { type: 'output_text', text: '', annotations: [] } });
    for (const word of text.split(/(?= )/)) push('response.output_text.delta', { ...where, delta: word, logprobs: [] });
    push('response.output_text.done', { ...where, text, logprobs: [] });
    push('response.content_part.done', { ...where, part: { type: 'output_text', text, annotations: [] } });
  }
  const done = responsesOutputItem(request, hash, 'completed', text);
  push('response.output_item.done', { output_index: 0, item: done });
  push('response.completed', { response: responseObject(request, hash, 'completed', [done], responsesUsage(request, text)) });
  return events;
}

// Vectors follow from the input's position and text: 8 small floats each.
function embeddingVector(text, index) {
  const vector = [];
  for (let i = 0; i < 8; i += 1) {
    const code = text.length ? text.charCodeAt((i * 7 + index) % text.length) : 0;
    vector.push(Math.fround(((code % 64) - 32) / 64));
  }
  return vector;
}

function embeddings(request) {
  const inputs = Array.isArray(request.input) ? request.input : [request.input];
  const base64 = request.encoding_format === 'base64';
  const data = inputs.map((input, index) => {
    const vector = embeddingVector(String(input), index);
    const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  const tokens = inputs.reduce((n, input) => n + wordCount(input), 0);
  return { object: 'list', data, model: request.model || 'text-embedding-3-small', usage: { prompt_tokens: tokens, total_tokens: tokens } };
}

// Returns false when the path is not an OpenAI route.
function handleOpenAi(req, res, path, request, hash, delayMs) {
  if (req.method !== 'POST') return false;
  if (path === '/v1/chat/completions') {
    if (request.stream) sendSse(res, chatStream(request, hash), delayMs);
    else sendJson(res, 200, chatCompletion(request, hash));
  } else if (path === '/v1/responses') {
    if (request.stream) sendSse(res, responseStream(request, hash), delayMs);
    else sendJson(res, 200, response(request, hash));
  } else if (path === '/v1/embeddings') {
    sendJson(res, 200, embeddings(request));
  } else {
    return false;
  }
  return true;
}

module.exports = { handleOpenAi };
