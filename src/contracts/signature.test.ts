import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  decodeBase64,
  fingerprintOf,
  manifestSha256,
  parsePublicKey,
  rawPublicKey,
  releaseMessage,
  signRelease,
  verifyRelease,
} from './signature.ts';

describe('canonicalJson (RFC 8785)', () => {
  it('writes the RFC 8785 sample exactly', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units, at every depth', () => {
    const keys = ['\u20ac', '\r', '\ufb33', '1', '\ud83d\ude00', '\u0080', '\u00f6'];
    const expected = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'];
    // Compared as text: Object.keys would list the integer-like key "1" first whatever the order.
    expect(canonicalJson(Object.fromEntries(keys.map((k) => [k, 0])))).toBe(
      `{${expected.map((k) => `${JSON.stringify(k)}:0`).join(',')}}`,
    );
    expect(canonicalJson({ b: [{ z: 1, a: 2 }], a: { y: null, x: -0 } })).toBe(
      '{"a":{"x":0,"y":null},"b":[{"a":2,"z":1}]}',
    );
  });

  it('gives one digest whatever the key order or spacing of the manifest', () => {
    const a = JSON.parse('{"slug":"x","version":"1.0.0","limits":{"fuel":1000,"memoryMiB":8}}');
    const b = JSON.parse('{ "limits": { "memoryMiB": 8.0, "fuel": 1e3 }, "version": "1.0.0", "slug": "x" }');
    expect(manifestSha256(a)).toBe(manifestSha256(b));
    expect(manifestSha256({ ...a, version: '1.0.1' })).not.toBe(manifestSha256(a));
  });
});

describe('release signatures', () => {
  const release = { slug: 'p', version: '1.0.0', moduleSha256: 'a'.repeat(64), manifestSha256: 'b'.repeat(64) };

  it('signs the documented message and verifies only that message', () => {
    expect(releaseMessage(release).toString()).toBe(
      `plugboard-signature-v1\np\n1.0.0\n${'a'.repeat(64)}\n${'b'.repeat(64)}\n`,
    );
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const signature = decodeBase64(signRelease(privateKey, release))!;
    expect(signature).toHaveLength(64);
    expect(verifyRelease(publicKey, release, signature)).toBe(true);
    for (const field of ['slug', 'version', 'moduleSha256', 'manifestSha256'] as const)
      expect(verifyRelease(publicKey, { ...release, [field]: `${release[field]}0` }, signature), field).toBe(false);
    expect(verifyRelease(generateKeyPairSync('ed25519').publicKey, release, signature)).toBe(false);
    expect(verifyRelease(publicKey, release, signature.subarray(0, 63))).toBe(false);
  });

  it('reads a public key in each accepted encoding to one fingerprint, and refuses others', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = rawPublicKey(publicKey);
    const encodings = [
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      raw.toString('base64'),
      publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    ];
    const prints = encodings.map((e) => (parsePublicKey(e) as { fingerprint?: string }).fingerprint);
    expect(prints).toEqual(encodings.map(() => fingerprintOf(raw)));
    const refused = [
      '',
      'not a key',
      raw.subarray(0, 31).toString('base64'),
      Buffer.concat([raw, Buffer.from([0])]).toString('base64'),
      raw.toString('base64url'),
      privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
    ];
    for (const text of refused) expect(parsePublicKey(text), text).toHaveProperty('problem');
  });

  it('decodes strict base64 only', () => {
    expect(decodeBase64('AAECAw==')).toEqual(Buffer.from([0, 1, 2, 3]));
    for (const bad of ['AAECAw', 'AAEC Aw==', 'AAEC-w==', 'AAECAx==', '!!!!', 'AAECAw==='])
      expect(decodeBase64(bad), bad).toBeNull();
  });
});
