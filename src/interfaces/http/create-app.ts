/**
 * The HTTP app: REST API, SSE streams, dashboard, /metrics, health and the OpenAPI document,
 * as one Hono app. Tests drive it with `app.request()`; `serve-http.ts` puts it on a socket.
 *
 * Order of the middleware: request id → security headers → metrics timer → request log → (host
 * check when auth is off) → authenticate → body limit → audit trail → route (role check, handler).
 * Authentication comes before the body limit so a caller without a token is refused before any
 * of its body is read.
 */
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { silentLogger } from '../../ops/index.js';
import type { AppDeps, AppEnv, AppOptions } from './app-env.js';
import { WorkflowAccess } from '../shared/workflow-access.js';
import { bodyLimitFor } from '../shared/text-limits.js';
import { errorHandler } from './http-errors.js';
import { auditTrail } from './middleware/audit-trail/index.js';
import { authenticate } from './middleware/authenticate/index.js';
import { bodyLimit } from './middleware/body-limit/index.js';
import { hostCheck } from './middleware/host-check/index.js';
import { requestLog } from './middleware/request-log/index.js';
import { requestMetrics } from './middleware/request-metrics/index.js';
import { requireRole } from './middleware/require-role/index.js';
import { registerApprovalRoutes } from './routes/approvals.js';
import { registerArtifactRoutes } from './routes/artifacts.js';
import { registerCheckRoutes } from './routes/checks.js';
import { registerDashboardRoutes } from './routes/dashboard.js';
import { registerKnowledgeRoutes } from './routes/knowledge.js';
import { registerNotificationRoutes } from './routes/notifications.js';
import { registerReviewRoutes } from './routes/review.js';
import { registerStreamRoutes } from './routes/stream.js';
import { registerSystemRoutes } from './routes/system.js';
import { registerTokenRoutes } from './routes/tokens.js';
import { registerWorkflowActionRoutes } from './routes/workflow-actions.js';
import { registerWorkflowRoutes } from './routes/workflows.js';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Live SSE streams per token: a few dashboard tabs, not a leak. */
export const DEFAULT_SSE_MAX_STREAMS_PER_TOKEN = 8;
/** Live SSE streams in all: each one polls the store. */
export const DEFAULT_SSE_MAX_STREAMS = 200;
/** MCP step results carry whole files; they get more room than the REST API. */
const MCP_BODY_LIMIT = 8 * 1024 * 1024;

export type ConvergeApp = Hono<AppEnv>;

export function createApp(options: AppOptions): ConvergeApp {
  const workspaceRoot = options.workspaceRoot ?? process.cwd();
  const log = options.log ?? silentLogger;
  const deps: AppDeps = {
    ...options,
    workspaceRoot,
    access: new WorkflowAccess({
      store: options.engine.store,
      clock: options.engine.clock,
      engine: options.engine,
      audit: options.audit,
      workspaceRoot,
      definitionRoots: [workspaceRoot],
      onAuditError: (error) => log.error({ err: error instanceof Error ? error.message : String(error) }, 'audit record failed'),
    }),
    documentation: options.documentation ?? [],
    ssePollMs: options.ssePollMs ?? 300,
    sseKeepAliveMs: options.sseKeepAliveMs ?? 15_000,
    sseMaxStreams: options.sseMaxStreams ?? DEFAULT_SSE_MAX_STREAMS,
    sseMaxStreamsPerToken: options.sseMaxStreamsPerToken ?? DEFAULT_SSE_MAX_STREAMS_PER_TOKEN,
    log,
  };
  const app = new Hono<AppEnv>();
  const tooLarge = (limit: number) => bodyLimit({ maxSize: limit, hint: 'Send less at once (a step result can be split into files).' });

  app.onError(errorHandler(deps.log));
  app.notFound((c) => c.json({ code: 'NOT_FOUND', message: `Nothing is served at ${c.req.path}.`, hint: 'The API is described at /openapi.json; the dashboard is at /.' }, 404));
  app.use('*', requestId());
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      crossOriginResourcePolicy: 'same-origin',
    }),
  );
  app.use('*', requestMetrics(deps.metrics));
  app.use('/api/*', requestLog(deps.log));
  if (!deps.auth.enabled) app.use('*', hostCheck(deps.allowedHosts));

  const authenticated = authenticate({ auth: deps.auth, audit: deps.audit });
  app.use('/api/*', authenticated, tooLarge(options.bodyLimitBytes ?? bodyLimitFor(options.engine.config.limits, DEFAULT_BODY_LIMIT)), auditTrail(deps.audit, deps.log));
  app.use('/login', tooLarge(16 * 1024));

  registerWorkflowRoutes(app, deps);
  registerWorkflowActionRoutes(app, deps);
  registerApprovalRoutes(app, deps);
  registerArtifactRoutes(app, deps);
  registerReviewRoutes(app, deps);
  registerCheckRoutes(app, deps);
  registerKnowledgeRoutes(app, deps);
  registerTokenRoutes(app, deps);
  registerNotificationRoutes(app, deps);
  registerStreamRoutes(app, deps);
  registerSystemRoutes(app, deps, authenticated);
  registerDashboardRoutes(app, deps);

  if (options.mcp !== undefined) {
    const mcp = options.mcp;
    // Each tool checks the caller's role and writes its own audit row in the shared access layer;
    // auditing every JSON-RPC post would drown them. Reading needs a valid token at all.
    app.use('/mcp', authenticated, requireRole('viewer', deps.audit), tooLarge(bodyLimitFor(options.engine.config.limits, MCP_BODY_LIMIT)));
    app.all('/mcp', (c) => mcp.fetch(c.req.raw, c.var.principal));
  }
  return app;
}
