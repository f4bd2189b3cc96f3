// biome-ignore-all lint/suspicious/noExplicitAny: responses are read field by field; each test asserts what it reads
// Signed plugins through the real server: key registration, verification at publish (every
// tampering refused with its own code, nothing stored) and revocation. The server that requires
// signatures is in signing-required.test.ts.
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { canonicalJson, rawPublicKey, sha256Hex } from '../../src/contracts/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestPlugin, INSTALL } from '../support/plugins.ts';
import { expectCode, startTestServer, type TestServer } from '../support/server.ts';
import {
  GRANTS,
  list,
  type Manifest,
  newKey,
  problemCodes,
  publish,
  REGISTER,
  REVOKE,
  sign,
  versionsOf,
  withCustomSection,
} from '../support/signing.ts';

let tagger: { manifest: Manifest; wasm: Uint8Array };

beforeAll(async () => {
  tagger = (await buildTestPlugin('tagger')) as typeof tagger;
}, 120_000);

// Publishing instruments each module (binaryen): seconds apiece on a busy 2-core box.
describe('signed versions on a server that accepts unsigned ones too', { timeout: 180_000 }, () => {
  let server: TestServer;
  let maker: string;
  let rival: string;
  let admin: string;
  let member: string;
  const keyA = newKey();
  const keyB = newKey();
  const rivalKey = newKey();
  let keyAId: string;

  beforeAll(async () => {
    server = await startTestServer();
    maker = await server.user('maker', 'PUBLISHER');
    rival = await server.user('rival', 'PUBLISHER');
    admin = await server.user('root', 'ADMIN');
    member = await server.user('member');
    await list(server, maker, 'signed');
  }, 60_000);
  afterAll(() => server?.stop());

  it('registers a key in any accepted encoding once, refuses non-keys clearly, and lists it', async () => {
    const registered = await server.ok<any, any>(REGISTER, { k: keyA.pem, n: 'laptop' }, maker);
    keyAId = registered.registerSigningKey.id;
    expect(registered.registerSigningKey).toMatchObject({
      fingerprint: keyA.fingerprint,
      publicKey: rawPublicKey(keyA.publicKey).toString('base64'),
      name: 'laptop',
      revoked: false,
    });
    // The same key in its other encodings, by its owner or anyone else: one fingerprint, CONFLICT.
    const raw = rawPublicKey(keyA.publicKey);
    for (const [text, token] of [
      [raw.toString('base64'), maker],
      [keyA.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), maker],
      [keyA.pem, rival],
    ] as const)
      expectCode(await server.gql(REGISTER, { k: text }, token), 'CONFLICT');
    await server.ok(REGISTER, { k: rawPublicKey(keyB.publicKey).toString('base64') }, maker);
    await server.ok(REGISTER, { k: rivalKey.pem }, rival);

    const notKeys = [
      '',
      'hello',
      raw.subarray(1).toString('base64'),
      Buffer.concat([raw, raw]).toString('base64'),
      raw.toString('hex'),
      keyA.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      'A'.repeat(2000),
    ];
    for (const k of notKeys) {
      const result = await server.gql(REGISTER, { k }, maker);
      expectCode(result, 'BAD_USER_INPUT', k.slice(0, 40));
      expect(problemCodes(result)).toEqual(['publicKey:PUBLIC_KEY']);
    }
    expectCode(await server.gql(REGISTER, { k: newKey().pem }, member), 'FORBIDDEN');
    expectCode(await server.gql(REGISTER, { k: newKey().pem }), 'UNAUTHENTICATED');

    const keys = await server.ok<any, any>(
      '{ viewer { signingKeys(first: 10) { edges { node { fingerprint revoked } } } } }',
      {},
      maker,
    );
    expect(keys.viewer.signingKeys.edges.map((e: any) => e.node.fingerprint)).toEqual([
      keyA.fingerprint,
      keyB.fingerprint,
    ]);
  });

  it('stores a verified signature that anyone can check with the key, the module and the manifest alone', async () => {
    const manifest = { ...tagger.manifest, slug: 'signed', version: '1.0.0' };
    // Key order is not part of what is signed: the manifest is signed as canonical JSON.
    const reordered = Object.fromEntries(Object.entries(manifest).reverse()) as Manifest;
    const result = await publish(server, maker, reordered, tagger.wasm, sign(keyA, manifest, tagger.wasm));
    expect(result.errors).toBeUndefined();
    expect(result.data.publishPluginVersion.version.signature).toMatchObject({
      keyId: keyAId,
      fingerprint: keyA.fingerprint,
      verified: true,
    });

    const [stored] = await versionsOf(server, 'signed');
    const s = stored.signature;
    expect(s.key).toMatchObject({
      id: keyAId,
      fingerprint: keyA.fingerprint,
      revoked: false,
      owner: { handle: 'maker' },
    });
    // Recompute the signed message from public data only: the downloaded module and the manifest.
    const module = new Uint8Array(await (await fetch(`${server.url}/wasm/${stored.sha256}`)).arrayBuffer());
    const expected = `plugboard-signature-v1\nsigned\n1.0.0\n${sha256Hex(module)}\n${sha256Hex(canonicalJson(stored.manifest))}\n`;
    expect(s.message).toBe(expected);
    expect(s.manifestSha256).toBe(sha256Hex(canonicalJson(stored.manifest)));
    expect(
      verify(null, Buffer.from(expected), createPublicKey(s.key.publicKeyPem), Buffer.from(s.signature, 'base64')),
    ).toBe(true);
    expect(new Date(s.signedAt).getTime()).toBeGreaterThan(0);
  });

  it('refuses every tampering and malformed signature with its own code, storing nothing', async () => {
    const base = { ...tagger.manifest, slug: 'signed', version: '1.1.0' };
    const good = sign(keyA, base, tagger.wasm);
    const tampered = withCustomSection(tagger.wasm);
    const other = { ...base, version: '1.2.0' };
    const cases: [string, Manifest, Uint8Array, { fingerprint: string; signature: string }, string][] = [
      ['module bytes changed after signing', base, tampered, good, 'signature.signature:SIGNATURE_INVALID'],
      [
        'manifest changed after signing',
        { ...base, changelog: 'sneaky' },
        tagger.wasm,
        good,
        'signature.signature:SIGNATURE_INVALID',
      ],
      [
        'limits changed after signing',
        { ...base, limits: { memoryMiB: 4, timeoutMs: 2000 } },
        tagger.wasm,
        good,
        'signature.signature:SIGNATURE_INVALID',
      ],
      ["another version's signature", other, tagger.wasm, good, 'signature.signature:SIGNATURE_INVALID'],
      [
        "another plugin's signature",
        base,
        tagger.wasm,
        sign(keyA, { ...base, slug: 'other' }, tagger.wasm),
        'signature.signature:SIGNATURE_INVALID',
      ],
      [
        'signed by another key of the publisher',
        base,
        tagger.wasm,
        { ...sign(keyB, base, tagger.wasm), fingerprint: keyA.fingerprint },
        'signature.signature:SIGNATURE_INVALID',
      ],
      [
        'an unregistered key',
        base,
        tagger.wasm,
        sign(newKey(), base, tagger.wasm),
        'signature.fingerprint:SIGNATURE_KEY_UNKNOWN',
      ],
      [
        "a rival publisher's key",
        base,
        tagger.wasm,
        sign(rivalKey, base, tagger.wasm),
        'signature.fingerprint:SIGNATURE_KEY_UNKNOWN',
      ],
      [
        'an upper-case fingerprint',
        base,
        tagger.wasm,
        { ...good, fingerprint: good.fingerprint.toUpperCase() },
        'signature.fingerprint:FINGERPRINT',
      ],
      [
        'a short fingerprint',
        base,
        tagger.wasm,
        { ...good, fingerprint: good.fingerprint.slice(2) },
        'signature.fingerprint:FINGERPRINT',
      ],
      ...[
        '!!!!',
        good.signature.slice(0, -2),
        good.signature.replace(/=+$/, ''),
        Buffer.from(good.signature, 'base64').toString('base64url').replace(/^./, '-'),
        ` ${good.signature}`,
      ].map(
        (signature) =>
          [
            'garbage base64',
            base,
            tagger.wasm,
            { ...good, signature },
            'signature.signature:SIGNATURE_ENCODING',
          ] as (typeof cases)[number],
      ),
      ...[0, 32, 63, 65, 128].map(
        (n) =>
          [
            `${n} bytes`,
            base,
            tagger.wasm,
            { ...good, signature: Buffer.alloc(n, 7).toString('base64') },
            'signature.signature:SIGNATURE_LENGTH',
          ] as (typeof cases)[number],
      ),
    ];
    for (const [what, manifest, wasm, signature, code] of cases) {
      const result = await publish(server, maker, manifest, wasm, signature);
      expectCode(result, 'BAD_USER_INPUT', what);
      expect(problemCodes(result), what).toEqual([code]);
    }
    // Other problems are still reported next to the signature's.
    const both = await publish(server, maker, { ...base, functions: ['nope'] }, tagger.wasm, {
      ...good,
      signature: 'x',
    });
    expect(problemCodes(both)).toEqual(expect.arrayContaining(['signature.signature:SIGNATURE_ENCODING']));
    expect(problemCodes(both).length).toBeGreaterThan(1);
    expect((await versionsOf(server, 'signed')).map((v: any) => v.version)).toEqual(['1.0.0']);
    // The untouched upload goes through, and unsigned versions are still welcome here.
    expect((await publish(server, maker, base, tagger.wasm, good)).errors).toBeUndefined();
    const unsigned = await publish(server, maker, { ...base, version: '1.3.0' }, tagger.wasm, null);
    expect(unsigned.data.publishPluginVersion.version.signature).toBeNull();
  });

  it('revoking a key unverifies its versions at once, refuses new signatures by it, and is its owner’s (or an admin’s) call', async () => {
    const anonymousBefore = await versionsOf(server, 'signed');
    expect(anonymousBefore.find((v: any) => v.version === '1.0.0').signature.verified).toBe(true);
    expectCode(await server.gql(REVOKE, { id: keyAId }, rival), 'NOT_FOUND');
    expectCode(await server.gql(REVOKE, { id: keyAId }, member), 'NOT_FOUND');
    expectCode(await server.gql(REVOKE, { id: keyAId }), 'UNAUTHENTICATED');
    const revoked = (await server.ok<any, any>(REVOKE, { id: keyAId }, maker)).revokeSigningKey;
    expect(revoked.revoked).toBe(true);
    // Idempotent: a second revocation keeps the first date.
    expect((await server.ok<any, any>(REVOKE, { id: keyAId }, admin)).revokeSigningKey.revokedAt).toBe(
      revoked.revokedAt,
    );

    // Read anonymously (the cached path): the mutation dropped the cache.
    const after = await versionsOf(server, 'signed');
    for (const v of after.filter((v: any) => v.signature))
      expect(v.signature, v.version).toMatchObject({ verified: false, fingerprint: keyA.fingerprint });
    const manifest = { ...tagger.manifest, slug: 'signed', version: '1.4.0' };
    expect(
      problemCodes(await publish(server, maker, manifest, tagger.wasm, sign(keyA, manifest, tagger.wasm))),
    ).toEqual(['signature.fingerprint:SIGNATURE_KEY_REVOKED']);
    expectCode(await server.gql(REGISTER, { k: keyA.pem }, maker), 'CONFLICT');
    // Without the requirement, revocation does not block installs.
    await server.ok(
      INSTALL,
      { input: { slug: 'signed', versionRange: '1.0.0', config: { tag: 't' }, grantPermissions: GRANTS } },
      member,
    );
  });
});
