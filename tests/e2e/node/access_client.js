#!/usr/bin/env node
// One chat completion with the official OpenAI SDK, as a workload would make
// it, for the access-control test: which model, with which key. Prints one
// JSON line: this process's pid, and either the completion or the API error
// the SDK raised (status, message, Retry-After). Anything else (no answer at
// all) exits 1.
//
// usage: access_client.js MODEL API_KEY [PROMPT]
'use strict';

const { OpenAI, APIError } = require('openai');

async function main() {
  const [model, apiKey, prompt = 'Say hello to warden.'] = process.argv.slice(2);
  if (!model || !apiKey) throw new Error('usage: access_client.js MODEL API_KEY [PROMPT]');
  // No retries: a 429 must show as a 429, not as a wait.
  const client = new OpenAI({ apiKey, maxRetries: 0, timeout: 15000 });
  const out = { pid: process.pid, model };
  try {
    const completion = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: prompt }],
    });
    out.status = 200;
    out.content = completion.choices[0].message.content;
  } catch (err) {
    if (!(err instanceof APIError) || err.status === undefined) throw err;
    out.status = err.status;
    out.class = err.constructor.name;
    out.message = err.message;
    // A fetch Headers object in newer SDKs, a plain object in older ones.
    const headers = err.headers;
    out.retry_after = !headers ? null : typeof headers.get === 'function' ? headers.get('retry-after') : headers['retry-after'] || null;
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err) => {
  process.stderr.write(`access_client: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
