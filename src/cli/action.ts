/**
 * The one error wrapper every `plugboard` command's action goes through: a failure prints
 * `plugboard: <message>` and sets a non-zero exit code, instead of a stack trace.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`plugboard: ${message}\n`);
      process.exitCode = 1;
    }
  };
}
