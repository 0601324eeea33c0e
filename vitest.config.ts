import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**', '**/*.case.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default (CPUs − 1) runs the suite one file at a time on a 2-core CI machine; most
    // files spend their time waiting on the CLI processes they start, so two at once halve the wall.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
