import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { User } from './user.ts';

/**
 * An Ed25519 public key a publisher signs releases with. Revoked, never deleted: versions signed
 * with it keep their signature, which reads as unverified from then on.
 */
export const SigningKey = defineEntity({
  name: 'SigningKey',
  tableName: 'signing_keys',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    owner: p.manyToOne(User).ref().index(),
    name: p.string().length(100),
    /** The 32 raw bytes, standard base64. */
    publicKey: p.string().length(44),
    /** sha256 (lower-case hex) of the raw key; unique across all users. */
    fingerprint: p.string().length(64).unique(),
    createdAt: p.datetime().onCreate(() => new Date()),
    revokedAt: p.datetime().nullable(),
  }),
});
export type SigningKey = InferEntity<typeof SigningKey>;
