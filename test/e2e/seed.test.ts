import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  ClipsDocument,
  ExecutionStatusesDocument,
  FeaturedDocument,
  PluginsDocument,
  ViewerDocument,
} from '../generated/graphql.ts';
import { seedDatabase } from '../../src/seed/seed.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { listExamples } from '../../src/toolchain/examples.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

it('fills an empty database with a living marketplace and runnable plugins, once', async () => {
  const result = await seedDatabase(server.app.platform);
  const { plugins } = await server.ok(PluginsDocument, { first: 100, sort: 'RATING' });
  expect(plugins.edges).toHaveLength(result.plugins);
  // One version per runnable example in plugins-wasm/.
  expect(result.versions).toBe((await listExamples()).length);
  const ratings = plugins.edges.map((e) => e.node.rating.average);
  expect(ratings).toEqual([...ratings].sort((a, b) => b - a));
  expect(plugins.edges.reduce((n, e) => n + e.node.rating.count, 0)).toBe(result.reviews);
  const { featuredPlugins } = await server.ok(FeaturedDocument);
  expect(featuredPlugins.edges.map((e) => e.node.slug).sort()).toEqual(['clip-tagger', 'highlight-detector']);
  expect((await server.ok(ViewerDocument, {}, result.demoToken)).viewer?.role).toBe('ADMIN');
  // The demo user's clips went through its installed plugins' hooks.
  const { clips } = await server.ok(ClipsDocument, { first: 10 }, result.demoToken);
  expect(clips.edges).toHaveLength(result.clips);
  const ace = clips.edges.find((e) => e.node.title === 'Ace with the Sheriff')!.node;
  expect(ace.tags).toEqual(expect.arrayContaining(['ace', 'valorant', '1080p']));
  expect(Object.keys(ace.metadata)).toEqual(expect.arrayContaining(['events', 'highlight-detector']));
  const { executions } = await server.ok(ExecutionStatusesDocument, { first: 100 }, result.demoToken);
  expect(executions.edges.length).toBeGreaterThanOrEqual(result.clips * 3);
  expect(executions.edges.every((e) => e.node.status === 'SUCCEEDED')).toBe(true);
  await expect(seedDatabase(server.app.platform)).rejects.toThrow(/empty database only/);
});
