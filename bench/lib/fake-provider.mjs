/**
 * A fake OpenAI-compatible provider for the concurrency bench, run as its own process so its
 * work does not share the event loop of the Converge process being measured (a real provider is
 * remote too). It speaks POST /v1/chat/completions (non-streaming, what the AI SDK's
 * generateText sends), answers like the instant fixture's recorded session, and:
 *
 *   - waits a seeded-random 50–500 ms per call, derived from the workflow number found in the
 *     requirements ("#17") and which call of the story it is, so every run has the same delays;
 *   - refuses any request above `--limit` concurrent ones with 429 + retry-after, as a provider
 *     with a concurrency cap would, and counts the refusals;
 *   - reports its counters on GET /stats (served delays summed: the work the lower bound divides);
 *   - on POST /hold keeps every answer back until POST /release (to measure workflows that wait).
 *
 *   node bench/lib/fake-provider.mjs --limit=32 --seed=42 [--min-ms=50 --max-ms=500]
 * prints `{"url":"http://127.0.0.1:PORT"}` once listening.
 */
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { args, hash32, seededRandom } from './common.mjs';
import { OUTPUTS, answerFor } from './fake-answers.mjs';

const a = args();
const limit = Number(a.get('limit') ?? 32);
const seed = Number(a.get('seed') ?? 42);
const minMs = Number(a.get('min-ms') ?? 50);
const maxMs = Number(a.get('max-ms') ?? 500);

export function delayFor(workflow, answer) {
  const random = seededRandom(hash32(`${seed}:${workflow}:${answer}`));
  return Math.round(minMs + random() * (maxMs - minMs));
}

/** While held, answers wait here instead of being sent (POST /hold … POST /release). */
let held = null;

const stats = { requests: 0, served: 0, rejected: 0, unknown: 0, inFlight: 0, maxInFlight: 0, servedDelayMs: 0, busySlotMs: 0, firstAt: 0, lastAt: 0 };

// Slot-milliseconds in use (in-flight count integrated over time): divided by the makespan it
// says how full the 32 slots were kept, i.e. whether the provider or the client was the bottleneck.
let lastChange = performance.now();
function account() {
  const now = performance.now();
  stats.busySlotMs += stats.inFlight * (now - lastChange);
  lastChange = now;
}

function promptOf(body) {
  return (body.messages ?? [])
    .map((m) => (typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text ?? '').join('')))
    .join('\n');
}

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    if (req.method === 'GET' && req.url === '/stats') return send(res, 200, stats);
    if (req.method === 'POST' && req.url === '/reset') {
      account();
      Object.assign(stats, { requests: 0, served: 0, rejected: 0, unknown: 0, maxInFlight: 0, servedDelayMs: 0, busySlotMs: 0, firstAt: 0, lastAt: 0 });
      return send(res, 200, stats);
    }
    if (req.method === 'POST' && req.url === '/hold') {
      held ??= Promise.withResolvers?.() ?? (() => { let resolve; const promise = new Promise((r) => (resolve = r)); return { promise, resolve }; })();
      return send(res, 200, { held: true });
    }
    if (req.method === 'POST' && req.url === '/release') {
      held?.resolve();
      held = null;
      return send(res, 200, { held: false });
    }
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) return send(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
    stats.requests++;
    if (stats.inFlight >= limit) {
      stats.rejected++;
      return send(res, 429, { error: { message: 'Too many concurrent requests', type: 'rate_limit_exceeded' } }, { 'retry-after': '1' });
    }
    account();
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    if (stats.firstAt === 0) stats.firstAt = Date.now();
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const prompt = promptOf(body);
      const answer = answerFor(prompt);
      if (answer === undefined) {
        stats.unknown++;
        return send(res, 400, { error: { message: 'the fake provider does not know this prompt' } });
      }
      const workflow = /workflow #(\d+)/.exec(prompt)?.[1] ?? '0';
      const delay = delayFor(workflow, answer);
      await sleep(delay);
      if (held) await held.promise;
      stats.served++;
      stats.servedDelayMs += delay;
      stats.lastAt = Date.now();
      const text = OUTPUTS[answer];
      send(res, 200, {
        id: `chatcmpl-${stats.requests}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model ?? 'fake-model',
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage: { prompt_tokens: Math.ceil(prompt.length / 4), completion_tokens: Math.ceil(text.length / 4), total_tokens: Math.ceil((prompt.length + text.length) / 4) },
      });
    } finally {
      account();
      stats.inFlight--;
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
