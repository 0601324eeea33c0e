/**
 * The three wire dialects the real CLIs speak, as the fake provider needs them: how a conversation
 * reads (the prompt, how many tool results came back) and how one model turn is streamed (a tool
 * call, or the final text). Shapes were taken from the CLIs' own requests against a logging server
 * and from each API's published streaming events:
 *
 *   anthropic          Claude Code 2.1.332: POST /v1/messages?beta=true, SSE message_start …
 *                      message_stop; tools Write {file_path, content}, Read, Edit {file_path,
 *                      old_string, new_string} (absolute paths; Write refuses an existing file
 *                      it has not Read).
 *   openai-responses   Codex 0.169.0: POST /v1/responses, SSE response.created …
 *                      response.completed; with a model whose metadata Codex ships (gpt-5.5) its
 *                      `apply_patch` is a freeform custom tool whose input is the patch text.
 *   gemini             Gemini CLI 0.61.0: POST /v1beta/models/M:streamGenerateContent?alt=sse with
 *                      functionCall parts for `write_file` {file_path, content}; a non-streamed
 *                      :generateContent asks for JSON (its model router's complexity score).
 */
import { randomUUID } from 'node:crypto';
import { anthropicStream } from '../fake-llm/fake-llm-formats.js';
import type { FakeUsage, SseEvent } from '../fake-llm/fake-llm-formats.js';

export type { SseEvent } from '../fake-llm/fake-llm-formats.js';

export type CliDialect = 'anthropic' | 'openai-responses' | 'gemini';

/** One file the scripted model writes in the workspace. */
export interface CliEdit {
  /** Relative to the workspace. */
  path: string;
  content: string;
  /** The file's current content when it exists: the model reads it first and replaces this text. */
  replaces?: string;
}

/** What the scripted model does in one CLI run: its edits, then the commands it runs, one tool call per turn, then its last words. */
export interface CliTurn {
  edits: CliEdit[];
  /** Shell commands run after the edits, with the CLI's own shell tool. */
  runs?: string[];
  say: string;
}

/** A tool call in the dialect's own terms; a string input is a freeform tool's raw text. */
export interface ToolCall {
  name: string;
  input: Record<string, unknown> | string;
}

/** What a request says so far: the user's text, and the outputs of the tool calls already made. */
export interface Conversation {
  prompt: string;
  toolResults: string[];
}

const USAGE: FakeUsage = { inputTokens: 1200, outputTokens: 80, cachedInputTokens: 0, cacheWriteTokens: 0 };

export function readConversation(dialect: CliDialect, body: any): Conversation {
  switch (dialect) {
    case 'anthropic': {
      const blocks = (body?.messages ?? []).filter((m: any) => m.role === 'user').flatMap((m: any) => (typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content ?? []));
      return {
        prompt: blocks.filter((b: any) => b.type === 'text').map((b: any) => b.text).join('\n'),
        toolResults: blocks.filter((b: any) => b.type === 'tool_result').map((b: any) => textOf(b.content)),
      };
    }
    case 'openai-responses': {
      const items: any[] = Array.isArray(body?.input) ? body.input : [];
      return {
        prompt: items
          .filter((i) => i.type === 'message' && i.role === 'user')
          .flatMap((i) => (typeof i.content === 'string' ? [i.content] : (i.content ?? []).map((c: any) => c.text ?? '')))
          .join('\n'),
        toolResults: items.filter((i) => typeof i.type === 'string' && i.type.endsWith('_call_output')).map((i) => textOf(i.output)),
      };
    }
    case 'gemini': {
      const parts: any[] = (body?.contents ?? []).flatMap((c: any) => (c.role === 'model' ? [] : c.parts ?? []));
      return {
        prompt: parts.filter((p) => typeof p.text === 'string').map((p) => p.text).join('\n'),
        toolResults: parts.filter((p) => p.functionResponse !== undefined).map((p) => JSON.stringify(p.functionResponse.response ?? {})),
      };
    }
  }
}

/** The tool calls that make the turn's edits with this CLI's file tools, then run its commands, in order. */
export function toolCallsFor(dialect: CliDialect, turn: CliTurn, workspace: string): ToolCall[] {
  return [...editCalls(dialect, turn.edits, workspace), ...(turn.runs ?? []).map((command) => shellCall(dialect, command))];
}

/** Claude Code's Bash, Codex's exec_command (with a model whose metadata it ships), Gemini CLI's run_shell_command. */
function shellCall(dialect: CliDialect, command: string): ToolCall {
  switch (dialect) {
    case 'anthropic':
      return { name: 'Bash', input: { command, description: 'Run the project check' } };
    case 'openai-responses':
      return { name: 'exec_command', input: { cmd: command } };
    case 'gemini':
      return { name: 'run_shell_command', input: { command, description: 'Run the project check' } };
  }
}

function editCalls(dialect: CliDialect, edits: readonly CliEdit[], workspace: string): ToolCall[] {
  switch (dialect) {
    case 'anthropic':
      return edits.flatMap((e): ToolCall[] => {
        const file_path = `${workspace}/${e.path}`;
        if (e.replaces === undefined) return [{ name: 'Write', input: { file_path, content: e.content } }];
        return [
          { name: 'Read', input: { file_path } },
          { name: 'Edit', input: { file_path, old_string: e.replaces, new_string: e.content } },
        ];
      });
    case 'openai-responses':
      return edits.map((e) => ({ name: 'apply_patch', input: applyPatch(e) }));
    case 'gemini':
      return edits.map((e) => ({ name: 'write_file', input: { file_path: e.path, content: e.content } }));
  }
}

