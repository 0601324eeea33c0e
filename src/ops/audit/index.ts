/** The HMAC-chained audit trail, its key and its head checkpoint. */
export { createAudit } from './audit-trail.js';
export type { Audit, AuditRecordInput, AuditVerifyOptions } from './audit-trail.js';
export { CHECKPOINT_RESET_ACTION, ChainVerifier, GENESIS_HASH, canonicalJson, rowHash, rowMac, sealRow } from './audit-chain.js';
export type { AuditProblem, AuditVerification, ChainVerifierOptions } from './audit-chain.js';
export { AUDIT_KEY_ENV, auditKeyFile, processAuditKey } from './audit-key.js';
export { checkpointValid, signCheckpoint } from './audit-checkpoint.js';
