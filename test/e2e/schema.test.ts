import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { printSchema } from 'graphql';
import { expect, it } from 'vitest';
import { schema } from '../../src/schema/index.ts';

it('schema.graphql matches the schema the code builds (run `npm run codegen` after a change)', () => {
  const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
  expect(committed.trim()).toBe(printSchema(schema).trim());
});

it("every generated file matches what codegen makes of the code (the web app's and the tests' operations too)", async () => {
  // `--check` generates in memory and fails naming each stale file: schema.graphql,
  // test/generated and web/src/generated (the web app's typed operations).
  const run = promisify(execFile)(
    process.execPath,
    ['node_modules/.bin/graphql-codegen', '--config', 'codegen.ts', '--check'],
    {
      encoding: 'utf8',
    },
  );
  await expect(
    run.then(
      () => 'up to date',
      (err: { stdout?: string }) => err.stdout ?? String(err),
    ),
  ).resolves.toBe('up to date');
}, 60_000);
