/**
 * Runs at most `limit` tasks at a time per key, the rest waiting in arrival order; tasks under
 * different keys do not wait for each other. In-process only: what must hold across instances
 * is checked in the database.
 */
export class KeyedLimiter {
  private readonly keys = new Map<string, { running: number; waiting: (() => void)[] }>();

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const entry = this.keys.get(key) ?? { running: 0, waiting: [] };
    this.keys.set(key, entry);
    if (entry.running >= this.limit) await new Promise<void>((resolve) => entry.waiting.push(resolve));
    else entry.running++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so `running` stays counted for it.
      const next = entry.waiting.shift();
      if (next) next();
      else if (--entry.running === 0) this.keys.delete(key);
    }
  }

  /** Keys with a task running or waiting. */
  get size(): number {
    return this.keys.size;
  }
}
