/**
 * The seed's workflow state document (`workflow_state_schema.md`, digest §1.B.1), both ways.
 *
 * - `toSeedState(state)` projects our state onto the seed's shape (`converge export --format seed-state`).
 * - `fromSeedState(json, definition)` reads a seed state — possibly partial, possibly one of the seed's
 *   three example inputs — and rebuilds a WorkflowState for `converge decide`. It never builds the
 *   state directly: it synthesises the equivalent event list and folds it with `reduce`, so the
 *   reducer stays the only authority.
 *
 * Status mapping (the seed has initialized|running|paused|completed|failed|cancelled; our exact
 * status is always kept in `converge_status`):
 * - running → `initialized` before the first step is scheduled, else `running`;
 * - waiting_for_human → `paused` (the seed pauses while a human approves), and so does a paused run;
 * - rejected → `cancelled`: a human stopped the workflow at a gate, nothing failed (our `failed`
 *   means an unrecoverable error only);
 * - completed, failed, cancelled → the same word.
 *
 * Fields the seed does not have are added with plain names (`converge_status`, `paused`,
 * `pending_approval`, `escalations`, `step_id`, …) so that an export can be read back exactly.
 */
export * from './seed-state-shape.js';
export { toSeedState, approvalTypeOf } from './seed-state-export.js';
export { SeedStateInputSchema, SeedExampleInputSchema } from './seed-state-input.js';
export type { SeedStateInput } from './seed-state-input.js';
export { fromSeedState } from './seed-state-import.js';
