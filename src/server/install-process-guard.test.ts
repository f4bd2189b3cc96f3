import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';

it('logs what escapes every handler with its request, and keeps the process up', () => {
  // Its own process: vitest would count these escapes as its own failures.
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'test/fixtures/process-guard-escapes.ts'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  const lines = out.trim().split('\n');
  expect(lines.at(-1)).toBe('alive');
  const logged = lines.slice(0, -1).map((line) => JSON.parse(line));
  const requests = logged.map((entry) => entry.request?.requestId).sort();
  expect(requests).toEqual(
    [
      'non-error rejection',
      'rejected promise',
      'rejection after awaits',
      'throw in a timer',
      'throw in an event listener',
    ].sort(),
  );
  for (const entry of logged) expect(entry).toMatchObject({ level: 50, request: { operationName: 'Op' } });
});
