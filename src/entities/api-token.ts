import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { User } from './user.ts';

/** API tokens are stored as a sha256 hash only: the plaintext is shown once, at creation. */
export const ApiToken = defineEntity({
  name: 'ApiToken',
  tableName: 'api_tokens',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    user: p.manyToOne(User).ref().deleteRule('cascade').index(),
    tokenHash: p.string().length(64).unique(),
    label: p.string().length(100).default('cli'),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type ApiToken = InferEntity<typeof ApiToken>;
