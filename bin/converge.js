#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/interfaces/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('converge: the build output is missing (dist/). Run `npm run build` in the converge package, then try again.\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv);
