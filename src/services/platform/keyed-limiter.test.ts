import { expect, it } from 'vitest';
import { KeyedLimiter } from './keyed-limiter.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

function recorder() {
  const trace: string[] = [];
  let running = 0;
  let peak = 0;
  const task =
    (name: string, fail = false) =>
    async () => {
      peak = Math.max(peak, ++running);
      trace.push(`${name}>`);
      await tick();
      trace.push(`<${name}`);
      running--;
      if (fail) throw new Error(name);
      return name;
    };
  return { trace, task, peak: () => peak };
}

it('runs tasks of one key one at a time with a limit of 1, in order, and other keys alongside', async () => {
  const lock = new KeyedLimiter(1);
  const { trace, task } = recorder();
  const settled = await Promise.allSettled([
    lock.run('a', task('a1', true)),
    lock.run('a', task('a2')),
    lock.run('b', task('b1')),
  ]);
  expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
  // a2 waits for a1 (even though a1 failed); b1 does not wait for anyone.
  expect(trace.indexOf('a2>')).toBeGreaterThan(trace.indexOf('<a1'));
  expect(trace.indexOf('b1>')).toBeLessThan(trace.indexOf('<a1'));
  expect(lock.size).toBe(0);
});

it('lets `limit` tasks of a key run at once, never more', async () => {
  const limiter = new KeyedLimiter(2);
  const { task, peak } = recorder();
  const results = await Promise.all(Array.from({ length: 7 }, (_, i) => limiter.run('user', task(`t${i}`))));
  expect(results).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6']);
  expect(peak()).toBe(2);
  expect(limiter.size).toBe(0);
  expect(() => new KeyedLimiter(0)).toThrow(RangeError);
});
