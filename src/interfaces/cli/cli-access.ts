/**
 * The CLI's side of the shared access layer. Whoever runs `converge` here can open the store
 * directly, so the local user acts as admin and no workspace root applies; what the layer adds is
 * the same validation and one audit row per start, answer, cancel and fork, as over HTTP and MCP.
 */
import type { Engine } from '../../engine/create-engine.js';
import { systemClock } from '../../engine/clock.js';
import type { Store } from '../../store/store.js';
import { WorkflowAccess } from '../shared/workflow-access.js';
import type { Caller } from '../shared/workflow-access.js';
import { cliActor } from './cli-context.js';
import type { GlobalOptions } from './cli-context.js';
import { auditFromCli } from './commands/serve-commands.js';

export function cliCaller(name?: string): Caller {
  return { name: cliActor(name).id, role: 'admin', via: 'cli' };
}

export function cliAccess(store: Store, options: GlobalOptions, engine?: Engine): WorkflowAccess {
  return new WorkflowAccess({
    store,
    clock: engine?.clock ?? systemClock,
    ...(engine !== undefined ? { engine } : {}),
    // auditFromCli opens the audit table beside the store for each row and warns instead of failing.
    audit: { record: (entry) => auditFromCli(store, options, entry) },
  });
}
