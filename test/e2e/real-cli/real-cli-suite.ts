/**
 * The acceptance of issue 16 for one real coding-agent CLI as the Programmer, run by each
 * real-cli-<name>.test.ts (one file per CLI, so vitest can run them side by side). The CLI is the
 * version .ci/run installs, started by Converge's preset; every `converge` run happens in network
 * and PID namespaces with only loopback, where the CLI reaches nothing but the fake provider of
 * test/helpers/real-cli, whose scripted model drives the CLI's own file tools. The Planner and the
 * Validator replay recorded outputs (test/fixtures/real-cli).
 *
 * Times asserted here are the acceptance bounds, never measurements: bench/ times things.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startCliProvider } from '../../helpers/real-cli/real-cli-provider.js';
import type { CliProvider, CliRequest, CliTurn } from '../../helpers/real-cli/real-cli-provider.js';
import { makeProject, programmerFor, removeTempFolders, runOffline, stateOf, tempFolder } from '../../helpers/real-cli/real-cli-project.js';
import type { OfflineProject, OfflineRun } from '../../helpers/real-cli/real-cli-project.js';
import { describeRealCli } from '../../helpers/real-cli/real-cli.js';
import type { RealCliName } from '../../helpers/real-cli/real-cli.js';

export interface RealCliSetup {
  /** The key variable Converge hands the CLI, with a fake value. */
  env: Record<string, string>;
  /** More of the Programmer's converge.yaml entry (Codex needs a model whose metadata it ships). */
  programmer?: Record<string, unknown>;
  /**
   * `home: inherit`: writes a login and a config file into the stand-in home (HOME of the run) and
   * says what the provider must then see: the login's credential, the config's model. A `null` in
   * `programmer` removes that field of the Programmer's entry.
   */
  standInHome: (home: string) => { env?: Record<string, string>; programmer?: Record<string, unknown>; credential: string; model: string };
  /**
   * Which tests beside the in-place workflow run for this CLI (all when absent). Gemini CLI, a
   * Node program of ~3 s CPU per start, runs only the 401 one: see its test file.
   */
  only?: ReadonlyArray<'auth' | 'timeout' | 'storm' | 'inherit'>;
  /** How much longer than the others this CLI may take for a whole workflow. */
  slowness?: number;
}

/** The check's message when the value is wrong: the step-6 prompt carries it once step 5 ran the check. */
const CHECK_FAILURE = 'expected "good"';
const BUG: CliTurn = { edits: [{ path: 'src/value.txt', content: 'bad\n' }], say: 'Created src/value.txt.' };
/** The fix, verified with the project's own check: the CLI may run it (part 8 of issue 16). */
const FIX: CliTurn = { edits: [{ path: 'src/value.txt', content: 'good\n', replaces: 'bad\n' }], runs: ['node check.mjs'], say: 'Fixed src/value.txt; the check passes now.' };
/** What check.mjs prints when it passes. */
const CHECK_PASSED = 'value ok';
/** Step 4 writes a bug; once Converge reports the failing check, step 6 writes the fix. */
const programmerModel = (prompt: string): CliTurn => (prompt.includes(CHECK_FAILURE) ? FIX : BUG);

const RUN_ARGS = ['run', 'Write the value file', '--workspace', 'project', '--auto-approve', '--no-wait'];
const DEFINITION = resolve(import.meta.dirname, '..', '..', '..', 'src', 'workflows', 'definitions', 'seven-step.yaml');
/** The definition's step timeout, which `timeout_s` must beat. */
const DEFINITION_STEP_S = (parse(readFileSync(DEFINITION, 'utf8')) as { timeouts: { step_s: number } }).timeouts.step_s;

/** The seven-step definition with some of its fields replaced, written into the project. */
function definitionWith(project: OfflineProject, change: (definition: any) => void): void {
  const definition = parse(readFileSync(DEFINITION, 'utf8'));
  change(definition);
  writeFileSync(join(project.root, 'definition.yaml'), stringify(definition));
}

/** The JSON lines `converge run --json` printed, by type. */
function eventsOf(run: OfflineRun, type: string): Array<Record<string, any>> {
  return run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>)
    .filter((e) => e['type'] === type);
}

const at = (event: Record<string, any> | undefined): number => Date.parse(String(event?.['at']));

