import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const ROLES = ['ADMIN', 'PUBLISHER', 'MEMBER'] as const;
export type Role = (typeof ROLES)[number];

export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    handle: p.string().length(40).unique(),
    displayName: p.string().length(100),
    role: p.enum([...ROLES]).default('MEMBER'),
    verifiedPublisher: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type User = InferEntity<typeof User>;
