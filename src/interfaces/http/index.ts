/** The HTTP interface: REST API, SSE, dashboard, /metrics and health, as a Hono app. */
export { createApp, DEFAULT_BODY_LIMIT } from './create-app.js';
export type { ConvergeApp } from './create-app.js';
export type { AppOptions, FetchHandler } from './app-env.js';
export { isLoopbackHost, startHttpServer } from './serve-http.js';
export type { HttpServerOptions, RunningHttpServer } from './serve-http.js';
export { openApiDocument, documentedRoutes } from './openapi.js';
export { createMcpMount } from './mcp-mount.js';
export type { McpMount } from './mcp-mount.js';
