import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { SigningKey, User } from '../entities/index.ts';
import { parsePublicKey } from '../contracts/index.ts';
import { BadInputError, ConflictError, ForbiddenError, NotFoundError } from './errors.ts';
import type { Platform } from './platform/index.ts';
import type { UserRecord } from './read/index.ts';
import { Validator } from './validation/validator.ts';

export interface RegisterSigningKeyInput {
  /** SPKI PEM, or base64 of the 32 raw bytes or of the DER SPKI. */
  publicKey: string;
  name?: string | null;
}

/** At most this many characters of key text are read (a PEM Ed25519 key is 113). */
const MAX_KEY_TEXT = 1024;

/**
 * Registers an Ed25519 public key for the viewer (a publisher). A fingerprint is registered once
 * across all users, revoked keys included: a revoked key never comes back.
 */
export async function registerSigningKey(
  { db }: Pick<Platform, 'db'>,
  viewer: UserRecord,
  input: RegisterSigningKeyInput,
): Promise<number> {
  if (viewer.role !== 'PUBLISHER' && viewer.role !== 'ADMIN')
    throw new ForbiddenError('Only publishers and admins may register signing keys');
  const v = new Validator();
  v.string('name', input.name, { min: 1, max: 100 });
  const parsed =
    input.publicKey.length > MAX_KEY_TEXT
      ? { problem: `is longer than ${MAX_KEY_TEXT} characters` }
      : parsePublicKey(input.publicKey);
  if ('problem' in parsed) v.add('publicKey', parsed.problem, 'PUBLIC_KEY');
  v.check();
  if ('problem' in parsed) throw new BadInputError([]);
  const taken = () =>
    new ConflictError(
      `A key with fingerprint ${parsed.fingerprint} is already registered (revoked keys stay registered)`,
    );
  try {
    return await db.fork().transactional(async (tx) => {
      if (await tx.count(SigningKey, { fingerprint: parsed.fingerprint })) throw taken();
      const key = tx.create(SigningKey, {
        owner: tx.getReference(User, viewer.id),
        name: input.name?.trim() || 'signing key',
        publicKey: parsed.raw.toString('base64'),
        fingerprint: parsed.fingerprint,
        revokedAt: null,
      });
      await tx.flush();
      return key.id;
    });
  } catch (err) {
    // Two registrations of one key at once: the unique index decides.
    if (err instanceof UniqueConstraintViolationException) throw taken();
    throw err;
  }
}

/**
 * Revokes a key (its owner or an admin). Versions signed with it keep their signature, which
 * reads `verified: false` from now on; under PLUGBOARD_REQUIRE_SIGNATURES they can no longer be
 * installed, upgraded to or rolled back to. Revoking a revoked key changes nothing.
 */
export async function revokeSigningKey({ db }: Pick<Platform, 'db'>, viewer: UserRecord, id: number): Promise<number> {
  return db.fork().transactional(async (tx) => {
    const key = await tx.findOne(SigningKey, id);
    if (!key || (key.owner.id !== viewer.id && viewer.role !== 'ADMIN')) throw new NotFoundError('SigningKey', id);
    key.revokedAt ??= new Date();
    await tx.flush();
    return key.id;
  });
}
