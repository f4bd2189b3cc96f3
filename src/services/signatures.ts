import type { SqlEntityManager } from '@mikro-orm/knex';
import { SigningKey, type PluginVersion } from '../entities/index.ts';
import {
  decodeBase64,
  FINGERPRINT_PATTERN,
  manifestSha256,
  sha256Hex,
  SIGNATURE_BYTES,
  spkiKey,
  verifyRelease,
  type Release,
} from '../contracts/index.ts';
import type { Problem } from './errors.ts';

/** A publish's signature: which registered key, and the Ed25519 signature of the release message. */
export interface SignatureInput {
  /** sha256 (lower-case hex) of the key's 32 raw bytes, as `registerSigningKey` reports it. */
  fingerprint: string;
  /** Standard base64 (with padding) of the 64-byte signature. */
  signature: string;
}

/** What publish stores with a version whose signature verified. */
export interface VerifiedSignature {
  signingKeyId: number;
  signature: string;
  manifestSha256: string;
}

export interface SignedUpload {
  publisherId: number;
  slug: string;
  /** The manifest's version when it is a string (otherwise the manifest's own problems say why). */
  version: string | null;
  /** The module as uploaded. */
  wasm: Uint8Array;
  manifest: unknown;
}

/**
 * Checks a publish's signature: every problem is returned (the publish report lists them with
 * the manifest's and the module's), and what to store when it verifies.
 */
export async function checkUploadSignature(
  em: SqlEntityManager,
  requireSignatures: boolean,
  upload: SignedUpload,
  input: SignatureInput | null | undefined,
): Promise<{ problems: Problem[]; verified: VerifiedSignature | null }> {
  const problems: Problem[] = [];
  if (!input) {
    if (requireSignatures)
      problems.push({
        field: 'signature',
        code: 'SIGNATURE_REQUIRED',
        message:
          'this server accepts signed versions only (PLUGBOARD_REQUIRE_SIGNATURES): sign it with a registered key',
      });
    return { problems, verified: null };
  }
  const bytes = decodeBase64(input.signature);
  if (!bytes)
    problems.push({ field: 'signature.signature', code: 'SIGNATURE_ENCODING', message: 'is not standard base64' });
  else if (bytes.length !== SIGNATURE_BYTES)
    problems.push({
      field: 'signature.signature',
      code: 'SIGNATURE_LENGTH',
      message: `decodes to ${bytes.length} bytes; an Ed25519 signature is ${SIGNATURE_BYTES}`,
    });
  let key: SigningKey | null = null;
  if (!FINGERPRINT_PATTERN.test(input.fingerprint))
    problems.push({
      field: 'signature.fingerprint',
      code: 'FINGERPRINT',
      message: 'is not a key fingerprint (64 lower-case hex digits)',
    });
  else {
    key = await em.findOne(SigningKey, { fingerprint: input.fingerprint });
    if (!key || key.owner.id !== upload.publisherId) {
      problems.push({
        field: 'signature.fingerprint',
        code: 'SIGNATURE_KEY_UNKNOWN',
        message: `no key with this fingerprint is registered by the publisher of "${upload.slug}"`,
      });
      key = null;
    } else if (key.revokedAt) {
      problems.push({
        field: 'signature.fingerprint',
        code: 'SIGNATURE_KEY_REVOKED',
        message: `the key "${key.name}" was revoked on ${key.revokedAt.toISOString()}`,
      });
      key = null;
    }
  }
  if (!key || !bytes || problems.length || upload.version === null) return { problems, verified: null };
  const release: Release = {
    slug: upload.slug,
    version: upload.version,
    moduleSha256: sha256Hex(upload.wasm),
    manifestSha256: manifestSha256(upload.manifest),
  };
  if (!verifyRelease(spkiKey(Buffer.from(key.publicKey, 'base64')), release, bytes)) {
    problems.push({
      field: 'signature.signature',
      code: 'SIGNATURE_INVALID',
      message: `does not verify with key ${key.fingerprint} over ${upload.slug}@${upload.version}, this module and this manifest`,
    });
    return { problems, verified: null };
  }
  return {
    problems,
    verified: { signingKeyId: key.id, signature: input.signature, manifestSha256: release.manifestSha256 },
  };
}

/**
 * The versions that may be installed when signatures are required: signed with a key that is not
 * revoked, and whose stored signature still verifies over the stored module digest and manifest.
 */
export async function trustedVersionIds(
  em: SqlEntityManager,
  slug: string,
  versions: PluginVersion[],
): Promise<Set<number>> {
  const keyIds = [...new Set(versions.flatMap((v) => (v.signingKey ? [v.signingKey.id] : [])))];
  const keys = keyIds.length ? await em.find(SigningKey, { id: keyIds, revokedAt: null }) : [];
  const live = new Map(keys.map((k) => [k.id, spkiKey(Buffer.from(k.publicKey, 'base64'))]));
  const trusted = new Set<number>();
  for (const v of versions) {
    const key = v.signingKey && live.get(v.signingKey.id);
    if (!key || !v.signature || !v.manifestSha256) continue;
    const manifestDigest = manifestSha256(v.manifest);
    if (manifestDigest !== v.manifestSha256) continue;
    const release = { slug, version: v.version, moduleSha256: v.sha256, manifestSha256: manifestDigest };
    if (verifyRelease(key, release, Buffer.from(v.signature, 'base64'))) trusted.add(v.id);
  }
  return trusted;
}

/** Why a version may not be installed or moved to when signatures are required. */
export function untrustedProblem(version: PluginVersion, field: string): Problem {
  return {
    field,
    code: 'SIGNATURE_REQUIRED',
    message: version.signature
      ? `${version.version} is signed with a key that was revoked since (or its signature no longer verifies); this server installs verified versions only`
      : `${version.version} is not signed; this server installs signed versions only (PLUGBOARD_REQUIRE_SIGNATURES)`,
  };
}
