import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Installation } from './installation.ts';

export const KvEntry = defineEntity({
  name: 'KvEntry',
  tableName: 'kv_entries',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    installation: p.manyToOne(Installation).ref().deleteRule('cascade'),
    key: p.string().length(256),
    value: p.blob(),
    sizeBytes: p.integer(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
  uniques: [{ properties: ['installation', 'key'] }],
});
export type KvEntry = InferEntity<typeof KvEntry>;
