import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { User } from './user.ts';

export const CLIP_STATUSES = ['CAPTURED', 'PROCESSING', 'PROCESSED', 'FAILED'] as const;
export type ClipStatus = (typeof CLIP_STATUSES)[number];

export const Clip = defineEntity({
  name: 'Clip',
  tableName: 'clips',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    owner: p.manyToOne(User).ref(),
    title: p.string().length(200),
    description: p.text().default(''),
    mediaUrl: p.string().length(1000),
    durationMs: p.integer(),
    width: p.integer().nullable(),
    height: p.integer().nullable(),
    fps: p.float().nullable(),
    codec: p.string().length(40).nullable(),
    sizeBytes: p.integer().nullable(),
    game: p.string().length(100).nullable(),
    tags: p.json<string[]>(),
    status: p.enum([...CLIP_STATUSES]).default('CAPTURED'),
    /** Free-form metadata; plugin results live under their plugin's slug. */
    metadata: p.json<Record<string, unknown>>(),
    /** Created, its clip.captured hooks not yet passed: no read path shows it. */
    pending: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
  indexes: [{ properties: ['owner', 'createdAt'] }, { properties: ['owner', 'game'] }],
});
export type Clip = InferEntity<typeof Clip>;
