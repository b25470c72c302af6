#!/usr/bin/env node
// The benchmark's streaming upstream: answers every POST with a server-sent
// event stream whose first event leaves at once and the rest later, so the
// time to the first byte measures the path, not the "model".
//
// A request for ...?bulk=N is answered with N events written as fast as
// the connection takes them: a long stream, to measure relay throughput.
//
// usage: sse_server.js --host IP --port N --cert FILE --key FILE
//                      [--events N] [--gap-ms MS]
// Prints "listening" once it accepts connections.
'use strict';

const fs = require('node:fs');
const https = require('node:https');

function parseArgs(argv) {
  const args = { host: '127.0.0.2', port: 8443, cert: '', key: '', events: 4, gapMs: 10 };
  for (let i = 2; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`missing value for ${key}`);
    if (key === '--host') args.host = value;
    else if (key === '--port') args.port = Number(value);
    else if (key === '--cert') args.cert = value;
    else if (key === '--key') args.key = value;
    else if (key === '--events') args.events = Number(value);
    else if (key === '--gap-ms') args.gapMs = Number(value);
    else throw new Error(`unknown option ${key}`);
  }
  if (!args.cert || !args.key) throw new Error('--cert and --key are required');
  return args;
}

function chunk(index, content) {
  const delta = content === null ? {} : { content };
  const body = {
    id: 'chatcmpl-bench-stream',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta, finish_reason: content === null ? 'stop' : null }],
  };
  return `data: ${JSON.stringify(body)}\n\n`;
}

function stream(res, total, gapMs) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  // Headers and the first event leave in one write: the first byte a client
  // sees is already the first token.
  res.write(chunk(0, 'Hello'));
  let sent = 1;
  const next = () => {
    if (res.destroyed) return;
    if (sent < total) {
      res.write(chunk(sent, ` token${sent}`));
      sent += 1;
      setTimeout(next, gapMs);
      return;
    }
    res.write(chunk(sent, null));
    res.end('data: [DONE]\n\n');
  };
  setTimeout(next, gapMs);
}

// N events as fast as the client reads them, honouring backpressure.
function bulk(res, total) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      const more = res.write(chunk(sent, ` token${sent} of a long answer streamed to measure the relay`));
      sent += 1;
      if (!more) {
        res.once('drain', pump);
        return;
      }
    }
    res.write(chunk(sent, null));
    res.end('data: [DONE]\n\n');
  };
  pump();
}

function main() {
  const args = parseArgs(process.argv);
  const server = https.createServer(
    { cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key), noDelay: true, keepAliveTimeout: 120000 },
    (req, res) => {
      req.on('data', () => {});
      req.on('end', () => {
        if (req.method !== 'POST') {
          res.writeHead(405, { 'content-type': 'application/json' });
          res.end('{"error":{"message":"POST only"}}');
          return;
        }
        const bulkEvents = Number(new URL(req.url, 'https://bench.invalid').searchParams.get('bulk') || 0);
        if (bulkEvents > 0) bulk(res, bulkEvents);
        else stream(res, args.events, args.gapMs);
      });
    },
  );
  server.listen(args.port, args.host, () => console.log('listening'));
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
