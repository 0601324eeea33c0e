/**
 * The configured targets as a deliverer uses them: by name, with their secrets looked up in the
 * environment when a notification is sent (never stored). A target whose variable is unset is
 * refused where notifications start (`serve`, `worker`, `run`, `notify test`) and by `doctor`,
 * instead of failing every delivery later.
 */
import { ConvergeError } from '../../core/errors.js';
import { targetName } from './notify-config.js';
import type { NotifyTarget } from './notify-config.js';

export interface NamedTarget {
  name: string;
  target: NotifyTarget;
}

export function namedTargets(targets: readonly NotifyTarget[]): NamedTarget[] {
  return targets.map((target, i) => ({ name: targetName(target, i), target }));
}

/** What is wrong with the targets' environment, one sentence each; empty when all can be sent to. */
export function targetProblems(targets: readonly NotifyTarget[], env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const { name, target } of namedTargets(targets)) {
    if (names.has(name)) problems.push(`two notify targets are named "${name}"; give each its own name`);
    names.add(name);
    if (target.type === 'command') continue;
    if (target.url_env !== undefined) {
      const value = env[target.url_env];
      if (value === undefined || value === '') problems.push(`notify target "${name}" takes its URL from ${target.url_env}, which is not set`);
      else if (!/^https?:\/\/[^\s]+$/i.test(value)) problems.push(`notify target "${name}": ${target.url_env} does not hold an http(s) URL`);
    }
    if (target.type === 'webhook' && target.secret_env !== undefined && (env[target.secret_env] ?? '') === '') {
      problems.push(`notify target "${name}" signs with the secret in ${target.secret_env}, which is not set`);
    }
  }
  return problems;
}

/** Throws CONFIG_INVALID naming every problem, so a process never starts sending unsigned or to nowhere. */
export function assertTargetsUsable(targets: readonly NotifyTarget[], env: NodeJS.ProcessEnv = process.env): void {
  const problems = targetProblems(targets, env);
  if (problems.length === 0) return;
  throw new ConvergeError('CONFIG_INVALID', `converge.yaml notify: ${problems.join('; ')}.`, {
    hint: 'Export the named variables in the environment of this process (their values are read when sending, never stored), or remove secret_env/url_env from the target.',
    details: { problems },
  });
}

/** A target's URL at send time: its own, or its variable's value. */
export function targetUrl(target: Exclude<NotifyTarget, { type: 'command' }>, env: NodeJS.ProcessEnv = process.env): string {
  const url = target.url ?? env[target.url_env ?? ''];
  if (url === undefined || url === '') throw new Error(`${target.url_env ?? 'url'} is not set`);
  return url;
}
