import type { SqlEntityManager } from '@mikro-orm/knex';
import { Clip, CLIP_STATUSES, type ClipStatus } from '../entities/index.ts';
import type { Events, ClipEventType } from './events.ts';
import { snapshot } from './events.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import { applyKeyset, pageRequest, toPage, type Page, type PageArgs } from './read/index.ts';
import { ilike, likePattern, selectRows } from './read/index.ts';
import type { ClipRecord, UserRecord } from './read/index.ts';
import { jsonArrayContains } from './read/index.ts';
import { CLIP_LIMITS } from './validation/clip-limits.ts';
import { CallBatch } from './execute/index.ts';
import { runClipHooks } from './hooks.ts';
import { groupCommitOf } from './platform/commits.ts';
import { dialectOf, runSql, sqlText } from './platform/sql-text.ts';
import type { Platform } from './platform/index.ts';
import { normalizeTags, Validator } from './validation/validator.ts';

export interface ClipFields {
  title?: string | null;
  description?: string | null;
  mediaUrl?: string | null;
  durationMs?: number | null;
  width?: number | null;
  height?: number | null;
  fps?: number | null;
  codec?: string | null;
  sizeBytes?: number | null;
  game?: string | null;
  tags?: string[] | null;
  status?: ClipStatus | null;
  metadata?: Record<string, unknown> | null;
}

function validate(input: ClipFields, creating: boolean): void {
  const v = new Validator();
  if (creating) {
    for (const key of ['title', 'mediaUrl', 'durationMs'] as const)
      if (input[key] === undefined || input[key] === null) v.add(key, 'is required', 'REQUIRED');
  }
  v.string('title', input.title, { min: 1, max: CLIP_LIMITS.title });
  v.string('description', input.description, { max: CLIP_LIMITS.description });
  v.url('mediaUrl', input.mediaUrl, { allowPath: true });
  v.int('durationMs', input.durationMs, 1, 24 * 3600 * 1000);
  v.int('width', input.width, 1, 16384);
  v.int('height', input.height, 1, 16384);
  v.number('fps', input.fps, 1, 1000);
  v.string('codec', input.codec, {
    min: 1,
    max: 40,
    pattern: /^[A-Za-z0-9._-]+$/,
    patternHint: 'letters, digits, . _ -',
  });
  v.int('sizeBytes', input.sizeBytes, 0, Number.MAX_SAFE_INTEGER);
  v.string('game', input.game, { min: 1, max: 100 });
  v.tags('tags', input.tags, { max: CLIP_LIMITS.tags });
  if (input.status && !CLIP_STATUSES.includes(input.status))
    v.add('status', `must be one of ${CLIP_STATUSES.join(', ')}`, 'ENUM');
  if (input.metadata !== undefined && input.metadata !== null) {
    if (typeof input.metadata !== 'object' || Array.isArray(input.metadata))
      v.add('metadata', 'must be a JSON object', 'TYPE');
    else if (JSON.stringify(input.metadata).length > CLIP_LIMITS.metadataJson)
      v.add('metadata', `must be at most ${CLIP_LIMITS.metadataJson / 1024} KiB of JSON`, 'TOO_LARGE');
  }
  v.check();
}

function clipRecord(clip: Clip): ClipRecord {
  const { owner, ...rest } = clip;
  return { ...rest, ownerId: owner.id } as unknown as ClipRecord;
}

/** Clip use cases run the owner's hooks, so they need the whole platform. */
export type ClipDeps = Platform;

function publish(events: Events, type: ClipEventType, clip: ClipRecord): void {
  events.publish('clip-events', clip.ownerId, { type, clipId: clip.id, clip: snapshot(clip) });
}

