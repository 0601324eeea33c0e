/**
 * A command agent's latest activity, read from its event stream while it runs (issue 15, part 6).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { activityEntry, activityOf, activityReader } from '../../../src/agents/command/command-activity.js';
import { CommandAgent } from '../../../src/agents/command/index.js';
import { envWith, fakeBin, gitWorkspace, removeTempDirs, request } from './command-test-helpers.js';

afterAll(removeTempDirs);

const line = (event: unknown) => JSON.stringify(event);

describe('activityOf', () => {
  it.each([
    ['a codex command that starts', { type: 'item.started', item: { type: 'command_execution', command: "bash -lc 'npm test'", status: 'in_progress' } }, "running `bash -lc 'npm test'`"],
    ['a codex file change', { type: 'item.completed', item: { type: 'file_change', changes: [{ path: 'src/a.ts' }, { path: 'src/b.ts' }], status: 'completed' } }, 'edited src/a.ts, src/b.ts'],
    ['a codex message (its first line)', { type: 'item.completed', item: { type: 'agent_message', text: '\nAll tests pass now.\nDetails…' } }, 'All tests pass now.'],
    ['a codex reasoning summary', { type: 'item.completed', item: { type: 'reasoning', text: '**Planning the CSV export**' } }, 'Planning the CSV export'],
    ['a claude tool call', { type: 'assistant', message: { content: [{ type: 'text', text: 'Let me fix it.' }, { type: 'tool_use', name: 'Edit', input: { file_path: 'src/a.ts' } }] } }, 'editing src/a.ts'],
    ['a claude shell command', { type: 'assistant', message: { content: [{ type: 'tool_use', name: 'Bash', input: { command: 'npx tsc --noEmit' } }] } }, 'running `npx tsc --noEmit`'],
  ])('describes %s', (_name, event, expected) => {
    expect(activityOf(line(event))).toBe(expected);
  });

  it.each([
    ['a failed codex write', { type: 'item.completed', item: { type: 'file_change', changes: [{ path: 'a.ts' }], status: 'failed' } }],
    ['a turn marker', { type: 'turn.started' }],
    ['a final result', { type: 'result', subtype: 'success', result: 'done' }],
  ])('says nothing for %s', (_name, event) => {
    expect(activityOf(line(event))).toBeUndefined();
  });

  it('says nothing for plain text or broken JSON', () => {
    expect(activityOf('Compiling…')).toBeUndefined();
    expect(activityOf('{"type": "item.started", ')).toBeUndefined();
  });

  it('clips a long activity to one short line', () => {
    const text = activityOf(line({ type: 'item.completed', item: { type: 'agent_message', text: 'x'.repeat(300) } }))!;
    expect(text).toHaveLength(100);
    expect(text.endsWith('…')).toBe(true);
  });
});

describe('activityEntry', () => {
  it('keeps a message whole, with its kind, for the transcript', () => {
    const text = 'Fixed the parser.\nThe failing case was an empty line.';
    expect(activityEntry(line({ type: 'item.completed', item: { type: 'agent_message', text } }))).toEqual({ kind: 'message', text });
    expect(activityEntry(line({ type: 'assistant', message: { content: [{ type: 'tool_use', name: 'Bash', input: { command: 'node check.mjs' } }] } }))).toEqual({ kind: 'command', text: 'running `node check.mjs`' });
  });
});

describe('activityReader', () => {
  it('reads events split across chunks, one report per complete line', () => {
    const seen: string[] = [];
    const feed = activityReader('codex-jsonl', (t) => seen.push(t));
    const text = `${line({ type: 'item.started', item: { type: 'command_execution', command: 'ls' } })}\n${line({ type: 'item.completed', item: { type: 'agent_message', text: 'Done.' } })}\n`;
    feed(Buffer.from(text.slice(0, 30)));
    expect(seen).toEqual([]);
    feed(Buffer.from(text.slice(30)));
    expect(seen).toEqual(['running `ls`', 'Done.']);
  });

  it('reports nothing for a plain-text agent', () => {
    const seen: string[] = [];
    activityReader('text', (t) => seen.push(t))(Buffer.from(`${line({ type: 'item.started', item: { type: 'command_execution', command: 'ls' } })}\n`));
    expect(seen).toEqual([]);
  });
});

describe('CommandAgent with the codex preset', () => {
  it('tells the request what codex does while it runs', async () => {
    const agent = new CommandAgent({ provider: 'command', preset: 'codex', fallback: [] }, { role: 'programmer', env: envWith(fakeBin('bin-codex/codex'), { OPENAI_API_KEY: 'sk-openai-0123456789' }) });
    const seen: string[] = [];
    await agent.call({ ...request(gitWorkspace(), 'WRITE hello.ts :: export const greet = () => "hi";'), onActivity: (t) => seen.push(t) });
    expect(seen).toEqual(['edited hello.ts', 'Created hello.ts.']);
  });

  it('returns what it did as the transcript of the step', async () => {
    const agent = new CommandAgent({ provider: 'command', preset: 'codex', fallback: [] }, { role: 'programmer', env: envWith(fakeBin('bin-codex/codex'), { OPENAI_API_KEY: 'sk-openai-0123456789' }) });
    const response = await agent.call(request(gitWorkspace(), 'WRITE hello.ts :: export const greet = () => "hi";'));
    expect(response.transcript?.map((e) => [e.kind, e.text])).toEqual([['edit', 'edited hello.ts'], ['message', 'Created hello.ts.']]);
    expect(response.transcript?.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);
  });
});
