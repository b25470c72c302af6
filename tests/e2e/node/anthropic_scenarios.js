#!/usr/bin/env node
// One Anthropic Messages API call per run, made with the official SDK as an
// application would (default base URL https://api.anthropic.com, trust from
// NODE_EXTRA_CA_CERTS). Streams go through the SDK's MessageStream, so the
// printed result is the message the SDK assembled, next to the events.
//
// usage: anthropic_scenarios.js SCENARIO
//   messages, messages_stream, tool_use, tool_use_stream, too_large
'use strict';

const { Anthropic } = require('@anthropic-ai/sdk');
const { main } = require('./sdk_outcome');

const kModel = 'claude-sonnet-5-5';
const kBase = { model: kModel, max_tokens: 256, system: 'You are a test fixture.' };
const kMessages = [{ role: 'user', content: 'Say hello to warden.' }];
const kToolMessages = [{ role: 'user', content: 'What is the weather in Paris?' }];
const kTools = [{
  name: 'get_weather',
  description: 'Current weather of a city',
  input_schema: { type: 'object', properties: { city: { type: 'string', description: 'City name' } }, required: ['city'] },
}];

// No retries: a failure must show as a failure, not as a slow success.
const client = new Anthropic({ apiKey: 'sk-ant-test', maxRetries: 0, timeout: 15000 });

async function stream(params) {
  const events = [];
  const messageStream = client.messages.stream(params);
  for await (const event of messageStream) events.push(event);
  return { events, final: await messageStream.finalMessage() };
}

const scenarios = {
  messages: () => client.messages.create({ ...kBase, messages: kMessages }),
  messages_stream: () => stream({ ...kBase, messages: kMessages }),
  tool_use: () => client.messages.create({ ...kBase, messages: kToolMessages, tools: kTools }),
  tool_use_stream: () => stream({ ...kBase, messages: kToolMessages, tools: kTools }),
  // Over a 2 KiB request limit.
  too_large: () => client.messages.create({
    ...kBase,
    messages: [{ role: 'user', content: `Summarise: ${'warden '.repeat(600)}` }],
  }),
};

main(scenarios, Anthropic.APIError, 'anthropic_scenarios');
