import type { SqlEntityManager } from '@mikro-orm/knex';
import { Plugin, User } from '../entities/index.ts';
import { ConflictError, ForbiddenError, NotFoundError } from './errors.ts';
import type { Platform } from './platform/index.ts';
import type { UserRecord } from './read/index.ts';
import { normalizeTags, SLUG_PATTERN, Validator } from './validation/validator.ts';
import { audit } from './audit.ts';
import type { Viewer } from './users.ts';

export const CATEGORIES = [
  'highlights',
  'moderation',
  'analytics',
  'tagging',
  'transcoding',
  'utilities',
  'other',
] as const;

export interface PluginFields {
  name?: string | null;
  summary?: string | null;
  description?: string | null;
  category?: string | null;
  tags?: string[] | null;
  license?: string | null;
  homepageUrl?: string | null;
  repositoryUrl?: string | null;
  deprecationNotice?: string | null;
}

export interface CreatePluginInput extends PluginFields {
  slug: string;
  name: string;
  summary: string;
  category: string;
}

function validateFields(v: Validator, input: PluginFields): void {
  v.string('name', input.name, { min: 1, max: 100 });
  v.string('summary', input.summary, { min: 1, max: 200 });
  v.string('description', input.description, { max: 20_000 });
  if (input.category !== undefined && input.category !== null && !CATEGORIES.includes(input.category as never)) {
    v.add('category', `must be one of ${CATEGORIES.join(', ')}`, 'ENUM');
  }
  v.tags('tags', input.tags, { max: 10 });
  v.string('license', input.license, {
    min: 1,
    max: 64,
    pattern: /^[A-Za-z0-9.+-]+$/,
    patternHint: 'an SPDX identifier such as MIT or Apache-2.0',
  });
  v.url('homepageUrl', input.homepageUrl);
  v.url('repositoryUrl', input.repositoryUrl);
  v.string('deprecationNotice', input.deprecationNotice, { max: 500 });
}

export async function createPlugin(
  { db }: Pick<Platform, 'db'>,
  viewer: Viewer,
  input: CreatePluginInput,
): Promise<number> {
  const v = new Validator();
  v.string('slug', input.slug, {
    min: 2,
    max: 64,
    pattern: SLUG_PATTERN,
    patternHint: 'lower-case letters, digits and inner hyphens',
  });
  validateFields(v, input);
  v.check();
  if (viewer.role !== 'PUBLISHER' && viewer.role !== 'ADMIN')
    throw new ForbiddenError('Only publishers and admins may list plugins');
  return db.fork().transactional(async (tx) => {
    if (await tx.count(Plugin, { slug: input.slug }))
      throw new ConflictError(`A plugin with slug "${input.slug}" already exists`);
    const plugin = tx.create(Plugin, {
      slug: input.slug,
      name: input.name,
      summary: input.summary,
      description: input.description ?? '',
      category: input.category,
      tags: normalizeTags(input.tags ?? []),
      license: input.license ?? null,
      homepageUrl: input.homepageUrl ?? null,
      repositoryUrl: input.repositoryUrl ?? null,
      publisher: tx.getReference(User, viewer.id),
    });
    await tx.flush();
    audit(tx, viewer, 'PLUGIN_CREATE', { type: 'PLUGIN', id: plugin.id, name: plugin.slug });
    return plugin.id;
  });
}

/** Loads a listing for writing; only its publisher or an admin may change it. */
export async function ownedPlugin(em: SqlEntityManager, viewer: UserRecord, slug: string): Promise<Plugin> {
  const plugin = await em.findOne(Plugin, { slug });
  if (!plugin) throw new NotFoundError('Plugin', slug);
  if (plugin.publisher.id !== viewer.id && viewer.role !== 'ADMIN')
    throw new ForbiddenError(`Only the publisher of "${slug}" or an admin may change it`);
  return plugin;
}

export async function updatePlugin(
  { db }: Pick<Platform, 'db'>,
  viewer: Viewer,
  slug: string,
  input: PluginFields,
): Promise<number> {
  const v = new Validator();
  validateFields(v, input);
  v.check();
  return db.fork().transactional(async (tx) => {
    const plugin = await ownedPlugin(tx as SqlEntityManager, viewer, slug);
    const patch: PluginFields = {};
    for (const key of [
      'name',
      'summary',
      'description',
      'category',
      'license',
      'homepageUrl',
      'repositoryUrl',
      'deprecationNotice',
    ] as const) {
      if (input[key] !== undefined) patch[key] = input[key];
    }
    for (const key of ['name', 'summary', 'description', 'category'] as const) {
      if (patch[key] === null) delete patch[key];
    }
    const changes = { ...patch, ...(input.tags ? { tags: normalizeTags(input.tags) } : {}) };
    tx.assign(plugin, changes as never);
    await tx.flush();
    audit(
      tx,
      viewer,
      'PLUGIN_UPDATE',
      { type: 'PLUGIN', id: plugin.id, name: plugin.slug },
      {
        fields: Object.keys(changes).sort(),
      },
    );
    return plugin.id;
  });
}

export async function setPluginFeatured(
  { db }: Pick<Platform, 'db'>,
  viewer: Viewer,
  slug: string,
  featured: boolean,
): Promise<number> {
  if (viewer.role !== 'ADMIN') throw new ForbiddenError('Only admins may feature plugins');
  return db.fork().transactional(async (tx) => {
    const plugin = await tx.findOne(Plugin, { slug });
    if (!plugin) throw new NotFoundError('Plugin', slug);
    plugin.featured = featured;
    await tx.flush();
    audit(tx, viewer, 'PLUGIN_FEATURE', { type: 'PLUGIN', id: plugin.id, name: plugin.slug }, { featured });
    return plugin.id;
  });
}

export async function pluginCategories(em: SqlEntityManager): Promise<{ name: string; count: number }[]> {
  const rows = await em
    .getConnection()
    .execute<{ category: string; count: number | string }[]>(
      em.getKnex().select('category').count({ count: '*' }).from('plugins').groupBy('category'),
    );
  const counts = new Map(rows.map((r) => [r.category, Number(r.count)]));
  return CATEGORIES.map((name) => ({ name, count: counts.get(name) ?? 0 }));
}
