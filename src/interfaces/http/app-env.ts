/**
 * What the HTTP app is built from and what each request carries through the middleware.
 */
import type { Engine } from '../../engine/create-engine.js';
import type { ActivityFeed } from '../../engine/activity-feed.js';
import type { WorkflowAccess } from '../shared/workflow-access.js';
import type { Audit, Auth, ConvergeMetrics, Logger, Outbox, Principal } from '../../ops/index.js';

export interface AuditNote {
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
  /** The access layer wrote the row itself (with the outcome); the audit middleware writes none. */
  recorded?: boolean;
}

export interface AppVariables {
  principal: Principal;
  requestId: string;
  /** Set by a route to name what a state-changing request did; the audit middleware writes it. */
  auditNote: AuditNote | undefined;
  /** How the caller authenticated: a bearer header, the dashboard cookie, or nothing (no-auth). */
  credential: 'bearer' | 'cookie' | 'none';
}

export type AppEnv = { Variables: AppVariables };

/** Something that answers web-standard requests for an authenticated caller, e.g. MCP over Streamable HTTP. */
export interface FetchHandler {
  fetch(request: Request, principal: Principal): Promise<Response>;
}

export interface AppOptions {
  engine: Engine;
  auth: Auth;
  audit: Audit;
  metrics: ConvergeMetrics;
  /** Workspaces of workflows started over HTTP must lie inside this folder (default: the working directory). */
  workspaceRoot?: string;
  /** Documentation globs searched by /api/knowledge/search when no workflow is named. */
  documentation?: string[];
  /** Serve /metrics without a token (for a scraper inside a trusted network). */
  metricsPublic?: boolean;
  /** Largest accepted request body (default 1 MiB). */
  bodyLimitBytes?: number;
  /** How often an SSE stream polls the store (default 300 ms). */
  ssePollMs?: number;
  /** Keep-alive comment interval of SSE streams (default 15 s). */
  sseKeepAliveMs?: number;
  /** Live SSE streams the server keeps open in all (default 200); more get a 429. */
  sseMaxStreams?: number;
  /** Live SSE streams one token (or dashboard session) may hold (default 8); more get a 429. */
  sseMaxStreamsPerToken?: number;
  log?: Logger;
  /** Mounted at /mcp when given; callers need the approver role. */
  mcp?: FetchHandler;
  /** Extra readiness check, e.g. the token store (the workflow store is always checked). */
  ready?: () => Promise<void>;
  /** Hosts accepted in the Host header when authentication is off (default: loopback names). */
  allowedHosts?: string[];
  /**
   * Live activity of the steps the engine's in-process worker runs (its `onProgress` feeds it),
   * sent on a workflow's stream as `activity` events; absent, streams carry none.
   */
  activity?: ActivityFeed;
  /** The notification outbox, listed at /api/notifications (empty without it). */
  outbox?: Outbox;
}

/** The options with defaults filled in, as routes see them. */
export interface AppDeps extends AppOptions {
  workspaceRoot: string;
  /** The access rules every interface shares: roles, workspace root, definition sources, audit rows. */
  access: WorkflowAccess;
  documentation: string[];
  ssePollMs: number;
  sseKeepAliveMs: number;
  sseMaxStreams: number;
  sseMaxStreamsPerToken: number;
  log: Logger;
}
