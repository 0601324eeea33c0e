/**
 * commander, loaded with require rather than import. Importing a CommonJS package from an ES
 * module first runs Node's CommonJS export lexer over its source, a few ms of every CLI start
 * (issue 19: `converge status` within 2× the CPU of `node -e 0`); require loads the same module
 * instance, so classes and `instanceof` agree with any import of it elsewhere.
 */
import { createRequire } from 'node:module';
import type * as Commander from 'commander';

export const commander = createRequire(import.meta.url)('commander') as typeof Commander;
