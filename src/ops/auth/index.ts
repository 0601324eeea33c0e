/** Tokens and roles: who may call the HTTP API, the dashboard and /metrics. */
export { ROLES, ROLE_DESCRIPTIONS, isRole, roleAtLeast } from './roles.js';
export type { Role } from './roles.js';
export { createAuth, LOCAL_PRINCIPAL } from './auth-service.js';
export type { Auth, AuthOptions, IssueInput, IssuedToken, Principal } from './auth-service.js';
export { TOKEN_PREFIX, hashTokenSecret, looksLikeTokenSecret } from './token-secrets.js';
