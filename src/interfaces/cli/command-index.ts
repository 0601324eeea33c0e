/**
 * Every top-level command of `converge`: the module(s) under commands/ that register it and the
 * line `converge --help` shows for it. main.ts reads this to load only the command a run names.
 * Generated from program.ts, and held to it, by test/interfaces/cli/command-index.test.ts
 * (`UPDATE_COMMAND_INDEX=1 npx vitest run test/interfaces/cli/command-index.test.ts` rewrites it).
 */
export interface IndexedCommand {
  name: string;
  aliases: readonly string[];
  /** The command's name, alias, `[options]` and arguments, as the command list shows them. */
  term: string;
  description: string;
  hidden: boolean;
  /** [file under commands/, its register function], in the order program.ts calls them. */
  modules: ReadonlyArray<readonly [string, string]>;
}

export const COMMAND_INDEX: readonly IndexedCommand[] = [
  {"name":"run","aliases":[],"term":"run [options] <requirements>","description":"start a workflow from requirements and drive it to the end (waits at gates unless --no-wait)","hidden":false,"modules":[["run-commands","registerRunCommands"]]},
  {"name":"start","aliases":[],"term":"start [options] <requirements>","description":"record a new workflow and print its id; `converge resume ID` (or a worker) runs it","hidden":false,"modules":[["run-commands","registerRunCommands"]]},
  {"name":"resume","aliases":[],"term":"resume [options] <id>","description":"continue a workflow from its log (after a crash, an approval, or `start`)","hidden":false,"modules":[["run-commands","registerRunCommands"]]},
  {"name":"demo","aliases":[],"term":"demo [options]","description":"run the full seven-step workflow on a small TypeScript project with recorded agents and real checks","hidden":false,"modules":[["demo-command","registerDemoCommand"]]},
  {"name":"approve","aliases":[],"term":"approve [options] <id>","description":"approve the gate a workflow is waiting at","hidden":false,"modules":[["human-commands","registerHumanCommands"]]},
  {"name":"reject","aliases":[],"term":"reject [options] <id>","description":"reject the gate a workflow is waiting at; the workflow ends as rejected","hidden":false,"modules":[["human-commands","registerHumanCommands"]]},
  {"name":"request-changes","aliases":[],"term":"request-changes [options] <id>","description":"send the workflow back to revise (plan gate → step 3, code gates → step 6) with change requests","hidden":false,"modules":[["human-commands","registerHumanCommands"]]},
  {"name":"answer","aliases":[],"term":"answer [options] <id>","description":"answer an escalation (a cap reached, a stall, repeated failures, or the budget reached)","hidden":false,"modules":[["human-commands","registerHumanCommands"]]},
  {"name":"submit","aliases":[],"term":"submit [options] <id>","description":"submit the result of a step run by an external agent (plan, report or code as markdown)","hidden":false,"modules":[["human-commands","registerHumanCommands"]]},
  {"name":"cancel","aliases":[],"term":"cancel [options] <id>","description":"cancel a workflow (a running step is stopped)","hidden":false,"modules":[["human-commands","registerHumanCommands"]]},
  {"name":"pause","aliases":[],"term":"pause <id>","description":"pause a workflow after its current step","hidden":false,"modules":[["human-commands","registerHumanCommands"]]},
  {"name":"unpause","aliases":[],"term":"unpause <id>","description":"let a paused workflow continue (then `converge resume ID`)","hidden":false,"modules":[["human-commands","registerHumanCommands"]]},
  {"name":"status","aliases":[],"term":"status <id>","description":"one line: status, phase, step and what the workflow waits for","hidden":false,"modules":[["inspect-commands","registerInspectCommands"]]},
  {"name":"list","aliases":[],"term":"list [options]","description":"workflows in the store, newest first","hidden":false,"modules":[["inspect-commands","registerInspectCommands"]]},
  {"name":"show","aliases":[],"term":"show [options] <id>","description":"steps, rounds with scores against thresholds, checks, approvals, tokens and cost; with --step N, that step's trace","hidden":false,"modules":[["inspect-commands","registerInspectCommands"]]},
  {"name":"next","aliases":[],"term":"next [options] <id>","description":"what the workflow needs from you now: the prompt file(s) of a step waiting for its result and the submit command, or the approval/escalation it waits for","hidden":false,"modules":[["inspect-commands","registerInspectCommands"]]},
  {"name":"report","aliases":[],"term":"report [options] <id>","description":"the merged validation report of a round (scores, issues by severity, checks, coverage) as markdown or JSON","hidden":false,"modules":[["inspect-commands","registerInspectCommands"]]},
  {"name":"diff","aliases":[],"term":"diff [options] <id>","description":"what changed in an artifact between two versions (plan text, or the code files)","hidden":false,"modules":[["inspect-commands","registerInspectCommands"]]},
  {"name":"history","aliases":[],"term":"history <id>","description":"every event of the workflow log, in order","hidden":false,"modules":[["inspect-commands","registerInspectCommands"]]},
  {"name":"export","aliases":[],"term":"export [options] <id>","description":"export a workflow: the seed's state schema (seed-state) or the raw event log (events)","hidden":false,"modules":[["inspect-commands","registerInspectCommands"]]},
  {"name":"fork","aliases":[],"term":"fork [options] <id>","description":"a new workflow with the same history up to step N, which then runs again from there","hidden":false,"modules":[["inspect-commands","registerInspectCommands"]]},
  {"name":"review","aliases":[],"term":"review <id>","description":"the review at the gate: the change against the base (code) or the previous plan, issues by severity with file:line, reviews, each check's failures and output tail, scores","hidden":false,"modules":[["review-commands","registerReviewCommands"]]},
  {"name":"edit","aliases":[],"term":"edit [options] <id>","description":"record your own version at the pending gate, before approving: the plan (--plan FILE) or a workspace file (--file PATH --from FILE); the gate keeps waiting","hidden":false,"modules":[["review-commands","registerReviewCommands"]]},
  {"name":"decide","aliases":[],"term":"decide [options] [file]","description":"read a workflow state in the seed's state schema (file or stdin) and print the next decision as JSON","hidden":false,"modules":[["tool-commands","registerToolCommands"]]},
  {"name":"schema","aliases":[],"term":"schema [options]","description":"print the JSON Schema of workflow definitions (or of profiles / converge.yaml)","hidden":false,"modules":[["tool-commands","registerToolCommands"]]},
  {"name":"init","aliases":[],"term":"init [options]","description":"write a commented converge.yaml in the project's root (the git repository's top folder, or here)","hidden":false,"modules":[["tool-commands","registerToolCommands"]]},
  {"name":"worker","aliases":[],"term":"worker [options]","description":"drive every runnable workflow of the store, several at once (Ctrl-C stops after the current steps)","hidden":false,"modules":[["worker-command","registerWorkerCommand"]]},
  {"name":"migrate","aliases":[],"term":"migrate","description":"bring the store's schema (and, on PostgreSQL, the work queue and provider slots) up to date, and show each step","hidden":false,"modules":[["scale-commands","registerScaleCommands"]]},
  {"name":"store","aliases":[],"term":"store","description":"operations on whole stores","hidden":false,"modules":[["scale-commands","registerScaleCommands"],["store-commands","registerStoreCommands"]]},
  {"name":"kb","aliases":[],"term":"kb","description":"the knowledge base: the documentation agents get, selected within a token budget","hidden":false,"modules":[["kb-command","registerKbCommand"]]},
  {"name":"checks","aliases":[],"term":"checks","description":"run or list the deterministic checks (tsc, tests, linters…) a validate step runs","hidden":false,"modules":[["checks-command","registerChecksCommand"]]},
  {"name":"mcp","aliases":[],"term":"mcp [options]","description":"serve Converge over MCP on stdio (for Claude Code, Cursor, VS Code …); stdout carries the protocol, logs go to stderr","hidden":false,"modules":[["mcp-command","registerMcpCommand"]]},
  {"name":"serve-mcp","aliases":[],"term":"serve-mcp [options]","description":"serve Converge over MCP Streamable HTTP at /mcp (bearer token required unless --no-auth on 127.0.0.1)","hidden":false,"modules":[["mcp-command","registerMcpCommand"]]},
  {"name":"serve","aliases":[],"term":"serve [options]","description":"serve the HTTP API, the dashboard, /metrics and health, with a worker that drives workflows","hidden":false,"modules":[["serve-commands","registerServeCommands"]]},
  {"name":"token","aliases":[],"term":"token","description":"API tokens: create (printed once), list, revoke","hidden":false,"modules":[["serve-commands","registerServeCommands"]]},
  {"name":"audit","aliases":[],"term":"audit","description":"the HMAC-chained audit trail: verify, export","hidden":false,"modules":[["serve-commands","registerServeCommands"]]},
  {"name":"parse","aliases":[],"term":"parse [options] <file...>","description":"print what Converge reads from a file: scores and their labels, issues by severity, notes, missing scores, or the files of a code answer","hidden":false,"modules":[["parse-command","registerParseCommand"]]},
  {"name":"doctor","aliases":[],"term":"doctor","description":"check the config, agent keys and CLIs, the store, the sandbox and git; exit 1 when something would stop a workflow","hidden":false,"modules":[["doctor-command","registerDoctorCommand"]]},
  {"name":"notify","aliases":[],"term":"notify","description":"notifications: send a sample to the targets of converge.yaml, list the outbox","hidden":false,"modules":[["notify-command","registerNotifyCommand"]]},
];
