/**
 * What a CLI coding agent is doing right now, read line by line from its JSON event stream while
 * it runs (codex `exec --json`, claude `--output-format stream-json`): the command it runs, the
 * files it edits, the first line of what it says. Plain-text agents report nothing here.
 */
import type { OutputFormat } from './command-presets.js';

const MAX_ACTIVITY = 100;
/** A line longer than this (a whole file in one event) is skipped rather than buffered. */
const MAX_LINE_BYTES = 1024 * 1024;

type Json = Record<string, unknown>;

/** Feeds stdout chunks; calls `report` with each activity the stream announces. */
export function activityReader(format: OutputFormat, report: (text: string) => void): (chunk: Buffer) => void {
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
      const text = activityOf(line);
      if (text !== undefined) report(text);
    }
    if (pending.length > MAX_LINE_BYTES) {
      pending = '';
      skipping = true;
    }
  };
}

/** One event line → a short description of what the agent does, or undefined when it says nothing new. */
export function activityOf(line: string): string | undefined {
  if (!line.trimStart().startsWith('{')) return undefined;
  let event: Json;
  try {
    event = JSON.parse(line) as Json;
  } catch {
    return undefined;
  }
  const text = event['type'] === 'assistant' ? claudeActivity(event) : codexActivity(event);
  return text === undefined || text === '' ? undefined : clip(text);
}

/** codex: `item.started` / `item.completed` with a command, a file change, a message or reasoning. */
function codexActivity(event: Json): string | undefined {
  const item = asObject(event['item']);
  if (item === undefined) return undefined;
  const started = event['type'] === 'item.started';
  const completed = event['type'] === 'item.completed';
  switch (item['type']) {
    case 'command_execution':
      return started ? `running \`${str(item['command'])}\`` : undefined;
    case 'file_change': {
      if (!completed || item['status'] === 'failed') return undefined;
      const paths = (Array.isArray(item['changes']) ? item['changes'] : []).map((c) => str(asObject(c)?.['path'])).filter((p) => p !== '');
      return paths.length === 0 ? undefined : `edited ${paths.join(', ')}`;
    }
    case 'agent_message':
    case 'reasoning':
      return completed ? firstLine(str(item['text'])) : undefined;
    default:
      return undefined;
  }
}

/** claude stream-json: the last tool call or text of an assistant message. */
function claudeActivity(event: Json): string | undefined {
  const content = asObject(event['message'])?.['content'];
  if (!Array.isArray(content)) return undefined;
  let latest: string | undefined;
  for (const part of content.map(asObject)) {
    if (part?.['type'] === 'tool_use') latest = toolUse(str(part['name']), asObject(part['input']) ?? {});
    else if (part?.['type'] === 'text') latest = firstLine(str(part['text'])) || latest;
  }
  return latest;
}

function toolUse(name: string, input: Json): string {
  const path = str(input['file_path']) || str(input['path']) || str(input['notebook_path']);
  if (name === 'Bash') return `running \`${str(input['command'])}\``;
  if (/^(Edit|MultiEdit|Write|NotebookEdit)$/.test(name)) return `editing ${path}`;
  if (name === 'Read') return `reading ${path}`;
  if (name === 'Grep' || name === 'Glob') return `searching ${str(input['pattern'])}`;
  return name;
}

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim() !== '') ?? '').trim().replace(/^\*\*(.+)\*\*$/, '$1');
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_ACTIVITY ? `${line.slice(0, MAX_ACTIVITY - 1)}…` : line;
}

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
