/** The hash-chained audit trail. */
export { createAudit } from './audit-trail.js';
export type { Audit, AuditRecordInput } from './audit-trail.js';
export { ChainVerifier, GENESIS_HASH, canonicalJson, rowHash, sealRow } from './audit-chain.js';
export type { AuditProblem, AuditVerification } from './audit-chain.js';
