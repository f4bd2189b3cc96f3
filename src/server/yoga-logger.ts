import type { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { DomainError } from '../services/errors.ts';

/** Yoga logs every error it returns; expected ones (with a code) are not server errors. */
export function yogaLogger(logger: Logger) {
  const expected = (args: unknown[]) =>
    args.some((a) => {
      const e = a as GraphQLError | undefined;
      if (!(e instanceof Error) || e.name !== 'GraphQLError') return false;
      const code = e.extensions?.code;
      // A GraphQLError wrapping another one was raised on purpose (a scalar refusing a value).
      const onPurpose = e.originalError instanceof DomainError || e.originalError?.name === 'GraphQLError';
      return onPurpose || (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR');
    });
  return {
    debug: (...args: unknown[]) => logger.debug(args.map(String).join(' ')),
    info: (...args: unknown[]) => logger.info(args.map(String).join(' ')),
    warn: (...args: unknown[]) => logger.warn(args.map(String).join(' ')),
    error: (...args: unknown[]) =>
      expected(args)
        ? logger.debug({ err: args[0] }, 'request error')
        : logger.error({ err: args[0] }, String(args[1] ?? 'error')),
  };
}
