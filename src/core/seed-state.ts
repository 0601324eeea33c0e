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
 * Every field of the schema is written under the schema's own name: the error record's
 * `error_type`, `error_message`, `error_details` {agent, step, template, timeout_duration (s),
 * partial_output}, `recovery_attempts`, `recovery_strategies`; the per-gate `plan_approved`,
 * `plan_approval_timestamp`, `plan_approver` (and code_, final_); `convergence_criteria`;
 * `artifacts.generated_code` {builder, config, spec, contract, script}; `metrics`. What Converge
 * does not keep (project_name, file_locations, special_requirements, constraints, partial_output)
 * is null or empty. Exports written before these names (error_info.type, `plan_approval: {…}`,
 * generated_code as a list) are still read.
 *
 * Fields the seed does not have are added with plain names (`converge_status`, `paused`,
 * `pending_approval`, `escalations`, `step_id`, `generated_code.files`, …) so that an export can be
 * read back exactly.
 */
export * from './seed-state-shape.js';
export { toSeedState } from './seed-state-export.js';
export { approvalTypeOf } from './seed-state-lookups.js';
export { SeedStateInputSchema, SeedExampleInputSchema } from './seed-state-input.js';
export type { SeedStateInput } from './seed-state-input.js';
export { fromSeedState } from './seed-state-import.js';
export { waitingRationale } from './seed-state-waiting.js';
export type { Waiting } from './seed-state-waiting.js';
