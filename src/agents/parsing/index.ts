/**
 * Parsers for agent output. Agent output is untrusted text: every parser either returns a
 * normalised record or throws ConvergeError AGENT_FAILED with `details.failureClass: 'invalid_output'`.
 */
export { parseValidationReport, REPORT_FORMAT_EXAMPLE } from './report-parser.js';
export type { FalsePositiveClaim, ParsedValidationReport, ReportParseOptions, ScoreReading } from './report-parser.js';
export { dimensionForLabel, overallFromText, severityFromWord } from './report-labels.js';
export type { LabelTable } from './report-labels.js';
export { mergeRestatedIssues } from './report-dedup.js';
export { parseFileBlocks, FILE_BLOCKS_FORMAT_EXAMPLE } from './file-blocks-parser.js';
export { parsePlan, MIN_PLAN_CHARS } from './plan-parser.js';
export type { ParsedPlan } from './plan-parser.js';
export { assertComplete, truncationOf } from './truncation.js';
