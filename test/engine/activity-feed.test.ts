/**
 * The activity feed between the engine's progress listener and live watchers (issue 16, part 9):
 * per workflow, only while watched, and rate-limited so a chatty CLI cannot flood a stream.
 */
import { describe, expect, it } from 'vitest';
import { ActivityFeed } from '../../src/engine/activity-feed.js';
import type { ActivityItem } from '../../src/engine/activity-feed.js';
import type { StepProgress } from '../../src/engine/step-progress.js';

const said = (workflowId: string, text: string): StepProgress => ({ kind: 'agent_activity', workflowId, actionId: `${workflowId}.5`, stepNumber: 4, role: 'programmer', text });

describe('ActivityFeed', () => {
  it("gives each watcher its own workflow's items, with the step and the time", () => {
    let now = Date.parse('2026-12-06T10:00:00.000Z');
    const feed = new ActivityFeed({ now: () => now });
    const seen: ActivityItem[] = [];
    const stop = feed.watch('wf-a', (item) => seen.push(item));
    feed.listener(said('wf-a', 'running `npm test`'));
    feed.listener(said('wf-b', 'not for this watcher'));
    feed.listener({ kind: 'check_finished', workflowId: 'wf-a', actionId: 'wf-a.6', stepNumber: 5, check: 'tsc', index: 0, total: 2, status: 'passed', durationMs: 1234 });
    stop();
    now += 1000;
    feed.listener(said('wf-a', 'after the watcher left'));
    expect(seen).toEqual([
      { workflow_id: 'wf-a', step: 4, action_id: 'wf-a.5', at: '2026-12-06T10:00:00.000Z', kind: 'agent', role: 'programmer', text: 'running `npm test`' },
      { workflow_id: 'wf-a', step: 5, action_id: 'wf-a.6', at: '2026-12-06T10:00:00.000Z', kind: 'check_finished', text: 'check tsc passed in 1.2 s (1/2)' },
    ]);
  });

  it('drops items past the burst and the rate, and says how many the next delivered item skipped', () => {
    let now = 0;
    const feed = new ActivityFeed({ burst: 3, ratePerSecond: 2, now: () => now });
    const seen: ActivityItem[] = [];
    feed.watch('wf-a', (item) => seen.push(item));
    for (let i = 1; i <= 10; i++) feed.listener(said('wf-a', `event ${i}`));
    expect(seen.map((s) => s.text)).toEqual(['event 1', 'event 2', 'event 3']);
    now += 500; // one more token
    feed.listener(said('wf-a', 'event 11'));
    feed.listener(said('wf-a', 'event 12'));
    expect(seen.slice(3)).toEqual([expect.objectContaining({ text: 'event 11', skipped: 7 })]);
    now += 500;
    feed.listener(said('wf-a', 'event 13'));
    expect(seen.at(-1)).toMatchObject({ text: 'event 13', skipped: 1 });
  });

  it('keeps delivering to the other watchers when one throws', () => {
    const feed = new ActivityFeed();
    const seen: string[] = [];
    feed.watch('wf-a', () => {
      throw new Error('closed stream');
    });
    feed.watch('wf-a', (item) => seen.push(item.text));
    feed.listener(said('wf-a', 'still told'));
    expect(seen).toEqual(['still told']);
  });
});
