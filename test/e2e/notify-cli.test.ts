/**
 * Notifications through the real CLI (issue 17, part 4 and part 6's 80 % warning): `converge run`
 * with scripted agents and a webhook target on a local receiver, a second notifier process
 * (`converge serve` on the same store) running beside it, and `converge notify test|list`.
 */
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { converge, copyFixture, spawnConverge } from './helpers/cli.js';
import { slackShapeProblems, startReceiver } from '../helpers/notify/webhook-receiver.js';
import type { Received, Receiver } from '../helpers/notify/webhook-receiver.js';

const SECRET = 'e2e-webhook-secret';
const env = { CONVERGE_WEBHOOK_SECRET: SECRET };

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

/** The fixture's converge.yaml with a notify: section added. */
function withNotify(dir: string, base: string, notify: string): string {
  const file = `converge-notify-${Date.now()}.yaml`;
  writeFileSync(join(dir, file), `${readFileSync(join(dir, base), 'utf8')}\npublic_url: https://converge.example.com\nnotify:\n${notify}`);
  return file;
}

const event = (r: Received) => String(r.headers['x-converge-event']);
const verifies = (r: Received) => r.headers['x-converge-signature'] === `sha256=${createHmac('sha256', SECRET).update(r.raw).digest('hex')}`;

async function gateWaiting(rx: Receiver, gate: string): Promise<Received> {
  await rx.waitFor((all) => all.some((r) => event(r) === 'gate.waiting' && r.status === 200 && (r.json.details as { gate: string }).gate === gate), 30_000);
  return rx.accepted().find((r) => event(r) === 'gate.waiting' && (r.json.details as { gate: string }).gate === gate)!;
}

