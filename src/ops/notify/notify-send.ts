/**
 * One delivery attempt to one target, classified for the deliverer: delivered; failed and worth
 * retrying (5xx, 408, 429 with its Retry-After, a timeout, a network error, a command's non-zero
 * exit); or failed for good (any other 4xx, a program that does not exist). Reasons never carry a
 * URL or a secret: a Slack URL is itself a secret.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import type { NotifyTarget } from './notify-config.js';
import type { NotifyPayload } from './notify-payload.js';
import { targetUrl } from './notify-targets.js';
import { slackMessage } from './slack-message.js';

export type SendResult = { ok: true; detail: string } | { ok: false; retry: boolean; reason: string; retryAfterMs?: number };

export interface SendOptions {
  env?: NodeJS.ProcessEnv;
  /** Overrides the target's timeout_s (tests). */
  timeoutMs?: number;
  /** Where a command target runs (default: this process's directory). */
  cwd?: string;
}

/** `sha256=<hex>`: the HMAC-SHA256 of exactly these body bytes. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** `body` is the payload's JSON text as stored in the outbox; a webhook gets it byte for byte. */
export async function sendTo(target: NotifyTarget, body: string, options: SendOptions = {}): Promise<SendResult> {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? target.timeout_s * 1000;
  const payload = JSON.parse(body) as NotifyPayload;
  if (target.type === 'command') return runCommand(target, body, payload, env, timeoutMs, options.cwd);
  let url: string;
  try {
    url = targetUrl(target, env);
  } catch (error) {
    return { ok: false, retry: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'converge-notify' };
  let sent = body;
  if (target.type === 'webhook') {
    headers['x-converge-event'] = payload.event;
    headers['x-converge-delivery'] = payload.id;
    const secret = target.secret_env !== undefined ? env[target.secret_env] : undefined;
    if (target.secret_env !== undefined && (secret === undefined || secret === '')) {
      return { ok: false, retry: false, reason: `${target.secret_env} is not set, and the target must be signed` };
    }
    if (secret !== undefined) headers['x-converge-signature'] = signature(secret, body);
  } else {
    sent = JSON.stringify(slackMessage(payload));
  }
  return postJson(url, headers, sent, timeoutMs);
}

async function postJson(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<SendResult> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'TimeoutError' || name === 'AbortError') return { ok: false, retry: true, reason: `no answer within ${timeoutMs / 1000} s` };
    return { ok: false, retry: true, reason: `network error: ${networkReason(error)}` };
  }
  const text = await response.text().catch(() => '');
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (response.status >= 200 && response.status < 300) return { ok: true, detail: status };
  const reason = `${status}${text.trim() ? `: ${text.trim().slice(0, 200)}` : ''}`;
  if (response.status === 429) {
    const after = retryAfterMs(response.headers.get('retry-after'));
    return { ok: false, retry: true, reason, ...(after !== undefined ? { retryAfterMs: after } : {}) };
  }
  if (response.status >= 500 || response.status === 408) return { ok: false, retry: true, reason };
  // A redirect is not followed: a webhook that moved must be reconfigured, and a 3xx that drops the body would look delivered.
  return { ok: false, retry: false, reason };
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** Retry-After in seconds or as an HTTP date. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function runCommand(target: Extract<NotifyTarget, { type: 'command' }>, body: string, payload: NotifyPayload, env: NodeJS.ProcessEnv, timeoutMs: number, cwd?: string): Promise<SendResult> {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', ...target.env]) if (env[name] !== undefined) childEnv[name] = env[name];
  for (const [name, value] of Object.entries(env)) if (name.startsWith('CONVERGE_NOTIFY_') && value !== undefined) childEnv[name] = value;
  childEnv.CONVERGE_NOTIFY_EVENT = payload.event;
  childEnv.CONVERGE_NOTIFY_DELIVERY = payload.id;
  childEnv.CONVERGE_NOTIFY_WORKFLOW = payload.workflow.id;
  const [program, ...args] = target.command as [string, ...string[]];
  return new Promise((resolve) => {
    let stderr = '';
    let timedOut = false;
    const child = spawn(program, args, { env: childEnv, stdio: ['pipe', 'ignore', 'pipe'], shell: false, ...(cwd !== undefined ? { cwd } : {}) });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-400);
    });
    // A program that exits without reading stdin closes the pipe; its exit code is what counts.
    child.stdin.on('error', () => undefined);
    child.stdin.end(body);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const missing = error.code === 'ENOENT' || error.code === 'EACCES';
      resolve({ ok: false, retry: !missing, reason: missing ? `cannot run ${program}: ${error.code}` : `${program}: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ ok: false, retry: true, reason: `${program} did not finish within ${timeoutMs / 1000} s and was stopped` });
      if (code === 0) return resolve({ ok: true, detail: 'exit 0' });
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      resolve({ ok: false, retry: true, reason: `${program} exited with ${code ?? signal}${tail ? `: ${tail}` : ''}` });
    });
  });
}
