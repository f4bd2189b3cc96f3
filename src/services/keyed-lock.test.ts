import { expect, it } from 'vitest';
import { KeyedLock } from './keyed-lock.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

it('runs tasks of one key one at a time, in order, and other keys alongside', async () => {
  const lock = new KeyedLock();
  const trace: string[] = [];
  const task = (name: string, fail = false) => async () => {
    trace.push(`${name}>`);
    await tick();
    trace.push(`<${name}`);
    if (fail) throw new Error(name);
    return name;
  };
  const runs = [lock.run('a', task('a1', true)), lock.run('a', task('a2')), lock.run('b', task('b1'))];
  const settled = await Promise.allSettled(runs);
  expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
  // a2 waits for a1 (even though a1 failed); b1 does not wait for anyone.
  expect(trace.indexOf('a2>')).toBeGreaterThan(trace.indexOf('<a1'));
  expect(trace.indexOf('b1>')).toBeLessThan(trace.indexOf('<a1'));
  await tick();
  expect(lock.size).toBe(0);
});
