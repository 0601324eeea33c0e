/**
 * JSON logs (pino) for long-running processes such as `converge serve`, on stderr so stdout
 * stays free for what a command prints. Authorization headers and cookies never reach a line.
 */
import { pino } from 'pino';

export interface Logger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'converge',
      level: options.level ?? process.env.CONVERGE_LOG_LEVEL ?? 'info',
      redact: { paths: ['authorization', 'cookie', 'token', 'secret', '*.authorization', '*.cookie', '*.token', '*.secret'], censor: '[redacted]' },
    },
    pino.destination(2),
  );
}

/** For tests and embedding: drops every line. */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
