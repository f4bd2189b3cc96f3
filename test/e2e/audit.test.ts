import { auditServer } from 'graphql-http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

it('passes every MUST and SHOULD of the GraphQL over HTTP audit', async () => {
  const results = await auditServer({ url: `${server.url}/graphql` });
  const failures = results
    .filter((r) => r.status !== 'ok' && (r.name.startsWith('MUST') || r.name.startsWith('SHOULD')))
    .map((r) => `${r.name}: ${'reason' in r ? r.reason : ''}`);
  expect(results.length).toBeGreaterThan(50);
  expect(failures).toEqual([]);
});
