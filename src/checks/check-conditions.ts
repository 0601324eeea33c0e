/**
 * A profile's checks fit many projects only if a check can say when it applies: a type-check
 * needs a tsconfig.json, a JUnit test run needs vitest. A check that does not apply is skipped
 * (and counts as not required), never failed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { globSync } from 'tinyglobby';
import type { Check } from '../core/profile-schema.js';

export type Applicability = { applies: true } | { applies: false; reason: string };

function dependencies(workspace: string): Set<string> {
  try {
    const pkg = JSON.parse(readFileSync(join(workspace, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    return new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
  } catch {
    return new Set();
  }
}

export function checkApplies(check: Check, workspace: string): Applicability {
  const when = check.when;
  if (when === undefined) return { applies: true };
  if (when.exists !== undefined) {
    const found = when.exists.some((p) => (p.includes('*') ? globSync(p, { cwd: workspace, dot: true }).length > 0 : existsSync(join(workspace, p))));
    if (!found) return { applies: false, reason: `none of ${when.exists.join(', ')} exists` };
  }
  const deps = when.dependency !== undefined || when.no_dependency !== undefined ? dependencies(workspace) : new Set<string>();
  if (when.dependency !== undefined && !when.dependency.some((d) => deps.has(d))) {
    return { applies: false, reason: `package.json lists none of ${when.dependency.join(', ')}` };
  }
  if (when.no_dependency !== undefined) {
    const present = when.no_dependency.find((d) => deps.has(d));
    if (present !== undefined) return { applies: false, reason: `package.json lists ${present}` };
  }
  return { applies: true };
}
