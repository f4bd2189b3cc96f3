import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Plugin } from './plugin.ts';
import { User } from './user.ts';
import { SigningKey } from './signing-key.ts';

export interface VersionLimits {
  memoryMiB?: number;
  timeoutMs?: number;
  fuel?: number;
}

export const PluginVersion = defineEntity({
  name: 'PluginVersion',
  tableName: 'plugin_versions',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    plugin: p.manyToOne(Plugin).ref().index(),
    version: p.string().length(64),
    /** True for the highest stable, non-yanked version of its plugin (one per plugin). */
    latest: p.boolean().default(false),
    manifest: p.json<Record<string, unknown>>(),
    /** sha256 of the module as uploaded. */
    sha256: p.string().length(64),
    /** sha256 of the module after fuel instrumentation and memory capping (what runs). */
    preparedSha256: p.string().length(64),
    sizeBytes: p.integer(),
    permissions: p.json<string[]>(),
    functions: p.json<string[]>(),
    hooks: p.json<string[]>(),
    hostApi: p.string().length(64),
    dependencies: p.json<Record<string, string>>(),
    configSchema: p.json<Record<string, unknown>>().nullable(),
    limits: p.json<VersionLimits>(),
    changelog: p.text().default(''),
    prerelease: p.boolean().default(false),
    yanked: p.boolean().default(false),
    deprecationReason: p.string().length(500).nullable(),
    /** Set once, never cleared: a revoked version never runs or installs again (the kill switch). */
    revokedAt: p.datetime().nullable().index(),
    revokedReason: p.string().length(500).nullable(),
    revokedBy: p.manyToOne(User).ref().nullable(),
    publishedAt: p.datetime().onCreate(() => new Date()),
    /** The key whose signature the server verified at publish; null for an unsigned version. */
    signingKey: p.manyToOne(SigningKey).ref().nullable().index(),
    /** Ed25519 signature (standard base64) of the release message (src/contracts/signature.ts). */
    signature: p.string().length(88).nullable(),
    /** sha256 of the manifest's canonical JSON, as signed. */
    manifestSha256: p.string().length(64).nullable(),
  }),
  uniques: [{ properties: ['plugin', 'version'] }],
  indexes: [{ properties: ['plugin', 'latest'] }],
});
export type PluginVersion = InferEntity<typeof PluginVersion>;
