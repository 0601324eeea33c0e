/**
 * Deterministic checks (L2): run a definition's commands in the workspace — sandboxed, with a
 * scrubbed environment, a timeout and an output cap — and normalise their results into `ToolResult`s.
 */
export { runCheck, runChecks, checkApplies } from './check-runner.js';
export type { CheckProgress, RunCheckOptions } from './check-runner.js';
export { buildCheckEnv } from './check-env.js';
export type { CheckEnvOptions } from './check-env.js';
export {
  isReportParseError,
  parseCheckReport,
  parseCobertura,
  parseIstanbulSummary,
  parseJunit,
  parseLcov,
  parseSarif,
  parseTap,
  ReportParseError,
} from './parsers/index.js';
export type { ParsedReport, ParseReportOptions, ReportCounts, ReportFormat } from './parsers/index.js';
