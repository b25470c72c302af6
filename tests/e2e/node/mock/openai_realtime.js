// The OpenAI Realtime API (GA event shapes) as the provider tests need it: a
// WebSocket at /v1/realtime?model=... that opens with session.created,
// answers session.update and conversation.item.create, and answers
// response.create with a short streamed text, a get_weather function call and
// response.done with usage. Server events are sent one per write with a pause
// in between, so a proxy that held them back would deliver them in one piece.
//
// Every connection is recorded as one line when it closes: what the client
// sent (event types in order and a hash of the messages) and the extensions
// it offered, so the tests can compare what reached the upstream each way.
'use strict';

const { WebSocketServer } = require('ws');

const { sha256 } = require('./http_reply');

const kPath = '/v1/realtime';
const kSessionId = 'sess_mock';
const kResponseId = 'resp_rt1';
const kConversationId = 'conv_mock';
const kTextItemId = 'item_rt_text';
const kCallItemId = 'item_rt_call';
const kTextDeltas = ['Hello', ' from', ' the mock'];
const kCall = { call_id: 'call_rt1', name: 'get_weather', arguments: '{"city":"Paris"}' };
const kUsage = {
  total_tokens: 19,
  input_tokens: 12,
  output_tokens: 7,
  input_token_details: { text_tokens: 12, audio_tokens: 0, image_tokens: 0, cached_tokens: 0 },
  output_token_details: { text_tokens: 7, audio_tokens: 0 },
};

function initialSession(model) {
  return {
    type: 'realtime',
    object: 'realtime.session',
    id: kSessionId,
    model,
    output_modalities: ['audio'],
    instructions: '',
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    prompt: null,
    expires_at: 0,
  };
}

function responseObject(status, usage) {
  return {
    object: 'realtime.response',
    id: kResponseId,
    status,
    status_details: null,
    output: [],
    conversation_id: kConversationId,
    output_modalities: ['text'],
    max_output_tokens: 'inf',
    metadata: null,
    usage,
  };
}

// The server events that answer response.create, in order.
function responseEvents() {
  const text = { response_id: kResponseId, item_id: kTextItemId, output_index: 0, content_index: 0 };
  return [
    { type: 'response.created', response: responseObject('in_progress', null) },
    ...kTextDeltas.map((delta) => ({ type: 'response.output_text.delta', ...text, delta })),
    { type: 'response.output_text.done', ...text, text: kTextDeltas.join('') },
    { type: 'response.function_call_arguments.done', response_id: kResponseId, item_id: kCallItemId, output_index: 1, ...kCall },
    { type: 'response.done', response: responseObject('completed', kUsage) },
  ];
}

// One client connection: its session, what it sent, and the server events
// still to be written.
class RealtimeConnection {
  constructor(socket, model, delayMs) {
    this.socket = socket;
    this.delayMs = delayMs;
    this.session = initialSession(model);
    this.messages = [];
    this.eventTypes = [];
    this.sentEvents = 0;
    this.items = 0;
    this.queue = [];
    this.sending = false;
  }

  send(event) {
    this.sentEvents += 1;
    this.socket.send(JSON.stringify({ event_id: `event_mock_${this.sentEvents}`, ...event }));
  }

  // Paced events go out after those already queued, one per delayMs.
  sendPaced(events) {
    this.queue.push(...events);
    if (!this.sending) this.drain();
  }

  drain() {
    if (this.socket.readyState !== this.socket.OPEN || this.queue.length === 0) {
      this.sending = false;
      return;
    }
    this.sending = true;
    this.send(this.queue.shift());
    setTimeout(() => this.drain(), this.delayMs);
  }

  error(code, message, eventId) {
    this.send({ type: 'error', error: { type: 'invalid_request_error', code, message, param: null, event_id: eventId || null } });
  }

  onMessage(data) {
    const text = data.toString('utf8');
    this.messages.push(text);
    let event;
    try {
      event = JSON.parse(text);
    } catch {
      this.eventTypes.push('(not JSON)');
      this.error('invalid_json', 'the message is not a JSON event');
      return;
    }
    const type = event && typeof event.type === 'string' ? event.type : '(no type)';
    this.eventTypes.push(type);
    if (type === 'session.update') {
      const update = event.session && typeof event.session === 'object' ? event.session : {};
      this.session = { ...this.session, ...update, object: 'realtime.session', id: kSessionId, model: this.session.model };
      this.send({ type: 'session.updated', session: this.session });
    } else if (type === 'conversation.item.create') {
      this.items += 1;
      const item = { id: `item_mock_${this.items}`, object: 'realtime.item', status: 'completed', ...event.item };
      this.send({ type: 'conversation.item.created', previous_item_id: null, item });
    } else if (type === 'response.create') {
      this.sendPaced(responseEvents());
    } else {
      this.error('invalid_event', `unsupported event type '${type}'`, event.event_id);
    }
  }
}

function recordEntry(req, url, remote, connection) {
  return {
    kind: 'websocket',
    time_ms: Date.now(),
    path: url.pathname,
    model: url.searchParams.get('model') || '',
    sni: req.socket.servername || '',
    extensions: req.headers['sec-websocket-extensions'] || '',
    events: connection.eventTypes,
    events_sha256: sha256(Buffer.from(connection.messages.join('\n'), 'utf8')),
    remote,
  };
}

// Serves Realtime upgrades on SERVER (an https.Server); upgrades to any other
// path are refused by closing the connection. writeRecord(entry) appends one
// record line.
function attachOpenAiRealtime(server, writeRecord, delayMs) {
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url, 'https://mock.invalid');
    if (req.method !== 'GET' || url.pathname !== kPath) {
      socket.destroy();
      return;
    }
    // The peer's address is gone from the socket once it closed.
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new RealtimeConnection(ws, url.searchParams.get('model') || '', delayMs);
      ws.on('message', (data) => connection.onMessage(data));
      ws.on('close', () => writeRecord(recordEntry(req, url, remote, connection)));
      // A reset connection still closes (and is recorded); nothing to add.
      ws.on('error', () => {});
      connection.send({ type: 'session.created', session: connection.session });
    });
  });
}

module.exports = { attachOpenAiRealtime };
