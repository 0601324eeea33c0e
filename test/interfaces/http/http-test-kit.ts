/**
 * An HTTP app over a memory store with the crash fixture's recorded agents, a token per role,
 * and helpers to call it in-process with `app.request()` — no socket.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createEngine } from '../../../src/engine/create-engine.js';
import type { Engine } from '../../../src/engine/create-engine.js';
import { startWorkflow } from '../../../src/engine/workflow-commands.js';
import { createApp } from '../../../src/interfaces/http/create-app.js';
import type { ConvergeApp } from '../../../src/interfaces/http/create-app.js';
import type { AppOptions } from '../../../src/interfaces/http/app-env.js';
import { createAudit } from '../../../src/ops/audit/index.js';
import type { Audit } from '../../../src/ops/audit/index.js';
import { createAuth, ROLES } from '../../../src/ops/auth/index.js';
import type { Auth, Role } from '../../../src/ops/auth/index.js';
import { MemoryAuditLog, MemoryTokenStore } from '../../../src/ops/memory/memory-ops-store.js';
import { createMetrics, observeEvents } from '../../../src/ops/metrics.js';
import type { ConvergeMetrics } from '../../../src/ops/metrics.js';
import { openStore } from '../../../src/store/index.js';
import { loadProjectConfig } from '../../../src/workflows/loader.js';

export const FIXTURE = resolve(import.meta.dirname, '..', '..', 'fixtures', 'crash');

export interface HttpKit {
  app: ConvergeApp;
  engine: Engine;
  auth: Auth;
  audit: Audit;
  auditLog: MemoryAuditLog;
  metrics: ConvergeMetrics;
  dir: string;
  tokens: Record<Role, string>;
  tokenIds: Record<Role, string>;
  request(method: string, path: string, options?: { role?: Role | 'none'; token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<Response>;
  json<T = any>(method: string, path: string, options?: Parameters<HttpKit['request']>[2]): Promise<{ status: number; body: T }>;
  /** Starts a workflow from the gates session and drives it to the plan gate. */
  workflowAtPlanGate(): Promise<string>;
  close(): Promise<void>;
}

export async function createHttpKit(options: { config?: string; app?: Partial<AppOptions> } = {}): Promise<HttpKit> {
  const dir = mkdtempSync(join(tmpdir(), 'converge-http-'));
  cpSync(FIXTURE, dir, { recursive: true });
  const loaded = loadProjectConfig(dir, options.config ?? 'converge-gates.yaml');
  const store = await openStore(':memory:');
  const metrics = createMetrics({ processMetrics: false });
  const engine = createEngine({ store, config: loaded.config, baseDir: loaded.baseDir, onEvents: (state, events) => observeEvents(metrics, state, events) });
  const auditLog = new MemoryAuditLog();
  const auth = createAuth({ tokens: new MemoryTokenStore() });
  const audit = createAudit(auditLog);
  const tokens = {} as Record<Role, string>;
  const tokenIds = {} as Record<Role, string>;
  for (const role of ROLES) {
    const issued = await auth.issue({ role, name: `${role}-user` });
    tokens[role] = issued.secret;
    tokenIds[role] = issued.record.id;
  }
  const app = createApp({ engine, auth, audit, metrics, workspaceRoot: dir, ssePollMs: 20, ...options.app });

  const request: HttpKit['request'] = (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    const token = o.token ?? (o.role === 'none' ? undefined : tokens[o.role ?? 'admin']);
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = o.raw;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    return Promise.resolve(app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) }));
  };

  return {
    app,
    engine,
    auth,
    audit,
    auditLog,
    metrics,
    dir,
    tokens,
    tokenIds,
    request,
    async json(method, path, o) {
      const res = await request(method, path, o);
      return { status: res.status, body: (await res.json()) as any };
    },
    async workflowAtPlanGate() {
      const state = await startWorkflow(store, engine.clock, {
        definition: engine.definition,
        requirements: 'Write the value file',
        workspace: { path: join(dir, 'project'), type: 'shared' },
        profile: engine.profile.id,
      });
      const outcome = await engine.runner.run(state.workflowId, { waitForHumans: false });
      if (outcome.waitingFor !== 'gate:plan_approval') throw new Error(`expected the plan gate, got ${outcome.waitingFor}`);
      return state.workflowId;
    },
    close: () => store.close(),
  };
}
