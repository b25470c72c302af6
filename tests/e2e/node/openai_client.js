#!/usr/bin/env node
// Talks to "the OpenAI API" with the official SDK exactly as an application
// would: default base URL (https://api.openai.com/v1), trust from
// NODE_EXTRA_CA_CERTS. Prints one JSON object: the plain completion, the
// streamed chunks with their arrival times, and this process's pid, so the
// test can compare results across paths and match warden's events.
//
// usage: openai_client.js [chat|stream|both]   (default both)
'use strict';

const { OpenAI } = require('openai');

const kMessages = [
  { role: 'system', content: 'You are a test fixture.' },
  { role: 'user', content: 'Say hello to warden.' },
];

async function chat(client) {
  return client.chat.completions.create({ model: 'gpt-4o-mini', messages: kMessages });
}

async function stream(client) {
  const start = performance.now();
  const chunks = [];
  let content = '';
  const events = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: kMessages, stream: true });
  for await (const event of events) {
    chunks.push({ t_ms: Math.round((performance.now() - start) * 10) / 10, chunk: event });
    const delta = event.choices && event.choices[0] && event.choices[0].delta;
    if (delta && typeof delta.content === 'string') content += delta.content;
  }
  return { content, chunks };
}

async function main() {
  const mode = process.argv[2] || 'both';
  if (!['chat', 'stream', 'both'].includes(mode)) throw new Error(`unknown mode ${mode}`);
  // No retries: a failure must show as a failure, not as a slow success.
  const client = new OpenAI({ apiKey: 'sk-test', maxRetries: 0, timeout: 15000 });
  const out = { pid: process.pid };
  if (mode !== 'stream') out.chat = await chat(client);
  if (mode !== 'chat') out.stream = await stream(client);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err) => {
  process.stderr.write(`openai_client: ${err && err.stack ? err.stack : err}\n`);
  if (err && err.cause) process.stderr.write(`cause: ${err.cause.stack || err.cause}\n`);
  process.exit(1);
});
