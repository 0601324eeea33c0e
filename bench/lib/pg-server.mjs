/**
 * A throw-away PostgreSQL cluster for the benchmarks, with the server's default durability
 * (fsync=on, synchronous_commit=on, full_page_writes=on). scripts/pg-test-server.sh turns those
 * off to make tests fast, which would flatter a durability benchmark, so the bench runs its own
 * cluster on another port. As root the server runs as the `postgres` user (PostgreSQL refuses root).
 *
 *   const pg = await startBenchPostgres();   // { url } or { skipped: 'why' }
 *   await pg.stop?.();
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

const PORT = Number(process.env.CONVERGE_BENCH_PG_PORT ?? 55439);
const DIR = join(os.tmpdir(), `converge-pg-bench-${PORT}`);

function pgBin() {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).sort((x, y) => Number(y) - Number(x));
  return versions.map((v) => join(base, v, 'bin')).find((b) => existsSync(join(b, 'pg_ctl')));
}

function asOwner(command, argv) {
  if (process.getuid?.() !== 0) return spawnSync(command, argv, { encoding: 'utf8' });
  const quoted = [command, ...argv].map((x) => `'${x.replace(/'/g, `'\\''`)}'`).join(' ');
  return spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', quoted], { encoding: 'utf8' });
}

export async function startBenchPostgres() {
  if (process.env.CONVERGE_BENCH_PG_URL) return { url: process.env.CONVERGE_BENCH_PG_URL, external: true };
  const bin = pgBin();
  if (bin === undefined) return { skipped: 'no PostgreSQL found (install it, or set CONVERGE_BENCH_PG_URL or PG_BIN)' };
  const data = join(DIR, 'data');
  // A cluster left by an interrupted run is stopped before its directory is reused.
  if (existsSync(join(data, 'PG_VERSION'))) asOwner(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  if (process.getuid?.() === 0) {
    try {
      execFileSync('chown', ['postgres:', DIR]);
    } catch {
      return { skipped: "running as root needs a 'postgres' user" };
    }
  }
  const init = asOwner(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  if (init.status !== 0) return { skipped: `initdb failed: ${(init.stderr || init.stdout).trim().split('\n').at(-1)}` };
  const options = `-p ${PORT} -k ${DIR} -c listen_addresses=127.0.0.1 -c max_connections=100`;
  const start = asOwner(join(bin, 'pg_ctl'), ['-D', data, '-l', join(DIR, 'server.log'), '-w', '-t', '30', '-o', options, 'start']);
  if (start.status !== 0) return { skipped: `the bench PostgreSQL did not start: ${(start.stderr || start.stdout).trim().split('\n').at(-1)}` };
  return {
    url: `postgres://postgres@127.0.0.1:${PORT}/postgres`,
    stop: async () => {
      asOwner(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      rmSync(DIR, { recursive: true, force: true });
    },
  };
}

// `node bench/lib/pg-server.mjs start|stop` for trying the PostgreSQL row by hand.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const what = process.argv[2];
  if (what === 'start') {
    const server = await startBenchPostgres();
    console.log(JSON.stringify({ url: server.url, skipped: server.skipped }));
  } else if (what === 'stop') {
    const bin = pgBin();
    if (bin) asOwner(join(bin, 'pg_ctl'), ['-D', join(DIR, 'data'), '-m', 'fast', '-w', 'stop']);
    rmSync(DIR, { recursive: true, force: true });
  }
}
