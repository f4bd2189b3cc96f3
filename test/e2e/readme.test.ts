import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { expect, it } from 'vitest';
import { schema } from '../../src/schema/index.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);

it('README has GraphQL examples', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(5);
});

it.each(
  blocks.flatMap((block) =>
    block.split(/\n(?=(?:query|mutation|subscription)\b)/).map((op) => [op.trim().split('\n')[0], op]),
  ),
)('README example is valid against the schema: %s', (_title, op) => {
  expect(validate(schema, parse(op)).map((e) => e.message)).toEqual([]);
});

it('README install-and-run example works as written on the seeded demo', async () => {
  const { startTestServer } = await import('../support/server.ts');
  const { seedDatabase } = await import('../../src/seed/seed.ts');
  const server = await startTestServer();
  try {
    const { demoToken } = await seedDatabase(server.app.platform);
    const block = blocks.find((b) => b.includes('installPlugin'))!;
    const [install, run] = block.split(/\n(?=mutation\b)/);
    const installed = await server.ok<{ installPlugin: { id: string } }, object>(install, {}, demoToken);
    const { executePlugin } = await server.ok<{ executePlugin: { output: string } }, { id: string }>(
      run,
      { id: installed.installPlugin.id },
      demoToken,
    );
    expect(executePlugin).toMatchObject({ status: 'SUCCEEDED', errorCode: null });
    expect(JSON.parse(executePlugin.output)).toBeTypeOf('object');
    const capture = blocks.find((b) => b.includes('createClip'))!;
    const { createClip } = await server.ok<
      { createClip: { tags: string[]; metadata: Record<string, unknown> } },
      object
    >(capture, {}, demoToken);
    expect(createClip.tags).toEqual(expect.arrayContaining(['valorant', '1080p']));
    expect(createClip.metadata['highlight-detector']).toBeDefined();
  } finally {
    await server.stop();
  }
}, 60_000);
