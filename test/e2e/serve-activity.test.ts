/**
 * Live activity on the SSE stream (issue 16, part 9): `converge serve` runs a workflow in its own
 * worker, and what its command agent reports doing (codex's JSON events: a command, a reasoning
 * step, its message) arrives on the workflow's stream as `activity` events while the step runs.
 * None of it goes into the event log.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, spawnConverge } from './helpers/cli.js';

const AGENT = join(ROOT, 'test', 'fixtures', 'command-agents', 'activity-codex.mjs');

const CONFIG = `definition: seven-step
profile: typescript
sandbox: none
agents:
  default: { provider: external }
  planner: { provider: command, preset: codex, command: ["node", ${JSON.stringify(AGENT)}], api_key_env: FAKE_CODEX_KEY }
`;

type Frame = Record<string, string>;

const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** Reads SSE frames from `res`, calling `onFrame` with each, until `until` holds (or 30 s pass). */
async function readFrames(res: Response, until: (frames: Frame[]) => boolean, onFrame: (frame: Frame) => void = () => undefined): Promise<Frame[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const frames: Frame[] = [];
  let buffer = '';
  const deadline = Date.now() + 30_000;
  try {
    while (!until(frames) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame: Frame = {};
        for (const line of buffer.slice(0, end).split('\n')) {
          const i = line.indexOf(':');
          if (i > 0) frame[line.slice(0, i)] = line.slice(i + 1).trim();
        }
        frames.push(frame);
        onFrame(frame);
        buffer = buffer.slice(end + 2);
      }
    }
  } finally {
    await reader.cancel();
  }
  return frames;
}

describe('converge serve', () => {
  it("streams a command agent's activity as SSE `activity` events while its step runs, without recording them", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'converge-serve-activity-'));
    writeFileSync(join(dir, 'converge.yaml'), CONFIG);
    const serve = spawnConverge(['--store', 'store.db', '--json', 'serve', '--port', '0', '--no-auth', '--concurrency', '1'], {
      cwd: dir,
      env: { FAKE_CODEX_KEY: 'sk-fake-0123456789' },
    });
    stops.push(() => serve.kill('SIGTERM'));
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: serve.stdout! }).once('line', resolve);
      void serve.then((r) => reject(new Error(`serve exited: ${String(r.stderr)}`)));
    });
    const base = (JSON.parse(line) as { url: string }).url;

    const started = await fetch(`${base}/api/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requirements: 'Add a --json flag to the export command' }),
    });
    expect(started.status).toBe(201);
    const id = ((await started.json()) as { workflow: { id: string } }).workflow.id;

    const stream = await fetch(`${base}/api/workflows/${id}/stream`);
    const frames = await readFrames(
      stream,
      (f) => f.some((x) => x.event === 'activity' && x.data!.includes('# Implementation Plan')),
      // The agent waits for this, so the stream is open before it reports anything.
      (frame) => frame.event === 'ready' && writeFileSync(join(dir, '.go'), ''),
    );
    const activity = frames.filter((f) => f.event === 'activity').map((f) => JSON.parse(f.data!) as Record<string, unknown>);
    expect(activity.map((a) => a.text)).toEqual([
      "running `bash -lc 'ls src'`",
      'The export command lives in src/index.ts.',
      expect.stringContaining('# Implementation Plan: a --json flag'),
    ]);
    for (const item of activity) {
      expect(item).toMatchObject({ workflow_id: id, step: 1, kind: 'agent', role: 'planner', action_id: expect.stringMatching(new RegExp(`^${id}\\.`)) });
      expect(Number.isNaN(Date.parse(String(item.at)))).toBe(false);
      expect(frames.find((f) => f.data === JSON.stringify(item))?.id).toBeUndefined();
    }

    // The step's result is recorded; what it said along the way is not an event.
    const log = (await (await fetch(`${base}/api/workflows/${id}/events`)).json()) as { items: Array<{ type: string }> };
    expect(log.items.map((e) => e.type)).not.toContain('activity');
    expect(JSON.stringify(log.items)).not.toContain("ls src'`");
  });
});
