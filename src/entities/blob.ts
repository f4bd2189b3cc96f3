import { defineEntity, type InferEntity } from '@mikro-orm/core';

/**
 * Content-addressed module bytes. They live in the database on every backend so that all API
 * instances share them and a publish is one transaction (no orphaned files).
 */
export const Blob = defineEntity({
  name: 'Blob',
  tableName: 'blobs',
  properties: (p) => ({
    sha256: p.string().length(64).primary(),
    bytes: p.blob().lazy(),
    sizeBytes: p.integer(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type Blob = InferEntity<typeof Blob>;
