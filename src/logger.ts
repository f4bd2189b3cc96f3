import pino, { type Logger } from 'pino';
import type { LogLevelName } from './config.ts';

/** JSON logs on stdout, one object per line. */
export function createLogger(level: LogLevelName): Logger {
  return pino({ level, base: { service: 'plugboard' } });
}
