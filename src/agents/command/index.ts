/**
 * `provider: command`: any CLI coding agent run in the workspace with the rendered prompt —
 * presets for Claude Code, Codex, Gemini CLI and Aider, or your own command. Its file changes
 * are taken from the workspace (git, else a folder walk).
 *
 * @example
 * const agent = createCommandAgent({ provider: 'command', preset: 'claude-code', api_key_env: 'ANTHROPIC_API_KEY', fallback: [] }, { role: 'programmer' });
 */
import type { Agent } from '../agent.js';
import type { CommandConfig } from './command-presets.js';
import type { CommandAgentOptions } from './command-agent.js';
import { CommandAgent } from './command-agent.js';

export function createCommandAgent(config: CommandConfig, options: CommandAgentOptions): Agent {
  return new CommandAgent(config, options);
}

export { CommandAgent, MAX_TEXT_BYTES } from './command-agent.js';
export type { CommandAgentOptions, CommandAgentResponse } from './command-agent.js';
export { DEFAULT_CLI_RETRIES, buildInvocation, codexConfigToml, codexOverrides, commandExecutable, commandName, fitsInArgv } from './command-presets.js';
export type { CommandConfig, CommandInvocation, InvocationContext, OutputFormat, PresetName } from './command-presets.js';
export { classifyCliError, classifyFailureText, parseClaudeResult, parseCodexEvents, parseGeminiResult, parseOutput } from './command-output.js';
export type { Classified, CliError, ParsedOutput } from './command-output.js';
export { scrubSecrets } from './command-env.js';
export type { PathNote } from '../../workspace/index.js';
