import { publishPluginVersion } from '../../services/publish.ts';
import { publishes } from '../auth.ts';
import { deprecatePluginVersion, revokePluginVersion, yankPluginVersion } from '../../services/versions.ts';
import { builder } from '../builder.ts';
import { parseRowId } from '../ids.ts';
import { reload } from '../reload.ts';
import { PluginRef, PluginVersionRef, UserRef } from '../refs.ts';

builder.node(PluginVersionRef, {
  description: 'One published build of a plugin',
  id: { resolve: (v) => v.id, parse: parseRowId },
  loadMany: (ids, ctx) => ids.map((id) => ctx.loaders.version.load(id)),
  fields: (t) => ({
    version: t.exposeString('version', { description: 'Semantic version' }),
    plugin: t.field({
      type: PluginRef,
      resolve: async (v, _args, ctx) => (await ctx.loaders.plugin.load(v.pluginId))!,
    }),
    manifest: t.expose('manifest', { type: 'JSONObject' }),
    sha256: t.exposeString('sha256', {
      description: 'sha256 of the module as uploaded; download it from /wasm/{sha256}',
    }),
    sizeBytes: t.exposeInt('sizeBytes'),
    permissions: t.exposeStringList('permissions'),
    functions: t.exposeStringList('functions'),
    hooks: t.exposeStringList('hooks'),
    hostApi: t.exposeString('hostApi', { description: 'Semver range of the host API the module was built for' }),
    dependencies: t.expose('dependencies', { type: 'JSONObject', description: 'Plugin slug -> semver range' }),
    configSchema: t.expose('configSchema', { type: 'JSONObject', nullable: true }),
    limits: t.field({
      type: 'JSONObject',
      description: 'memoryMiB, timeoutMs, fuel as requested by the manifest',
      resolve: (v) => ({ ...v.limits }),
    }),
    changelog: t.exposeString('changelog'),
    prerelease: t.exposeBoolean('prerelease'),
    yanked: t.exposeBoolean('yanked'),
    deprecated: t.boolean({ resolve: (v) => v.deprecationReason !== null }),
    deprecationReason: t.exposeString('deprecationReason', { nullable: true }),
    revoked: t.boolean({
      description: 'Revoked with the kill switch: it never runs, installs, or is upgraded or rolled back to again',
      resolve: (v) => v.revokedAt !== null,
    }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    revocationReason: t.exposeString('revokedReason', { nullable: true }),
    revokedBy: t.field({
      type: UserRef,
      nullable: true,
      description: 'The publisher or admin who revoked it',
      resolve: (v, _args, ctx) => (v.revokedById === null ? null : ctx.loaders.user.load(v.revokedById)),
    }),
    publishedAt: t.expose('publishedAt', { type: 'DateTime' }),
  }),
});

const PublishSignatureInput = builder.inputType('PublishSignatureInput', {
  description: 'An Ed25519 signature of the release message (README, "Signed plugins")',
  fields: (t) => ({
    fingerprint: t.string({ required: true, description: 'Fingerprint of a key the plugin publisher registered' }),
    signature: t.string({ required: true, description: 'The 64-byte signature, standard base64' }),
  }),
});

const PublishPluginVersionInput = builder.inputType('PublishPluginVersionInput', {
  fields: (t) => ({
    slug: t.string({ required: true }),
    manifest: t.field({ type: 'JSONObject', required: true, description: 'The plugin.json manifest' }),
    wasm: t.field({ type: 'File', required: true, description: 'The compiled module (GraphQL multipart upload)' }),
    signature: t.field({
      type: PublishSignatureInput,
      description: 'Required when the server sets PLUGBOARD_REQUIRE_SIGNATURES',
    }),
  }),
});

const PublishPayload = builder.objectRef<{ versionId: number }>('PublishPluginVersionPayload').implement({
  fields: (t) => ({
    version: t.field({ type: PluginVersionRef, resolve: (p, _args, ctx) => reload(ctx.loaders.version, p.versionId) }),
  }),
});

builder.mutationFields((t) => ({
  publishPluginVersion: t.field({
    type: PublishPayload,
    description: 'Validates and publishes a version; every problem found is listed in extensions.problems',
    authScopes: publishes,
    args: { input: t.arg({ type: PublishPluginVersionInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const wasm = new Uint8Array(await input.wasm.arrayBuffer());
      return {
        versionId: await publishPluginVersion(ctx.app.platform, ctx.viewer!, {
          slug: input.slug,
          manifest: input.manifest,
          wasm,
          signature: input.signature,
        }),
      };
    },
  }),
  yankPluginVersion: t.field({
    type: PluginVersionRef,
    description: 'A yanked version is never chosen by installs or upgrades; installations on it keep running',
    authScopes: publishes,
    args: {
      slug: t.arg.string({ required: true }),
      version: t.arg.string({ required: true }),
      yanked: t.arg.boolean({ defaultValue: true }),
    },
    resolve: async (_root, args, ctx) =>
      reload(
        ctx.loaders.version,
        await yankPluginVersion(ctx.app.platform, ctx.viewer!, args.slug, args.version, args.yanked ?? true),
      ),
  }),
  revokePluginVersion: t.field({
    type: PluginVersionRef,
    description:
      'The kill switch, for a version found to be malicious (its publisher or an admin): installed copies stop ' +
      'running at once (calls and hooks are REJECTED with PLUGIN_REVOKED and the reason; calls already running ' +
      'finish), and it is never installed, upgraded to or rolled back to again. Permanent; revoking it again ' +
      'changes nothing and keeps the first reason',
    authScopes: publishes,
    args: {
      slug: t.arg.string({ required: true }),
      version: t.arg.string({ required: true }),
      reason: t.arg.string({
        required: true,
        description: '1 to 500 characters, shown to every owner of an installation',
      }),
    },
    resolve: async (_root, args, ctx) =>
      reload(
        ctx.loaders.version,
        await revokePluginVersion(ctx.app.platform, ctx.viewer!, args.slug, args.version, args.reason),
      ),
  }),
  deprecatePluginVersion: t.field({
    type: PluginVersionRef,
    authScopes: publishes,
    args: {
      slug: t.arg.string({ required: true }),
      version: t.arg.string({ required: true }),
      reason: t.arg.string({ description: 'null undeprecates' }),
    },
    resolve: async (_root, args, ctx) =>
      reload(
        ctx.loaders.version,
        await deprecatePluginVersion(ctx.app.platform, ctx.viewer!, args.slug, args.version, args.reason ?? null),
      ),
  }),
}));