export function realCliSuite(name: RealCliName, setup: RealCliSetup): void {
  describeRealCli(name, `${name} as the programmer, offline`, () => {
    let provider: CliProvider;
    beforeAll(async () => {
      provider = await startCliProvider({ model: programmerModel });
    });
    afterAll(async () => {
      await provider.close();
      removeTempFolders();
    });
    beforeEach(() => {
      provider.requests.length = 0;
      provider.mode = { kind: 'script' };
      provider.model = programmerModel;
    });

    /** What to print when an assertion fails: the run's output and what the CLI's tools reported to the fake. */
    const shown = (run: OfflineRun): string => {
      const tools = provider.requests.flatMap((r) => r.conversation.toolResults.map((t) => `${r.dialect}: ${t.slice(0, 400)}`));
      return [
        `exit ${run.exitCode} after ${run.elapsedMs} ms; ${provider.requests.length} provider requests`,
        `--- stdout\n${run.stdout.slice(-5000)}`,
        `--- stderr\n${run.stderr.slice(-3000)}`,
        `--- tool results the fake received\n${[...new Set(tools)].join('\n')}`,
      ].join('\n');
    };

    const slowness = setup.slowness ?? 1;
    const programmer = (more: Record<string, unknown> = {}) => programmerFor(name, { timeout_s: 50 * slowness, ...setup.programmer, ...more });
    const runs = (test: 'auth' | 'timeout' | 'storm' | 'inherit') => setup.only === undefined || setup.only.includes(test);

    it('edits the workspace in place: Converge records the change, the real check fails and then passes, and the workflow completes', async () => {
      const project = makeProject(programmer());
      provider.workspace = project.workspace;
      const run = await runOffline(project, provider, RUN_ARGS, { env: setup.env, limitMs: 55_000 * slowness });
      expect(run.exitCode, shown(run)).toBe(0);
      const state = await stateOf(project, run.workflowId!);
      expect(state.status, shown(run)).toBe('completed');

      // Step 4 recorded the CLI's bug and step 6 its fix, both taken from the workspace.
      const recorded = state.outputs
        .filter((o) => o.output.artifact === 'code')
        .map((o) => ({ step: o.stepId, value: o.output.files?.find((f) => f.path === 'src/value.txt')?.content }));
      expect(recorded, shown(run)).toEqual([
        { step: 'implement', value: 'bad\n' },
        { step: 'refine_code', value: 'good\n' },
      ]);
      expect(readFileSync(join(project.workspace, 'src', 'value.txt'), 'utf8')).toBe('good\n');
      // The project's real check failed on the bug and passed on the fix.
      const checks = state.runs.flatMap((r) => (r.checks ?? []).map((c) => `${r.stepId}:${c.toolId}:${c.status}`));
      expect(checks).toEqual(['validate_code:value:failed', 'revalidate_code:value:passed']);
      // The CLI learnt of the failure from Converge: the step-6 conversation carried the check's message.
      expect(provider.turns().some((t) => t.conversation.prompt.includes(CHECK_FAILURE))).toBe(true);
      // It was allowed to run the project's check on its fix, inside Converge's sandbox, and saw it pass.
      expect(provider.turns().some((t) => t.conversation.toolResults.some((r) => r.includes(CHECK_PASSED))), shown(run)).toBe(true);
      expect(state.runs.filter((r) => r.role === 'programmer').map((r) => `${r.status}:${r.agent?.split(':')[1]}`)).toEqual([`completed:${name}`, `completed:${name}`]);
      expect(run.leftBehind).toEqual([]);
    }, 60_000 * slowness);

    if (runs('auth')) it('surfaces a 401 from the provider as an auth escalation in under 30 s', async () => {
      const project = makeProject(programmer());
      provider.workspace = project.workspace;
      provider.mode = { kind: 'status', status: 401 };
      const run = await runOffline(project, provider, RUN_ARGS, { env: setup.env, limitMs: 55_000 });
      const state = await stateOf(project, run.workflowId!);
      expect(state.status, shown(run)).toBe('waiting_for_human');
      expect(state.escalation, shown(run)).toMatchObject({ reason: 'failure', stepId: 'implement' });
      // One attempt, classed auth: a wrong key is not retried.
      const failed = state.runs.filter((r) => r.stepId === 'implement' && r.status === 'failed');
      expect(failed.map((r) => r.failure?.class), shown(run)).toEqual(['auth']);
      expect(provider.requests.length).toBeGreaterThan(0);
      // The provider echoed the key in its error; no record repeats it.
      for (const key of Object.values(setup.env)) expect(JSON.stringify(state)).not.toContain(key);
      expect(run.elapsedMs, shown(run)).toBeLessThan(30_000);
    }, 60_000);

    if (runs('timeout')) it('kills a hanging CLI with its process group when `timeout_s: 5` runs out, in about 5 s', async () => {
      // One attempt is enough to see the kill: a timeout escalates instead of retrying with a longer one.
      const project = makeProject(programmer({ timeout_s: 5 }), { definition: 'definition.yaml' });
      definitionWith(project, (d) => {
        d.recovery.timeout = { strategy: 'escalate_to_human', max_attempts: 0 };
      });
      provider.workspace = project.workspace;
      provider.mode = { kind: 'hang' };
      const run = await runOffline(project, provider, RUN_ARGS, { env: setup.env, limitMs: 55_000 });
      const state = await stateOf(project, run.workflowId!);
      const failed = state.runs.filter((r) => r.stepId === 'implement' && r.status === 'failed');
      expect(failed.map((r) => r.failure?.class), shown(run)).toEqual(['timeout']);
      // The attempt ended about 5 s after it started: well before the definition's step timeout.
      const started = eventsOf(run, 'step_scheduled').find((e) => e['stepId'] === 'implement');
      const ended = eventsOf(run, 'step_failed')[0];
      const attemptMs = at(ended) - at(started);
      expect(attemptMs, shown(run)).toBeGreaterThanOrEqual(4_500);
      expect(attemptMs, shown(run)).toBeLessThan(15_000);
      expect(attemptMs).toBeLessThan(DEFINITION_STEP_S * 1000);
      // The CLI was waiting on the provider and went away when it was killed …
      const hung = provider.requests.filter((r: CliRequest) => r.status === undefined);
      expect(hung.length, shown(run)).toBeGreaterThan(0);
      expect(hung.every((r) => r.abandoned && r.closedAt !== undefined && r.closedAt - r.receivedAt < 15_000), shown(run)).toBe(true);
      // … and nothing it started outlived it: the namespace held no process once converge had exited.
      expect(run.leftBehind, shown(run)).toEqual([]);
    }, 60_000);

    if (runs('storm')) it('keeps retrying a 500 storm with no fallback across the breaker\'s probe times, within the step\'s deadline', async () => {
      // A circuit that opens after 2 failures and probes after 5 s, and 4 attempts in all: the last two wait for a probe.
      const timeoutS = 20;
      const coolDownS = 5;
      const project = makeProject(programmer({ timeout_s: timeoutS, circuit_breaker: { failures: 2, cool_down_s: coolDownS } }), { definition: 'definition.yaml' });
      definitionWith(project, (d) => {
        d.recovery.provider_down = { strategy: 'failover', max_attempts: 3 };
      });
      provider.workspace = project.workspace;
      provider.mode = { kind: 'status', status: 500 };
      const run = await runOffline(project, provider, RUN_ARGS, { env: setup.env, limitMs: 58_000 });
      const state = await stateOf(project, run.workflowId!);
      const attempts = state.runs.filter((r) => r.stepId === 'implement');
      expect(attempts.map((r) => r.status), shown(run)).toEqual(['failed', 'failed', 'failed', 'failed']);
      for (const attempt of attempts) {
        // Each attempt reached the provider and quotes its error; none was refused by the open circuit.
        expect(attempt.failure?.class, shown(run)).toBe('provider_down');
        expect(attempt.failure?.message, shown(run)).not.toMatch(/circuit|Not tried again/i);
        // Waiting for the probe stayed within the attempt's deadline.
        expect(Date.parse(attempt.completedAt!) - Date.parse(attempt.startedAt!), shown(run)).toBeLessThan(timeoutS * 1000);
      }
      // Each attempt after the circuit opened waited for its probe time instead of failing at once.
      const bursts = attempts.map((a) => provider.requests.filter((r) => r.receivedAt >= Date.parse(a.startedAt!) && r.receivedAt <= Date.parse(a.completedAt!)));
      expect(bursts.map((b) => b.length > 0), shown(run)).toEqual([true, true, true, true]);
      const gaps = bursts.slice(1).map((b, i) => b[0]!.receivedAt - bursts[i]!.at(-1)!.receivedAt);
      expect(gaps.slice(1).every((gap) => gap >= coolDownS * 1000), `${JSON.stringify(gaps)}\n${shown(run)}`).toBe(true);
      // Then a human is asked, with the provider's error rather than the breaker's.
      expect(state.status, shown(run)).toBe('waiting_for_human');
      expect(state.escalation?.message, shown(run)).not.toMatch(/circuit|Not tried again/i);
      expect(run.leftBehind).toEqual([]);
    }, 60_000);

    if (runs('inherit')) it('finds a login and a config file in the stand-in home with `home: inherit`', async () => {
      const home = tempFolder('converge-home-');
      const standIn = setup.standInHome(home);
      // No key from Converge: the login in the home is all the CLI has.
      const entry = programmer({ home: 'inherit', ...standIn.programmer });
      for (const [key, value] of Object.entries(entry)) if (value === null) delete entry[key];
      const project = makeProject(entry);
      provider.workspace = project.workspace;
      const run = await runOffline(project, provider, RUN_ARGS, { env: { HOME: home, ...standIn.env }, limitMs: 55_000 });
      const turns = provider.turns();
      expect(turns.length, shown(run)).toBeGreaterThan(0);
      for (const turn of turns) {
        const headers = JSON.stringify([turn.headers['authorization'], turn.headers['x-api-key'], turn.headers['x-goog-api-key']]);
        expect(headers, shown(run)).toContain(standIn.credential);
        expect(turn.model, shown(run)).toBe(standIn.model);
      }
      const state = await stateOf(project, run.workflowId!);
      expect(state.status, shown(run)).toBe('completed');
      expect(run.leftBehind).toEqual([]);
    }, 60_000);
  });
}
