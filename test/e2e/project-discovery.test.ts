/**
 * The CLI finds its project from any subdirectory, as git does, and a command that only reads
 * never leaves a store behind (issue 15, part 2).
 */
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { converge } from './helpers/cli.js';

async function repo(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'converge-discovery-'));
  mkdirSync(join(dir, 'src', 'lib'), { recursive: true });
  await execa('git', ['init', '-q'], { cwd: dir });
  return dir;
}

describe('project discovery', () => {
  it('finds the root store from a subdirectory and creates nothing there', async () => {
    const dir = await repo();
    writeFileSync(join(dir, 'converge.yaml'), 'agents:\n  default: { provider: external }\n');
    const started = await converge(['start', 'Add a flag'], { cwd: dir });
    expect(started.exitCode, started.stderr).toBe(0);
    const id = started.stdout.trim();

    const sub = join(dir, 'src', 'lib');
    const listed = await converge(['--json', 'list'], { cwd: sub });
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(id);
    expect((await converge(['status', id], { cwd: sub })).stdout).toContain(id);
    expect(readdirSync(sub)).toEqual([]);
    expect(readdirSync(join(dir, 'src'))).toEqual(['lib']);
  });

  it('says where it looked outside any project, and creates no store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'converge-nowhere-'));
    const listed = await converge(['list'], { cwd: dir });
    expect(listed.exitCode).toBe(2);
    expect(listed.stderr).toContain(`looked for converge.yaml or .converge/converge.db in ${dir}`);
    expect(listed.stderr).toContain(join(dir, '.converge', 'converge.db'));
    expect(listed.stderr).toMatch(/converge init/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('names the store a --store path points at when it does not exist, without creating it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'converge-nostore-'));
    const shown = await converge(['--store', 'missing.db', 'status', 'wf-1'], { cwd: dir });
    expect(shown.exitCode).toBe(2);
    expect(shown.stderr).toContain(`There is no store at ${join(dir, 'missing.db')} (from --store)`);
    expect(existsSync(join(dir, 'missing.db'))).toBe(false);
  });

  it('stops at the repository top: a converge.yaml above it belongs to another project', async () => {
    const outer = mkdtempSync(join(tmpdir(), 'converge-outer-'));
    writeFileSync(join(outer, 'converge.yaml'), 'agents:\n  default: { provider: external }\n');
    const inner = join(outer, 'inner');
    mkdirSync(join(inner, 'src'), { recursive: true });
    await execa('git', ['init', '-q'], { cwd: inner });
    const listed = await converge(['list'], { cwd: join(inner, 'src') });
    expect(listed.exitCode).toBe(2);
    expect(listed.stderr).toContain(`in ${join(inner, 'src')} up to ${inner}`);
  });

  it('init in a subdirectory of a repository writes converge.yaml at its top and says so; run and start work there', async () => {
    const dir = await repo();
    const sub = join(dir, 'src');
    const init = await converge(['init'], { cwd: sub });
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stdout).toContain(`Wrote ${join(dir, 'converge.yaml')}`);
    expect(init.stdout).toMatch(/the top of the git repository/);
    expect(existsSync(join(sub, 'converge.yaml'))).toBe(false);

    const started = await converge(['--json', 'start', 'Add a flag'], { cwd: sub });
    expect(started.exitCode, started.stderr).toBe(0);
    expect(existsSync(join(dir, '.converge', 'converge.db'))).toBe(true);
    expect(existsSync(join(sub, '.converge'))).toBe(false);
    const id = (JSON.parse(started.stdout.split('\n')[0]!) as { workflow_id: string }).workflow_id;
    const shown = JSON.parse((await converge(['--json', 'show', id], { cwd: sub })).stdout.split('\n')[0]!) as { workspace: { path: string } };
    expect(shown.workspace.path).toBe(dir);
  });
});