export async function createClip(platform: ClipDeps, viewer: UserRecord, input: ClipFields): Promise<ClipRecord> {
  const { events } = platform;
  const em = platform.db.fork();
  validate(input, true);
  const now = new Date();
  let record: ClipRecord = {
    id: 0,
    ownerId: viewer.id,
    title: input.title!,
    description: input.description ?? '',
    mediaUrl: input.mediaUrl!,
    durationMs: input.durationMs!,
    width: input.width ?? null,
    height: input.height ?? null,
    fps: input.fps ?? null,
    codec: input.codec ?? null,
    sizeBytes: input.sizeBytes ?? null,
    game: input.game ?? null,
    tags: normalizeTags(input.tags ?? []),
    status: input.status ?? 'CAPTURED',
    metadata: input.metadata ?? {},
    pending: true,
    createdAt: now,
    updatedAt: now,
  };
  // One statement, no transaction, its SQL text kept (the ORM's insert built it on every clip).
  record.id = await insertClip(em, record);
  // Plugins run outside any transaction (a call may take seconds), so the clip is inserted
  // pending, which no read path shows: its hooks see it, its owner sees it only once they have
  // passed, with their patches and their Execution rows, in one transaction. A CRITICAL failure
  // deletes what nobody saw, in the transaction that records the hooks' executions.
  const batch = new CallBatch(platform);
  try {
    const patched = (await runClipHooks(platform, 'clip.captured', record, batch)) ?? record;
    record = await groupCommitOf(platform.db).submit(async (tx) => {
      await batch.write(tx);
      return writePatched(tx, patched, { ...patchable(patched), pending: false });
    });
  } catch (err) {
    await groupCommitOf(platform.db).submit(async (tx) => {
      await batch.write(tx);
      await tx.nativeDelete(Clip, { id: record.id });
    });
    batch.publish();
    throw err;
  }
  batch.publish();
  publish(events, 'CREATED', record);
  return record;
}

const PATCHABLE = ['title', 'description', 'tags', 'status', 'metadata', 'pending'] as const;

const patchable = (clip: ClipRecord) => Object.fromEntries(PATCHABLE.map((key) => [key, clip[key]]));

/** Stores `fields` of `clip` (hooks' patches among them) with one conditional update, inside `tx`. */
async function writePatched(
  tx: SqlEntityManager,
  clip: ClipRecord,
  fields: Record<string, unknown>,
): Promise<ClipRecord> {
  const updatedAt = new Date();
  const keys = Object.keys(fields).filter((key) => key in CLIP_COLUMNS);
  const values = keys.map((key) => clipValue(tx, key, fields[key]));
  values.push(tx.getPlatform().processDateProperty(updatedAt), clip.id);
  const written = await runSql<{ id: number }>(
    tx,
    sqlText(
      `clip-patch:${dialectOf(tx)}:${keys.join(',')}`,
      () =>
        `update "clips" set ${[...keys, 'updatedAt'].map((key) => `"${CLIP_COLUMNS[key]}" = ?`).join(', ')} where "id" = ? returning "id"`,
    ),
    values,
  );
  if (written.length !== 1) throw new ConflictError('The clip was deleted while its hooks ran');
  return { ...clip, ...fields, updatedAt } as ClipRecord;
}

/** The columns of `clips` by field, as a ClipRecord names them. */
const CLIP_COLUMNS: Record<string, string> = {
  ownerId: 'owner_id',
  title: 'title',
  description: 'description',
  mediaUrl: 'media_url',
  durationMs: 'duration_ms',
  width: 'width',
  height: 'height',
  fps: 'fps',
  codec: 'codec',
  sizeBytes: 'size_bytes',
  game: 'game',
  tags: 'tags',
  status: 'status',
  metadata: 'metadata',
  pending: 'pending',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};
const INSERTED = Object.keys(CLIP_COLUMNS);

/** A clip field as its column binds it on both backends. */
function clipValue(tx: SqlEntityManager, key: string, value: unknown): unknown {
  if (key === 'tags' || key === 'metadata') return JSON.stringify(value);
  if (value instanceof Date) return tx.getPlatform().processDateProperty(value);
  return value;
}

async function insertClip(em: SqlEntityManager, clip: ClipRecord): Promise<number> {
  const [row] = await runSql<{ id: number }>(
    em,
    sqlText(
      `clip-insert:${dialectOf(em)}`,
      () =>
        `insert into "clips" (${INSERTED.map((key) => `"${CLIP_COLUMNS[key]}"`).join(', ')}) values (${INSERTED.map(() => '?').join(', ')}) returning "id"`,
    ),
    INSERTED.map((key) => clipValue(em, key, clip[key as keyof ClipRecord])),
  );
  return Number(row.id);
}

async function ownClip(tx: SqlEntityManager, viewer: UserRecord, id: number): Promise<Clip> {
  const clip = await tx.findOne(Clip, id);
  // Another user's clip answers NOT_FOUND, so ids of private clips are not confirmed; a pending
  // clip does not exist yet.
  if (!clip || clip.owner.id !== viewer.id || clip.pending) throw new NotFoundError('Clip', id);
  return clip;
}

