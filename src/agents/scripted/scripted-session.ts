/**
 * The recorded-session file of the `scripted` agent: per role, the successive raw outputs the
 * agent returns, inline or from files, with optional delays and injected failures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ConvergeError } from '../../core/errors.js';
import { parseWith, readDocument } from '../../workflows/loader.js';

export const INJECTED_FAILURES = ['timeout', 'hang', 'rate_limit', 'invalid_output', 'provider_error', 'auth'] as const;

export const SessionEntrySchema = z
  .strictObject({
    text: z.string().optional(),
    file: z.string().optional(),
    json: z.unknown().optional(),
    delay_ms: z.number().int().min(0).default(0),
    fail: z.enum(INJECTED_FAILURES).optional(),
    retry_after_ms: z.number().int().min(0).optional(),
    message: z.string().optional(),
    usage: z
      .strictObject({
        input_tokens: z.number().int().min(0).default(0),
        output_tokens: z.number().int().min(0).default(0),
        cached_input_tokens: z.number().int().min(0).default(0),
        /** What the recorded call cost; replayed as recorded, so budgets can be tried without a provider. */
        cost_usd: z.number().min(0).default(0),
      })
      .optional(),
  })
  .refine((e) => [e.text, e.file, e.json, e.fail].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of text, file, json or fail',
  });
export type SessionEntry = z.infer<typeof SessionEntrySchema>;

export const SessionSchema = z.strictObject({
  /** Appends a line per call start and end (`<action id> <role> #<index> start|end`), to audit replays. */
  trace_file: z.string().optional(),
  /** Saves every prompt the agent receives as `<action id>-<template>` in this folder. */
  prompts_dir: z.string().optional(),
  planner: z.array(SessionEntrySchema).default([]),
  validator: z.array(SessionEntrySchema).default([]),
  programmer: z.array(SessionEntrySchema).default([]),
  advisor: z.array(SessionEntrySchema).default([]),
});
export type Session = z.infer<typeof SessionSchema>;

export interface LoadedSession {
  path: string;
  session: Session;
  /** Entry text, with `file:` entries already read, so a missing file fails at load, not mid-run. */
  texts: Record<'planner' | 'validator' | 'programmer' | 'advisor', Array<string | undefined>>;
  traceFile?: string;
  promptsDir?: string;
}

export function loadSession(path: string): LoadedSession {
  const hint = 'Fix the listed fields; a session lists recorded outputs per role (planner, validator, programmer, advisor), as examples/demo/session.yaml does.';
  const session = parseWith(SessionSchema, readDocument(path, 'SESSION_INVALID') ?? {}, path, 'SESSION_INVALID', hint);
  const base = dirname(path);
  const texts = {} as LoadedSession['texts'];
  for (const role of ['planner', 'validator', 'programmer', 'advisor'] as const) {
    texts[role] = session[role].map((entry, i) => {
      if (entry.text !== undefined) return entry.text;
      if (entry.json !== undefined) return JSON.stringify(entry.json, null, 2);
      if (entry.file === undefined) return undefined;
      const file = resolve(base, entry.file);
      if (!existsSync(file)) {
        throw new ConvergeError('SESSION_INVALID', `${path} has 1 problem:\n  ${role}[${i}].file: ${entry.file} does not exist (looked in ${base})`, {
          hint: 'Paths in a session file are relative to the session file.',
        });
      }
      return readFileSync(file, 'utf8');
    });
  }
  return {
    path,
    session,
    texts,
    ...(session.trace_file !== undefined ? { traceFile: resolve(base, session.trace_file) } : {}),
    ...(session.prompts_dir !== undefined ? { promptsDir: resolve(base, session.prompts_dir) } : {}),
  };
}
