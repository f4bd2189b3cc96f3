import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Signed releases: the one definition of which bytes a publisher signs, shared by the server
 * (verification at publish and install), the CLI (signing) and the seed. Ed25519 through Node's
 * own `crypto`; README "Signed plugins" documents the same bytes for other tools.
 */
export const SIGNATURE_SCHEME = 'plugboard-signature-v1';

/** Ed25519 sizes: a raw public key and a signature. */
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

/** What a signature binds: the release's identity and the digests of its two parts. */
export interface Release {
  slug: string;
  version: string;
  /** sha256 (lower-case hex) of the module bytes as uploaded. */
  moduleSha256: string;
  /** sha256 (lower-case hex) of `canonicalJson(manifest)`. */
  manifestSha256: string;
}

/**
 * RFC 8785 (JCS) serialisation: object keys sorted by UTF-16 code units, no whitespace, strings
 * and numbers exactly as ECMAScript's JSON.stringify writes them.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('JSON has no non-finite numbers');
  return JSON.stringify(value ?? null);
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The manifest's digest as signed: sha256 of its canonical JSON in UTF-8. */
export function manifestSha256(manifest: unknown): string {
  return sha256Hex(canonicalJson(manifest));
}

/** The exact bytes an Ed25519 signature covers (UTF-8, each line ending in `\n`). */
export function releaseMessage(release: Release): Buffer {
  const { slug, version, moduleSha256, manifestSha256 } = release;
  return Buffer.from(`${SIGNATURE_SCHEME}\n${slug}\n${version}\n${moduleSha256}\n${manifestSha256}\n`, 'utf8');
}

/** Signs a release with an Ed25519 private key; the signature in standard base64. */
export function signRelease(privateKey: KeyObject, release: Release): string {
  return sign(null, releaseMessage(release), privateKey).toString('base64');
}

export function verifyRelease(publicKey: KeyObject, release: Release, signature: Uint8Array): boolean {
  return signature.byteLength === SIGNATURE_BYTES && verify(null, releaseMessage(release), publicKey, signature);
}

/** A public key's fingerprint: sha256 (lower-case hex) of its 32 raw bytes. */
export const fingerprintOf = (raw: Uint8Array): string => sha256Hex(raw);

export const FINGERPRINT_PATTERN = /^[0-9a-f]{64}$/;

/** The 32 raw bytes of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url');
}

// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the raw key follows it.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Strict standard base64 (padding required), or null. */
export function decodeBase64(text: string): Buffer | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

export interface ParsedPublicKey {
  key: KeyObject;
  raw: Buffer;
  fingerprint: string;
}

/**
 * Reads an Ed25519 public key written as SPKI PEM (`-----BEGIN PUBLIC KEY-----`), or base64 of
 * the 32 raw bytes or of the 44-byte DER SPKI. Returns why not when it is none of those.
 */
export function parsePublicKey(text: string): ParsedPublicKey | { problem: string } {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    if (trimmed.startsWith('-----BEGIN')) {
      if (!trimmed.startsWith('-----BEGIN PUBLIC KEY-----'))
        return { problem: 'is a PEM block but not a PUBLIC KEY (never send a private key)' };
      key = createPublicKey({ key: trimmed, format: 'pem' });
    } else {
      const bytes = decodeBase64(trimmed);
      if (!bytes) return { problem: 'is neither a PEM public key nor standard base64' };
      if (bytes.length === PUBLIC_KEY_BYTES) key = spkiKey(bytes);
      else if (bytes.length === SPKI_PREFIX.length + PUBLIC_KEY_BYTES) {
        if (!bytes.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX))
          return { problem: 'is 44 bytes of DER but not an Ed25519 SubjectPublicKeyInfo' };
        key = createPublicKey({ key: bytes, format: 'der', type: 'spki' });
      } else
        return {
          problem: `decodes to ${bytes.length} bytes: an Ed25519 public key is ${PUBLIC_KEY_BYTES} raw bytes (or 44 bytes of SPKI DER)`,
        };
    }
  } catch (err) {
    return { problem: `is not a readable public key (${(err as Error).message})` };
  }
  if (key.asymmetricKeyType !== 'ed25519')
    return { problem: `is a ${key.asymmetricKeyType ?? 'unknown'} key; only Ed25519 keys sign plugins` };
  const raw = rawPublicKey(key);
  return { key, raw, fingerprint: fingerprintOf(raw) };
}

/** A KeyObject from the 32 raw bytes of an Ed25519 public key. */
export function spkiKey(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}
