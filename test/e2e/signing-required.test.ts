// biome-ignore-all lint/suspicious/noExplicitAny: responses are read field by field; each test asserts what it reads
// A server with PLUGBOARD_REQUIRE_SIGNATURES=true: unsigned publishes refused; install, upgrade and
// rollback only to versions whose signature verifies; the seed and the CLI flow work under it.
import { execFile } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateSigningKey, registerKey, revokeKey } from '../../src/cli/keys.ts';
import { publishPlugin } from '../../src/cli/plugin/publish.ts';
import { User } from '../../src/entities/index.ts';
import { seedDatabase } from '../../src/seed/seed.ts';
import { publishPluginVersion } from '../../src/services/publish.ts';
import type { UserRecord } from '../../src/services/read/index.ts';
import { scaffoldPlugin } from '../../src/toolchain/scaffold.ts';
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
  ROLLBACK,
  sign,
  UPGRADE,
  versionsOf,
} from '../support/signing.ts';

let tagger: { manifest: Manifest; wasm: Uint8Array };

beforeAll(async () => {
  tagger = (await buildTestPlugin('tagger')) as typeof tagger;
}, 120_000);

// Publishing instruments each module (binaryen): seconds apiece on a busy 2-core box.
describe('PLUGBOARD_REQUIRE_SIGNATURES=true', { timeout: 180_000 }, () => {
  let server: TestServer;
  let maker: string;
  let alice: string;
  let bob: string;
  let tmp: string;
  const k1 = newKey();
  const k2 = newKey();
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer({ env: { PLUGBOARD_REQUIRE_SIGNATURES: 'true' } });
    tmp = await mkdtemp(path.join(tmpdir(), 'plugboard-signing-'));
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  it('seeds a marketplace whose versions all verify, and installs them', { timeout: 300_000 }, async () => {
    const seeded = await seedDatabase(server.app.platform);
    const { plugins } = await server.ok<any, any>(
      '{ plugins(first: 100) { edges { node { slug latestVersion { signature { verified fingerprint signature message key { publicKeyPem } } } } } } }',
    );
    const signed = plugins.edges.map((e: any) => e.node).filter((p: any) => p.latestVersion);
    expect(signed).toHaveLength(seeded.versions);
    for (const { slug, latestVersion } of signed) {
      const s = latestVersion.signature;
      expect(s?.verified, slug).toBe(true);
      const key = createPublicKey(s.key.publicKeyPem);
      expect(verify(null, Buffer.from(s.message), key, Buffer.from(s.signature, 'base64')), slug).toBe(true);
    }
    // The seed's demo user has installations: its installs passed the requirement.
    const { installations } = await server.ok<any, any>(
      '{ installations { edges { node { id } } } }',
      {},
      seeded.demoToken,
    );
    expect(installations.edges.length).toBeGreaterThan(0);
  });

  it('refuses unsigned publishes and installs only verified versions: install, upgrade and rollback', async () => {
    maker = await server.user('gatekeeper', 'PUBLISHER');
    alice = await server.user('alice');
    bob = await server.user('bob');
    for (const k of [k1, k2])
      ids[k.fingerprint] = (await server.ok<any, any>(REGISTER, { k: k.pem }, maker)).registerSigningKey.id;
    await list(server, maker, 'gated');
    const m = (version: string) => ({ ...tagger.manifest, slug: 'gated', version });

    const unsigned = await publish(server, maker, m('1.0.0'), tagger.wasm, null);
    expectCode(unsigned, 'BAD_USER_INPUT');
    expect(problemCodes(unsigned)).toEqual(['signature:SIGNATURE_REQUIRED']);
    expect(await versionsOf(server, 'gated')).toEqual([]);

    for (const [version, key] of [
      ['1.0.0', k1],
      ['1.1.0', k2],
    ] as const)
      expect(
        (await publish(server, maker, m(version), tagger.wasm, sign(key, m(version), tagger.wasm))).errors,
      ).toBeUndefined();
    // A version stored before the requirement was turned on (the service, as a server without it).
    const gatekeeper = { id: await userId(server, 'gatekeeper'), role: 'PUBLISHER' } as UserRecord;
    await publishPluginVersion({ db: server.app.platform.db, requireSignatures: false }, gatekeeper, {
      slug: 'gated',
      manifest: m('1.2.0'),
      wasm: tagger.wasm,
    });
    const install = (token: string, versionRange: string) =>
      server.gql<any, any>(
        INSTALL,
        { input: { slug: 'gated', versionRange, config: { tag: 'g' }, grantPermissions: GRANTS } },
        token,
      );

    // The unsigned 1.2.0 is passed over for the highest verified version in range…
    const a = await install(alice, '^1.0.0');
    expect(a.errors).toBeUndefined();
    const aliceId = a.data.installPlugin.id;
    expect(
      (
        await server.ok<any, any>(
          'query ($id: ID!) { installation(id: $id) { version { version } } }',
          { id: aliceId },
          alice,
        )
      ).installation.version.version,
    ).toBe('1.1.0');
    // …and refused when it is the only one in range, for installs and upgrades alike.
    expect(problemCodes(await install(bob, '1.2.0'))).toEqual(['versionRange:SIGNATURE_REQUIRED']);
    expect(problemCodes(await server.gql(UPGRADE, { id: aliceId, r: '1.2.0' }, alice))).toEqual([
      'versionRange:SIGNATURE_REQUIRED',
    ]);

    // Bob goes 1.0.0 → 1.1.0; once k1 is revoked, rolling back to 1.0.0 is refused.
    const b = (await install(bob, '1.0.0')).data.installPlugin.id;
    expect((await server.ok<any, any>(UPGRADE, { id: b, r: '^1.1.0' }, bob)).upgradeInstallation.version.version).toBe(
      '1.1.0',
    );
    await server.ok(REVOKE, { id: ids[k1.fingerprint] }, maker);
    const rollback = await server.gql(ROLLBACK, { id: b }, bob);
    expectCode(rollback, 'BAD_USER_INPUT');
    expect(problemCodes(rollback)).toEqual(['version:SIGNATURE_REQUIRED']);
    expect(problemCodes(await install(await server.user('carol'), '1.0.0'))).toEqual([
      'versionRange:SIGNATURE_REQUIRED',
    ]);
    // Installations already on a revoked version keep running (the kill switch is another matter).
    expect(
      (await server.ok<any, any>('query ($id: ID!) { installation(id: $id) { version { version } } }', { id: b }, bob))
        .installation.version.version,
    ).toBe('1.1.0');
  });

  it('re-verifies the stored signature at install: one altered in the database is refused', async () => {
    const m = { ...tagger.manifest, slug: 'altered', version: '1.0.0' };
    await list(server, maker, 'altered');
    expect((await publish(server, maker, m, tagger.wasm, sign(k2, m, tagger.wasm))).errors).toBeUndefined();
    const forged = sign(k2, { ...m, version: '9.9.9' }, tagger.wasm).signature;
    await server.app.platform.db
      .fork()
      .getConnection()
      .execute(
        'update plugin_versions set signature = ? where version = ? and plugin_id = (select id from plugins where slug = ?)',
        [forged, '1.0.0', 'altered'],
      );
    const result = await server.gql<any, any>(
      INSTALL,
      { input: { slug: 'altered', config: { tag: 'x' }, grantPermissions: GRANTS } },
      alice,
    );
    expect(problemCodes(result)).toEqual(['versionRange:SIGNATURE_REQUIRED']);
  });

  it('the CLI flow: keys generate, keys register, plugin publish --key, then install', {
    timeout: 180_000,
  }, async () => {
    const run = promisify(execFile);
    const out = path.join(tmp, 'keys');
    const { stdout } = await run('node', [path.resolve('bin/plugboard.js'), 'keys', 'generate', '--out', out]);
    const fingerprint = stdout.trim();
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(path.join(out, 'signing-key.pem'))).mode & 0o777).toBe(0o600);
    await expect(generateSigningKey(out)).rejects.toThrow(/exists/);

    const opts = { server: server.url, token: maker };
    const key = await registerKey(opts, path.join(out, 'signing-key.pub.pem'), 'ci');
    expect(key.fingerprint).toBe(fingerprint);
    const dir = path.join(tmp, 'signed-by-cli');
    await scaffoldPlugin(dir, 'signed-by-cli');
    await expect(publishPlugin(dir, opts, () => {})).rejects.toThrow(/SIGNATURE_REQUIRED/);
    const published = await publishPlugin(dir, { ...opts, key: path.join(out, 'signing-key.pem') }, () => {});
    expect(published.signedWith).toBe(fingerprint);
    const [version] = await versionsOf(server, 'signed-by-cli');
    expect(version.signature).toMatchObject({ fingerprint, verified: true, keyId: key.id });
    await server.ok(
      INSTALL,
      { input: { slug: 'signed-by-cli', config: {}, grantPermissions: version.manifest.permissions } },
      alice,
    );
    expect((await revokeKey(opts, key.id)).revokedAt).not.toBeNull();
  });
});

async function userId(server: TestServer, handle: string): Promise<number> {
  return (await server.app.platform.db.fork().findOneOrFail(User, { handle })).id;
}
