import type { Logger } from 'pino';
import { requestScope } from './request-scope.ts';

/**
 * Logs what escapes every handler, with the request it happened in, and keeps serving. An
 * unhandled rejection is one promise nobody awaited; an uncaught exception, here, is a callback
 * (a timer, an event listener) that threw: neither leaves the other requests' state broken, and
 * exiting would drop every connection for one request's fault. Returns the uninstaller.
 */
export function installProcessGuard(logger: Logger): () => void {
  const onRejection = (reason: unknown) =>
    logger.error({ err: reason, request: requestScope.getStore() }, 'unhandled promise rejection');
  const onException = (err: Error, origin: string) =>
    logger.error({ err, origin, request: requestScope.getStore() }, 'uncaught exception');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
