/**
 * Wraps a command action so a failure prints one `plugboard: ...` line (plus compiler diagnostics
 * when there are some) and sets a non-zero exit code, instead of a stack trace.
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
