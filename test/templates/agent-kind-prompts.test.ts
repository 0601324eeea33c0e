/**
 * The code steps' prompts by kind of agent (issue 16, part 1): an agent that edits the workspace
 * itself (a CLI agent, a host that says so) is told to edit the files there and which check
 * commands verify its work; an API agent is told to print file blocks. Custom templates choose
 * through the same `agent.edits_in_place` variable.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckSchema } from '../../src/core/profile-schema.js';
import type { WorkflowState } from '../../src/core/state.js';
import { promptAgentFor } from '../../src/engine/in-place.js';
import type { PromptAgent } from '../../src/engine/in-place.js';
import { promptInputs } from '../../src/engine/prompt-inputs.js';
import { createTemplateRenderer } from '../../src/templates/index.js';
import type { Agent } from '../../src/agents/agent.js';
import { Run, sevenStep } from '../core/helpers.js';

const STEP4 = 'step4_programmer_prompt_template.md';
const STEP6 = 'step6_code_refinement_programmer_prompt_template.md';

const CHECKS = [
  CheckSchema.parse({ id: 'typecheck', command: ['npx', 'tsc', '--noEmit'] }),
  CheckSchema.parse({ id: 'tests', name: 'unit tests', command: 'npm test -- --run', shell: true, cwd: 'packages/core' }),
  CheckSchema.parse({ id: 'lint', command: ['npx', 'eslint', '.'], required: false }),
];

function stateAt(stepId: 'implement' | 'refine_code'): WorkflowState {
  const run = new Run(sevenStep((doc) => (doc.checks = CHECKS)), { workspace: { path: '/repo', type: 'shared' } });
  run.schedule('plan').produce('plan', '# Implementation Plan: x\n\n## 1. Overview\nWrite src/a.ts.');
  run.schedule(stepId);
  return run.state();
}

async function render(template: string, stepId: 'implement' | 'refine_code', agent: PromptAgent): Promise<string> {
  const state = stateAt(stepId);
  return createTemplateRenderer().render(template, promptInputs(state.definition, state, state.runs.at(-1)!, '', agent));
}

const IN_PLACE: PromptAgent = { kind: 'command', edits_in_place: true };
const API: PromptAgent = { kind: 'api', edits_in_place: false };

describe.each([
  { template: STEP4, stepId: 'implement' as const },
  { template: STEP6, stepId: 'refine_code' as const },
])('the $template prompt', ({ template, stepId }) => {
  it('tells an agent that edits in place to edit the workspace and to verify with the check commands, without file blocks', async () => {
    const text = await render(template, stepId, IN_PLACE);
    const instructions = text.slice(text.indexOf('# Role: Programmer'));
    expect(instructions).toMatch(/(Edit|editing) the files in the workspace directly: Converge records every file you create, change or delete there/);
    expect(instructions).toContain('(root: `/repo`)');
    expect(instructions).toContain('Do not print file contents in your reply');
    expect(instructions).toContain('## Verify your work');
    expect(instructions).toContain('- `npx tsc --noEmit`: typecheck\n');
    expect(instructions).toContain('- `npm test -- --run` (in `packages/core`): unit tests\n');
    expect(instructions).toContain('- `npx eslint .`: lint (optional)\n');
    expect(instructions).not.toContain('# File: <path relative to the workspace root>');
    expect(instructions).not.toContain('written to the workspace exactly as you output them');
  });

  it('tells an API agent to print every file as a block, with no check commands to run', async () => {
    const text = await render(template, stepId, API);
    const instructions = text.slice(text.indexOf('# Role: Programmer'));
    expect(instructions).toContain('# File: <path relative to the workspace root>');
    expect(instructions).toContain("Output complete files, in the handbook's file block format.");
    expect(instructions).toContain('written to the workspace exactly as you output them');
    expect(instructions).not.toContain('## Verify your work');
    expect(instructions).not.toContain('npx tsc --noEmit');
    expect(instructions).not.toContain('Do not print file contents');
  });

  it('keeps the shared handbook and workflow inputs identical for both kinds, so providers still cache them', async () => {
    const state = stateAt(stepId);
    const renderer = createTemplateRenderer();
    const parts = await Promise.all(
      [IN_PLACE, API].map((agent) => renderer.renderParts(template, promptInputs(state.definition, state, state.runs.at(-1)!, '', agent))),
    );
    expect(parts[0]!.staticPart).toBe(parts[1]!.staticPart);
  });
});

describe('which agents edit in place', () => {
  const state = stateAt('implement');
  const step = state.definition.steps.find((s) => s.id === 'implement')!;
  const agent = (provider: string) => ({ kind: 'agent' as const, agent: { id: provider, provider, call: async () => ({ text: '' }) } as Agent });

  it('names a command agent in place, an API or scripted agent not', () => {
    expect(promptAgentFor(agent('command'), step, state.runs.at(-1))).toEqual({ kind: 'command', edits_in_place: true });
    expect(promptAgentFor(agent('anthropic'), step, state.runs.at(-1))).toEqual({ kind: 'api', edits_in_place: false });
    expect(promptAgentFor(agent('scripted'), step, state.runs.at(-1))).toEqual({ kind: 'scripted', edits_in_place: false });
  });

  it('names an external host in place only once its code step has a usable snapshot of the workspace', () => {
    const run = state.runs.at(-1)!;
    const host = { kind: 'external' as const, editsInPlace: true };
    expect(promptAgentFor(host, step, run)).toEqual({ kind: 'external', edits_in_place: false });
    expect(promptAgentFor(host, step, { ...run, snapshot: { method: 'git', commit: 'abc', ref: 'refs/converge/snapshots/x' } })).toEqual({ kind: 'external', edits_in_place: true });
    expect(promptAgentFor(host, step, { ...run, snapshot: { method: 'none', reason: 'too many files' } })).toEqual({ kind: 'external', edits_in_place: false });
    expect(promptAgentFor({ kind: 'external' }, step, { ...run, snapshot: { method: 'files', file: '/x.json' } })).toEqual({ kind: 'external', edits_in_place: false });
  });
});

describe('a custom template', () => {
  it('sees agent.edits_in_place, agent.kind and check_commands', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'converge-templates-'));
    writeFileSync(
      join(dir, STEP4),
      '{% if agent.edits_in_place %}EDIT IN PLACE ({{ agent.kind }}){% else %}PRINT BLOCKS ({{ agent.kind }}){% endif %}: {{ requirements }}\n' +
        '{% for check in check_commands %}[{{ check.id }}: {{ check.command }}]{% endfor %}\n',
    );
    const state = stateAt('implement');
    const renderer = createTemplateRenderer({ templatesDir: dir });
    const vars = (agent: PromptAgent) => promptInputs(state.definition, state, state.runs.at(-1)!, '', agent);
    expect(await renderer.render(STEP4, vars(IN_PLACE))).toBe(
      'EDIT IN PLACE (command): Create a new data preprocessing step for tabular data\n[typecheck: npx tsc --noEmit][tests: npm test -- --run][lint: npx eslint .]\n',
    );
    expect(await renderer.render(STEP4, vars({ kind: 'external', edits_in_place: false }))).toMatch(/^PRINT BLOCKS \(external\): /);
  });
});
