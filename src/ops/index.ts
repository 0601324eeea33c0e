/** Operations: access control, the audit trail, notifications, metrics and logs. */
export * from './auth/index.js';
export * from './audit/index.js';
export type { AuditAppend, AuditAppendContext, AuditCheckpoint, AuditEntry, AuditHashAlg, AuditKeySource, AuditLog, AuditRow } from './audit-log.js';
export type { TokenKind, TokenRecord, TokenStore } from './token-store.js';
export type { OpsStore } from './ops-store.js';
export * from './notify/index.js';
export { openOpsStore } from './open-ops-store.js';
export type { OpenOpsStoreOptions } from './open-ops-store.js';
export { MemoryAuditLog, MemoryTokenStore, openMemoryOpsStore } from './memory/memory-ops-store.js';
export { SqliteOpsStore } from './sqlite/sqlite-ops-store.js';
export { PostgresOpsStore } from './postgres/postgres-ops-store.js';
export type { PostgresOpsStoreConfig } from './postgres/postgres-ops-store.js';
export { createMetrics, metricsExposition, observeEvents } from './metrics.js';
export type { ConvergeMetrics, MetricsOptions } from './metrics.js';
export { createLogger, silentLogger } from './logger.js';
export type { Logger } from './logger.js';
