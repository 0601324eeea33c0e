/**
 * What a CLI coding agent is doing right now, read line by line from its JSON event stream while
 * it runs (codex `exec --json`, claude `--output-format stream-json`): the command it runs, the
 * files it edits, the first line of what it says. Plain-text agents report nothing here.
 */
import type { OutputFormat } from './command-presets.js';

const MAX_ACTIVITY = 100;
/** One transcript entry keeps this much of a message or command. */
const MAX_ENTRY = 2000;
/** A line longer than this (a whole file in one event) is skipped rather than buffered. */
const MAX_LINE_BYTES = 1024 * 1024;

type Json = Record<string, unknown>;

/** One thing the agent did, whole (a command, an edit, what it said), for the step's trace. */
export interface ActivityEntry {
  kind: 'command' | 'edit' | 'read' | 'search' | 'tool' | 'message' | 'reasoning';
  text: string;
}

/** Feeds stdout chunks; calls `report` with each activity the stream announces: one short line, and the entry whole. */
export function activityReader(format: OutputFormat, report: (text: string, entry: ActivityEntry) => void): (chunk: Buffer) => void {
  if (format !== 'codex-jsonl' && format !== 'claude-json') return () => undefined;
  let pending = '';
  let skipping = false;
  return (chunk) => {
    const lines = (pending + chunk.toString('utf8')).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (skipping) {
        skipping = false;
        continue;
      }
      const entry = activityEntry(line);
      if (entry !== undefined) report(clip(entry.text), entry);
    }
    if (pending.length > MAX_LINE_BYTES) {
      pending = '';
      skipping = true;
    }
  };
}

/** One event line → a short description of what the agent does, or undefined when it says nothing new. */
export function activityOf(line: string): string | undefined {
  const entry = activityEntry(line);
  return entry === undefined ? undefined : clip(entry.text);
}

/** One event line → what the agent did, whole, or undefined when it says nothing new. */
export function activityEntry(line: string): ActivityEntry | undefined {
  if (!line.trimStart().startsWith('{')) return undefined;
  let event: Json;
  try {
    event = JSON.parse(line) as Json;
  } catch {
    return undefined;
  }
  const entry = event['type'] === 'assistant' ? claudeActivity(event) : codexActivity(event);
  if (entry === undefined || entry.text.trim() === '') return undefined;
  return { kind: entry.kind, text: entry.text.length > MAX_ENTRY ? `${entry.text.slice(0, MAX_ENTRY - 1)}…` : entry.text };
}

/** codex: `item.started` / `item.completed` with a command, a file change, a message or reasoning. */
function codexActivity(event: Json): ActivityEntry | undefined {
  const item = asObject(event['item']);
  if (item === undefined) return undefined;
  const started = event['type'] === 'item.started';
  const completed = event['type'] === 'item.completed';
  switch (item['type']) {
    case 'command_execution':
      return started ? { kind: 'command', text: `running \`${str(item['command'])}\`` } : undefined;
    case 'file_change': {
      if (!completed || item['status'] === 'failed') return undefined;
      const paths = (Array.isArray(item['changes']) ? item['changes'] : []).map((c) => str(asObject(c)?.['path'])).filter((p) => p !== '');
      return paths.length === 0 ? undefined : { kind: 'edit', text: `edited ${paths.join(', ')}` };
    }
    case 'agent_message':
    case 'reasoning':
      return completed ? { kind: item['type'] === 'reasoning' ? 'reasoning' : 'message', text: wholeText(str(item['text'])) } : undefined;
    default:
      return undefined;
  }
}

/** claude stream-json: the last tool call or text of an assistant message. */
function claudeActivity(event: Json): ActivityEntry | undefined {
  const content = asObject(event['message'])?.['content'];
  if (!Array.isArray(content)) return undefined;
  let latest: ActivityEntry | undefined;
  for (const part of content.map(asObject)) {
    if (part?.['type'] === 'tool_use') latest = toolUse(str(part['name']), asObject(part['input']) ?? {});
    else if (part?.['type'] === 'text' && str(part['text']).trim() !== '') latest = { kind: 'message', text: wholeText(str(part['text'])) };
  }
  return latest;
}

function toolUse(name: string, input: Json): ActivityEntry {
  const path = str(input['file_path']) || str(input['path']) || str(input['notebook_path']);
  if (name === 'Bash') return { kind: 'command', text: `running \`${str(input['command'])}\`` };
  if (/^(Edit|MultiEdit|Write|NotebookEdit)$/.test(name)) return { kind: 'edit', text: `editing ${path}` };
  if (name === 'Read') return { kind: 'read', text: `reading ${path}` };
  if (name === 'Grep' || name === 'Glob') return { kind: 'search', text: `searching ${str(input['pattern'])}` };
  return { kind: 'tool', text: name };
}

/** A message whole, its first line first (a heading in bold loses its stars), for clip to shorten. */
function wholeText(text: string): string {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return '';
  const head = lines[first]!.trim().replace(/^\*\*(.+)\*\*$/, '$1');
  return [head, ...lines.slice(first + 1)].join('\n').trimEnd();
}

/** The first line, cut short: what a progress line shows. */
function clip(text: string): string {
  const line = (text.split('\n')[0] ?? '').replace(/\s+/g, ' ').trim();
  return line.length > MAX_ACTIVITY ? `${line.slice(0, MAX_ACTIVITY - 1)}…` : line;
}

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
