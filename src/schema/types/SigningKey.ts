import { encodeGlobalID } from '@pothos/plugin-relay';
import { releaseMessage, SIGNATURE_SCHEME, spkiKey } from '../../contracts/index.ts';
import type { PluginVersionRecord, SigningKeyRecord } from '../../services/read/index.ts';
import { registerSigningKey, revokeSigningKey } from '../../services/signing-keys.ts';
import { publishes, publishingToken } from '../auth.ts';
import { builder } from '../builder.ts';
import { arrayConnection } from '../connection.ts';
import { parseRowId } from '../ids.ts';
import { PluginVersionRef, SigningKeyRef, UserRef } from '../refs.ts';
import { reload } from '../reload.ts';

builder.node(SigningKeyRef, {
  description: 'An Ed25519 public key a publisher signs plugin versions with (the private key never leaves them)',
  id: { resolve: (k) => k.id, parse: parseRowId },
  loadMany: (ids, ctx) => ids.map((id) => ctx.loaders.signingKey.load(id)),
  fields: (t) => ({
    name: t.exposeString('name'),
    fingerprint: t.exposeString('fingerprint', { description: 'sha256 (lower-case hex) of the 32 raw key bytes' }),
    publicKey: t.exposeString('publicKey', { description: 'The 32 raw key bytes, standard base64' }),
    publicKeyPem: t.string({
      description: 'The key as SPKI PEM (what `openssl pkey -pubin` reads)',
      resolve: (k) => spkiKey(Buffer.from(k.publicKey, 'base64')).export({ type: 'spki', format: 'pem' }).toString(),
    }),
    owner: t.field({ type: UserRef, resolve: async (k, _args, ctx) => (await ctx.loaders.user.load(k.ownerId))! }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    revoked: t.boolean({ resolve: (k) => k.revokedAt !== null }),
  }),
});

interface SignatureShape {
  version: PluginVersionRecord;
  key: SigningKeyRecord;
}

const PluginSignatureRef = builder.objectRef<SignatureShape>('PluginSignature').implement({
  description: `A publisher's Ed25519 signature of a version (scheme ${SIGNATURE_SCHEME}), verified at publish`,
  fields: (t) => ({
    keyId: t.id({
      description: 'Global ID of the SigningKey (the `id` of `key`)',
      resolve: (s) => encodeGlobalID('SigningKey', s.key.id),
    }),
    fingerprint: t.string({ resolve: (s) => s.key.fingerprint }),
    verified: t.boolean({
      description: 'The signature verified at publish and its key is not revoked (false from the moment it is)',
      resolve: (s) => s.key.revokedAt === null,
    }),
    signedAt: t.field({
      type: 'DateTime',
      description: 'When the server verified it (the publish)',
      resolve: (s) => s.version.publishedAt,
    }),
    signature: t.string({
      description: 'The 64-byte signature, standard base64',
      resolve: (s) => s.version.signature!,
    }),
    manifestSha256: t.string({
      description: 'sha256 of the canonical JSON (RFC 8785) of `PluginVersion.manifest`',
      resolve: (s) => s.version.manifestSha256!,
    }),
    message: t.string({
      description: 'The exact signed text (UTF-8): scheme, slug, version, module sha256, manifest sha256, one per line',
      resolve: async (s, _args, ctx) => {
        const plugin = (await ctx.loaders.plugin.load(s.version.pluginId))!;
        return releaseMessage({
          slug: plugin.slug,
          version: s.version.version,
          moduleSha256: s.version.sha256,
          manifestSha256: s.version.manifestSha256!,
        }).toString('utf8');
      },
    }),
    key: t.field({ type: SigningKeyRef, resolve: (s) => s.key }),
  }),
});

builder.objectField(PluginVersionRef, 'signature', (t) =>
  t.field({
    type: PluginSignatureRef,
    nullable: true,
    description: 'The publisher signature verified at publish; null for an unsigned version',
    resolve: async (v, _args, ctx) => {
      if (v.signingKeyId === null || !v.signature || !v.manifestSha256) return null;
      const key = await ctx.loaders.signingKey.load(v.signingKeyId);
      return key ? { version: v, key } : null;
    },
  }),
);

builder.objectField(UserRef, 'signingKeys', (t) =>
  t.connection({
    type: SigningKeyRef,
    description: 'Public keys this user signs plugin versions with, revoked ones included, oldest first',
    resolve: async (user, args, ctx) => arrayConnection(await ctx.loaders.signingKeysOfUser.load(user.id), args),
  }),
);

builder.mutationFields((t) => ({
  registerSigningKey: t.field({
    type: SigningKeyRef,
    description:
      'Registers an Ed25519 public key (SPKI PEM, or base64 of the 32 raw bytes or of the SPKI DER) for signing versions; CONFLICT when its fingerprint is registered already',
    authScopes: publishes,
    args: { publicKey: t.arg.string({ required: true }), name: t.arg.string() },
    resolve: async (_root, args, ctx) =>
      reload(
        ctx.loaders.signingKey,
        await registerSigningKey(ctx.app.platform, ctx.viewer!, { publicKey: args.publicKey, name: args.name }),
      ),
  }),
  revokeSigningKey: t.field({
    type: SigningKeyRef,
    description:
      'Revokes a key for good: versions signed with it read verified: false, and a server requiring signatures no longer installs them',
    authScopes: publishingToken,
    args: { id: t.arg.globalID({ required: true, for: SigningKeyRef }) },
    resolve: async (_root, { id }, ctx) =>
      reload(ctx.loaders.signingKey, await revokeSigningKey(ctx.app.platform, ctx.viewer!, id.id)),
  }),
}));
