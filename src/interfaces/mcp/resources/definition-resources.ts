/**
 * Store-wide resources: the convergence criteria of the configured definition (rubrics,
 * caps, gates, stall rule, checks) and the prompt templates.
 */
import { ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { McpContext } from '../mcp-context.js';
import { json, reading, text, variable } from './resource-helpers.js';
import { uris } from './resource-uris.js';

export function registerDefinitionResources(ctx: McpContext): void {
  const { server, engine } = ctx;

  server.registerResource(
    'criteria',
    uris.criteria,
    {
      title: 'Convergence criteria',
      description: 'Rubrics (score thresholds and weights, issue limits, coverage, required checks), loop caps, gates, stall rule and checks of the configured workflow definition.',
      mimeType: 'application/json',
    },
    async (uri) => {
      const def = engine.definition;
      return json(uri, {
        definition: def.id,
        version: def.version,
        rubrics: def.rubrics,
        validate_steps: def.steps.filter((s) => s.kind === 'validate').map((s) => ({ step: s.number, id: s.id, rubric: s.rubric, loop: s.loop, gate: s.gate, runs_checks: s.run_checks })),
        loops: def.loops,
        gates: def.gates,
        stall: def.stall,
        checks: def.checks.map((c) => ({ id: c.id, command: c.command, required: c.required })),
        note: 'A missing score never counts as met. Reaching a loop cap or a stall escalates to a human; it is not a failure.',
      });
    },
  );

  server.registerResource(
    'template',
    new ResourceTemplate('converge://templates/{name}', {
      list: async () => ({
        resources: (await engine.executor.templates.list()).map((name) => ({ uri: uris.template(name), name, mimeType: 'text/markdown' })),
      }),
      complete: { name: async (prefix) => (await engine.executor.templates.list()).filter((n) => n.startsWith(prefix)) },
    }),
    { title: 'Prompt template', description: 'The source of a step prompt template (Liquid and seed-style [INJECT … HERE] markers).', mimeType: 'text/markdown' },
    (uri, vars) => reading(uri, async () => text(uri, (await engine.executor.templates.source(variable(vars, 'name'))).text)),
  );
}
