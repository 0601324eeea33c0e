/**
 * The four roles of Converge, in order: each can do everything the one before it can.
 * viewer reads; operator starts, resumes, cancels, forks and runs checks; approver also answers
 * gates and escalations; admin also manages tokens and reads the audit log.
 */
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when `role` is `needed` or above it. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** What each role adds, for help texts and the token list. */
export const ROLE_DESCRIPTIONS: Readonly<Record<Role, string>> = Object.freeze({
  viewer: 'reads workflows, events, artifacts, metrics',
  operator: 'viewer + starts, resumes, pauses, cancels and forks workflows, runs checks, submits step results',
  approver: 'operator + answers approvals and escalations',
  admin: 'approver + manages tokens and reads the audit log',
});
