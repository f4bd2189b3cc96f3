import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginHarness, readTestCases, runCases } from '../../sdk-assemblyscript/harness/index.ts';

const dir = new URL('.', import.meta.url).pathname;
let plugin: PluginHarness;

beforeAll(async () => {
  plugin = await PluginHarness.load(dir);
});
afterAll(() => plugin.close());

describe('content-filter', () => {
  it('masks keywords case-insensitively as whole words, drops flagged tags and reports counts', async () => {
    const r = await plugin.call(
      'filter',
      {
        title: 'NOOB gets owned by a noob',
        description: 'noobish but Trash',
        tags: ['noob', 'fps', 'Noob-life'],
      },
      { config: { keywords: ['noob', 'trash'] } },
    );
    expect(r.json()).toEqual({
      title: '**** gets owned by a ****',
      description: 'noobish but *****',
      tags: ['fps'],
      report: {
        filtered: [
          { field: 'title', keyword: 'noob', count: 2 },
          { field: 'description', keyword: 'trash', count: 1 },
          { field: 'tags', keyword: 'noob', count: 1 },
          { field: 'tags', keyword: 'noob', count: 1 },
        ],
        total: 5,
      },
    });
  });

  it('masks inside words when wholeWords is off, keeps non-ASCII text intact', async () => {
    const r = await plugin.call(
      'filter',
      { title: 'Ça noobish — ÉTÉ été', tags: [] },
      {
        config: { keywords: ['noob', 'été'], wholeWords: false, mask: '#' },
      },
    );
    expect(r.json()).toMatchObject({ title: 'Ça ####ish — ### ###', report: { total: 3 } });
  });

  it('as a hook, masks title and description, drops flagged tags and records the report in metadata', async () => {
    const r = await plugin.call(
      'clip_captured',
      {},
      {
        config: { keywords: ['darn'] },
        clip: {
          id: 1,
          title: 'Darn it',
          description: 'so darn close',
          tags: ['darn', 'clutch'],
          game: 'CS2',
          metadata: {},
        },
      },
    );
    expect(r.clipPatches).toEqual([
      {
        tags: ['clutch'],
        metadata: {
          filtered: [
            { field: 'title', keyword: 'darn', count: 1 },
            { field: 'description', keyword: 'darn', count: 1 },
            { field: 'tags', keyword: 'darn', count: 1 },
          ],
          total: 3,
        },
        title: '**** it',
        description: 'so **** close',
      },
    ]);
  });

  it('leaves a clean clip alone', async () => {
    const r = await plugin.call(
      'clip_updated',
      {},
      {
        config: { keywords: ['darn'] },
        clip: { id: 2, title: 'Nice', description: '', tags: [], metadata: {} },
      },
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(r.clipPatches).toEqual([]);
    expect(r.json()).toEqual({ filtered: [], total: 0 });
  });

  it('passes its own test inputs', async () => {
    const outcomes = await runCases(plugin, await readTestCases(dir));
    expect(outcomes.map((o) => o.mismatch)).toEqual(outcomes.map(() => null));
  });
});