/** Codex's patch format: `*** Add File` for a new file, `*** Update File` with -/+ lines otherwise. */
function applyPatch(edit: CliEdit): string {
  const plus = (text: string) => lines(text).map((l) => `+${l}\n`).join('');
  if (edit.replaces === undefined) return `*** Begin Patch\n*** Add File: ${edit.path}\n${plus(edit.content)}*** End Patch\n`;
  const minus = lines(edit.replaces).map((l) => `-${l}\n`).join('');
  return `*** Begin Patch\n*** Update File: ${edit.path}\n@@\n${minus}${plus(edit.content)}*** End Patch\n`;
}

function lines(text: string): string[] {
  return text.replace(/\n$/, '').split('\n');
}

/** One streamed model turn: a tool call, or (without one) the final text. */
export function streamTurn(dialect: CliDialect, model: string, call: ToolCall | undefined, text: string): SseEvent[] {
  switch (dialect) {
    case 'anthropic':
      return call === undefined ? anthropicStream(model, text, USAGE) : anthropicToolUse(model, call);
    case 'openai-responses':
      return responsesStream(model, call === undefined ? responsesMessage(text) : responsesToolCall(call));
    case 'gemini':
      return [{ data: geminiChunk(call === undefined ? { text } : { functionCall: { name: call.name, args: call.input } }) }];
  }
}

function anthropicToolUse(model: string, call: ToolCall): SseEvent[] {
  const start = anthropicStream(model, '', USAGE)[0]!;
  const json = JSON.stringify(call.input);
  return [
    start,
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: `toolu_${randomUUID().replaceAll('-', '')}`, name: call.name, input: {} } } },
    ...pieces(json).map((partial_json) => ({ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json } } })),
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: USAGE.outputTokens } } },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ];
}

function responsesToolCall(call: ToolCall): Record<string, unknown> {
  const call_id = `call_${randomUUID()}`;
  if (typeof call.input === 'string') return { type: 'custom_tool_call', id: `ctc_${randomUUID()}`, call_id, name: call.name, status: 'completed', input: call.input };
  return { type: 'function_call', id: `fc_${randomUUID()}`, call_id, name: call.name, status: 'completed', arguments: JSON.stringify(call.input) };
}

function responsesMessage(text: string): Record<string, unknown> {
  return { type: 'message', id: `msg_${randomUUID()}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
}

/** response.created, the item added and done (Codex acts on output_item.done), response.completed with usage. */
function responsesStream(model: string, item: Record<string, unknown>): SseEvent[] {
  const response = { id: `resp_${randomUUID()}`, object: 'response', created_at: Math.floor(Date.now() / 1000), status: 'in_progress', model, output: [] as unknown[] };
  let sequence = 0;
  const event = (type: string, data: Record<string, unknown>): SseEvent => ({ event: type, data: { type, sequence_number: sequence++, ...data } });
  const usage = {
    input_tokens: USAGE.inputTokens,
    input_tokens_details: { cached_tokens: USAGE.cachedInputTokens },
    output_tokens: USAGE.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: USAGE.inputTokens + USAGE.outputTokens,
  };
  return [
    event('response.created', { response }),
    event('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress' } }),
    event('response.output_item.done', { output_index: 0, item }),
    event('response.completed', { response: { ...response, status: 'completed', output: [item], usage } }),
  ];
}

function geminiChunk(part: Record<string, unknown>): Record<string, unknown> {
  return {
    candidates: [{ content: { role: 'model', parts: [part] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: USAGE.inputTokens, candidatesTokenCount: USAGE.outputTokens, totalTokenCount: USAGE.inputTokens + USAGE.outputTokens },
  };
}

/**
 * Gemini CLI's side requests (model routing, next-speaker checks) ask for JSON matching a schema.
 * The answer fills each required field: a low complexity score, `user` as the next speaker.
 */
export function geminiJsonAnswer(body: any): Record<string, unknown> {
  const schema = body?.generationConfig?.responseJsonSchema ?? body?.generationConfig?.responseSchema ?? {};
  const answer: Record<string, unknown> = {};
  for (const [name, field] of Object.entries<any>(schema.properties ?? {})) {
    const type = String(field?.type ?? '').toLowerCase();
    if (Array.isArray(field?.enum)) answer[name] = field.enum.includes('user') ? 'user' : field.enum[0];
    else if (type === 'integer' || type === 'number') answer[name] = 20;
    else if (type === 'boolean') answer[name] = false;
    else answer[name] = 'A short, single-file edit.';
  }
  return geminiChunk({ text: JSON.stringify(answer) });
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((c: any) => (typeof c?.text === 'string' ? c.text : JSON.stringify(c))).join('\n');
  return JSON.stringify(content ?? '');
}

function pieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 40) out.push(text.slice(i, i + 40));
  return out.length > 0 ? out : [''];
}