export async function updateClip(
  platform: ClipDeps,
  viewer: UserRecord,
  id: number,
  input: ClipFields,
): Promise<ClipRecord> {
  const { events } = platform;
  const em = platform.db.fork();
  validate(input, false);
  const before = clipRecord(await ownClip(em, viewer, id));
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (
      value === null &&
      ['title', 'mediaUrl', 'durationMs', 'status', 'description', 'metadata', 'tags'].includes(key)
    )
      continue;
    patch[key] = key === 'tags' ? normalizeTags(value as string[]) : value;
  }
  // Hooks see the clip as it will be, before anything is written: a CRITICAL failure leaves the
  // stored clip untouched, and the owner never sees a write that is then undone.
  const batch = new CallBatch(platform);
  let record: ClipRecord;
  try {
    let current: ClipRecord = { ...before, ...patch };
    current = (await runClipHooks(platform, 'clip.updated', current, batch)) ?? current;
    if (before.status !== 'PROCESSED' && current.status === 'PROCESSED')
      current = (await runClipHooks(platform, 'clip.processed', current, batch)) ?? current;
    record = await groupCommitOf(platform.db).submit(async (tx) => {
      await batch.write(tx);
      return writePatched(tx, current, { ...patch, ...patchable(current) });
    });
  } catch (err) {
    await groupCommitOf(platform.db).submit((tx) => batch.write(tx));
    batch.publish();
    throw err;
  }
  batch.publish();
  publish(events, 'UPDATED', record);
  return record;
}

export async function deleteClip(
  { db, events }: Pick<Platform, 'db' | 'events'>,
  viewer: UserRecord,
  id: number,
): Promise<ClipRecord> {
  const record = await db.fork().transactional(async (tx) => {
    const clip = await ownClip(tx as SqlEntityManager, viewer, id);
    const before = clipRecord(clip);
    tx.remove(clip);
    await tx.flush();
    return before;
  });
  publish(events, 'DELETED', record);
  return record;
}

export interface ClipFilter {
  game?: string | null;
  status?: ClipStatus | null;
  tag?: string | null;
  query?: string | null;
}

export async function listClips(
  em: SqlEntityManager,
  ownerId: number,
  filter: ClipFilter,
  page: PageArgs,
): Promise<Page<ClipRecord>> {
  const request = pageRequest(page);
  const rows = await selectRows<ClipRecord>(em, Clip, (qb) => {
    qb.where('clips.owner_id', ownerId).andWhere('clips.pending', false);
    if (filter.game) qb.andWhere('clips.game', filter.game);
    if (filter.status) qb.andWhere('clips.status', filter.status);
    if (filter.tag) jsonArrayContains(em, qb, 'clips.tags', filter.tag.trim().toLowerCase());
    if (filter.query) {
      const pattern = likePattern(filter.query.trim());
      qb.andWhere((w) =>
        w
          .whereRaw(`clips.title ${ilike(em)} ? escape '\\'`, [pattern])
          .orWhereRaw(`clips.description ${ilike(em)} ? escape '\\'`, [pattern]),
      );
    }
    applyKeyset(qb, [{ sql: 'clips.id', direction: 'desc', type: 'number' }], request);
    return qb;
  });
  return toPage(rows, request, (c) => [null, c.id]);
}

export interface ClipStats {
  total: number;
  totalDurationMs: number;
  byStatus: { status: ClipStatus; count: number }[];
  byGame: { game: string | null; count: number; totalDurationMs: number }[];
}

export async function clipStats(em: SqlEntityManager, ownerId: number): Promise<ClipStats> {
  const knex = em.getKnex();
  const rows = await em
    .getConnection()
    .execute<{ game: string | null; status: ClipStatus; count: string | number; duration: string | number | null }[]>(
      knex('clips')
        .select('game', 'status')
        .count({ count: '*' })
        .sum({ duration: 'duration_ms' })
        .where('owner_id', ownerId)
        .andWhere('pending', false)
        .groupBy('game', 'status'),
    );
  const byStatus = new Map<ClipStatus, number>(CLIP_STATUSES.map((s) => [s, 0]));
  const byGame = new Map<string | null, { count: number; totalDurationMs: number }>();
  let total = 0;
  let totalDurationMs = 0;
  for (const row of rows) {
    const count = Number(row.count);
    const duration = Number(row.duration ?? 0);
    total += count;
    totalDurationMs += duration;
    byStatus.set(row.status, (byStatus.get(row.status) ?? 0) + count);
    const game = byGame.get(row.game) ?? { count: 0, totalDurationMs: 0 };
    byGame.set(row.game, { count: game.count + count, totalDurationMs: game.totalDurationMs + duration });
  }
  return {
    total,
    totalDurationMs,
    byStatus: [...byStatus].map(([status, count]) => ({ status, count })),
    byGame: [...byGame].map(([game, v]) => ({ game, ...v })).sort((a, b) => b.count - a.count),
  };
}
