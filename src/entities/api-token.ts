import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { User } from './user.ts';

/**
 * What a token may do. Every token may read (queries and subscriptions); WRITE adds every mutation
 * but the publishing ones, PUBLISH adds those (versions and listings). A full token has all three.
 */
export const TOKEN_SCOPES = ['READ', 'WRITE', 'PUBLISH'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** API tokens are stored as a sha256 hash only: the plaintext is shown once, at creation. */
export const ApiToken = defineEntity({
  name: 'ApiToken',
  tableName: 'api_tokens',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    user: p.manyToOne(User).ref().deleteRule('cascade').index(),
    tokenHash: p.string().length(64).unique(),
    name: p.string().length(100).default('cli'),
    /** Comma-separated `TOKEN_SCOPES`; tokens made before scopes existed are full. */
    scopes: p.string().length(100).default('READ,WRITE,PUBLISH'),
    expiresAt: p.datetime().nullable(),
    /** Written at most once a minute per token per instance, off the request path. */
    lastUsedAt: p.datetime().nullable(),
    /** Revoked tokens stay listed (and named by the audit trail) but never authenticate. */
    revokedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type ApiToken = InferEntity<typeof ApiToken>;