describe('converge run with a webhook target', () => {
  it('delivers signed gate.waiting within 2 s of each gate, then workflow.completed, each delivery id once with two notifier processes', async () => {
    receiver = await startReceiver();
    const dir = copyFixture('crash');
    const config = withNotify(dir, 'converge.yaml', `  - { type: webhook, name: ops, url: "${receiver.url}/hook", secret_env: CONVERGE_WEBHOOK_SECRET }\n`);
    const args = ['--store', 'store.db', '--config', config];
    // The first gate's notification fails twice: retried until the receiver takes it.
    receiver.script([500, 500]);
    const run = spawnConverge([...args, '--json', 'run', 'Write the value file', '--workspace', 'project'], { cwd: dir, env });
    // A second process that notifies from the same store: serve with no worker of its own.
    const serve = spawnConverge([...args, '--json', 'serve', '--port', '0', '--no-auth', '--concurrency', '0'], { cwd: dir, env });
    try {
      const plan = await gateWaiting(receiver, 'plan_approval');
      expect(verifies(plan)).toBe(true);
      const id = (plan.json.workflow as { id: string }).id;
      expect(plan.json).toMatchObject({ event: 'gate.waiting', link: `https://converge.example.com/workflows/${id}`, answers: ['approve', 'reject', 'request_changes'] });
      expect(plan.json.needed).toContain('Approve or reject the plan at gate plan_approval');
      expect(plan.headers['x-converge-delivery']).toBe(plan.json.id);
      // The two 500s came first, with the same delivery id; the first attempt left within 2 s of the gate.
      const attempts = receiver.received.filter((r) => r.headers['x-converge-delivery'] === plan.json.id);
      expect(attempts.map((r) => r.status)).toEqual([500, 500, 200]);
      expect(attempts[0]!.at - Date.parse(String(plan.json.at))).toBeLessThan(2000);

      expect((await converge([...args, 'approve', id, '--as', 'alice'], { cwd: dir })).exitCode).toBe(0);
      const final = await gateWaiting(receiver, 'final_approval');
      expect(verifies(final)).toBe(true);
      expect(final.at - Date.parse(String(final.json.at))).toBeLessThan(2000);
      expect(final.json.needed).toContain('the code at gate final_approval');

      expect((await converge([...args, 'approve', id, '--as', 'alice'], { cwd: dir })).exitCode).toBe(0);
      const result = await run;
      expect(result.exitCode, String(result.stderr)).toBe(0);
      await receiver.waitFor((all) => all.some((r) => event(r) === 'workflow.completed' && r.status === 200));
      // Give the second process time to send anything twice, if it were going to.
      await new Promise((r) => setTimeout(r, 1500));
      const delivered = receiver.accepted().map((r) => String(r.headers['x-converge-delivery']));
      expect(delivered.length).toBe(new Set(delivered).size);
      expect(receiver.accepted().map(event).sort()).toEqual(['gate.waiting', 'gate.waiting', 'workflow.completed']);
      expect(receiver.received.every(verifies)).toBe(true);

      const list = await converge([...args, '--json', 'notify', 'list'], { cwd: dir });
      const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { status: string; event: string; attempts: number; target: string });
      expect(rows.map((r) => [r.event, r.status, r.target]).sort()).toEqual([['gate.waiting', 'delivered', 'ops'], ['gate.waiting', 'delivered', 'ops'], ['workflow.completed', 'delivered', 'ops']].sort());
      expect(rows.find((r) => r.attempts === 3)).toBeDefined();
      // Secrets stay out of the outbox: the rows hold the target's name, the payload no key.
      expect(list.stdout).not.toContain(SECRET);
    } finally {
      serve.kill('SIGTERM');
      run.kill('SIGTERM');
      await Promise.allSettled([serve, run]);
    }
  }, 120_000);

  it('refuses to start when secret_env names an unset variable, saying which, and doctor says so too', async () => {
    const dir = copyFixture('crash');
    const config = withNotify(dir, 'converge.yaml', '  - { type: webhook, name: ops, url: "http://127.0.0.1:9/hook", secret_env: CONVERGE_WEBHOOK_SECRET }\n');
    const result = await converge(['--store', 'store.db', '--config', config, 'run', 'Write the value file', '--workspace', 'project'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('"ops" signs with the secret in CONVERGE_WEBHOOK_SECRET, which is not set');
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    const doctor = await converge(['--store', 'store.db', '--config', config, '--json', 'doctor'], { cwd: dir });
    expect(doctor.exitCode).toBe(1);
    const items = doctor.stdout.trim().split('\n').map((l) => JSON.parse(l) as { check: string; status: string; message: string });
    expect(items.filter((i) => i.check === 'notify')).toEqual([expect.objectContaining({ status: 'fail', message: expect.stringContaining('CONVERGE_WEBHOOK_SECRET, which is not set') })]);
    const ready = await converge(['--store', 'store.db', '--config', config, '--json', 'doctor'], { cwd: dir, env });
    expect(ready.stdout).toContain('"check":"notify","status":"pass"');
  }, 60_000);
});

describe('budget notifications', () => {
  it('sends budget.warning when the spend crosses 80 % and budget.reached at the budget escalation, before run --no-wait exits', async () => {
    receiver = await startReceiver();
    const dir = copyFixture('crash');
    const config = withNotify(dir, 'converge-budget.yaml', `  - { type: webhook, url: "${receiver.url}", events: [budget.warning, budget.reached] }\n`);
    // The plan costs $0.05 (83 % of $0.06) and its review $0.01 more; the plan gate comes first.
    const args = ['--store', 'store.db', '--config', config];
    const first = await converge([...args, '--json', 'run', 'Write the value file', '--workspace', 'project', '--budget-usd', '0.06', '--no-wait'], { cwd: dir, env });
    expect(first.exitCode, first.stderr).toBe(3);
    expect(receiver.accepted().map(event)).toEqual(['budget.warning']);
    const warning = receiver.accepted()[0]!;
    expect(warning.json.details).toMatchObject({ limit: 'cost', max: 0.06 });
    expect(warning.json.needed).toContain('of its cost budget ($0.06 of $0.06)');
    const id = (warning.json.workflow as { id: string }).id;

    // Past the gate, the next agent would go over the budget: the workflow escalates, and says so.
    expect((await converge([...args, 'approve', id], { cwd: dir })).exitCode).toBe(0);
    const second = await converge([...args, 'resume', id, '--no-wait'], { cwd: dir, env });
    expect(second.exitCode, second.stderr).toBe(3);
    expect(receiver.accepted().map(event)).toEqual(['budget.warning', 'budget.reached']);
    const reached = receiver.accepted()[1]!;
    expect(reached.json.answers).toEqual(['raise_budget', 'accept', 'cancel']);
    expect(reached.json.details).toMatchObject({ reason: 'budget', budget: [{ limit: 'cost', max: 0.06, reached: true }] });
    expect(reached.headers['x-converge-signature']).toBeUndefined();
  }, 60_000);
});

describe('converge notify test', () => {
  it('sends a sample to each target and reports per target: delivered, or failed with the reason', async () => {
    receiver = await startReceiver();
    receiver.script([200, 404]);
    const dir = copyFixture('crash');
    const config = withNotify(
      dir,
      'converge.yaml',
      [
        `  - { type: webhook, name: ops, url: "${receiver.url}/ops", secret_env: CONVERGE_WEBHOOK_SECRET }`,
        `  - { type: slack, name: team, url: "${receiver.url}/slack" }`,
        `  - { type: command, name: script, command: ["${process.execPath}", "-e", "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>process.exit(JSON.parse(s).event==='gate.waiting'?0:1))"] }`,
        '',
      ].join('\n'),
    );
    const result = await converge(['--config', config, 'notify', 'test'], { cwd: dir, env });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('✓ ops (webhook): delivered — HTTP 200');
    expect(result.stdout).toContain('✗ team (slack): failed — HTTP 404');
    expect(result.stdout).toContain('✓ script (command): delivered — exit 0');
    expect(verifies(receiver.received[0]!)).toBe(true);
    expect(slackShapeProblems(receiver.received[1]!.json)).toEqual([]);

    const one = await converge(['--config', config, '--json', 'notify', 'test', '--target', 'team', '--event', 'workflow.failed'], { cwd: dir, env });
    expect(one.exitCode).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ target: 'team', type: 'slack', event: 'workflow.failed', delivered: true });

    const unknown = await converge(['--config', config, 'notify', 'test', '--target', 'teem'], { cwd: dir, env });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('There is no notify target "teem"');
  }, 60_000);
});
