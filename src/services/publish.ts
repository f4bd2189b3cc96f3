import type { SqlEntityManager } from '@mikro-orm/knex';
import semver from 'semver';
import { Plugin, PluginVersion } from '../entities/index.ts';
import { DEFAULT_MEMORY_PAGES, inspectModule, prepareModule, InvalidModuleError } from '../runtime/index.ts';
import { MAX_WASM_BYTES, validateManifest, type Declared } from '../contracts/index.ts';
import { putBlob } from './platform/index.ts';
import { unknownDependencies } from './dependencies.ts';
import { BadInputError, ForbiddenError, NotFoundError, type Problem } from './errors.ts';
import type { Platform } from './platform/index.ts';
import { checkUploadSignature, type SignatureInput } from './signatures.ts';
import { recomputeLatest } from './versions.ts';
import { audit } from './audit.ts';
import type { Viewer } from './users.ts';

export interface PublishInput {
  slug: string;
  manifest: unknown;
  wasm: Uint8Array;
  /** Optional (required under PLUGBOARD_REQUIRE_SIGNATURES): verified before anything is stored. */
  signature?: SignatureInput | null;
}

/**
 * Publishes a version: validates manifest, module and signature together (every problem
 * reported), prepares the module once (fuel metering, memory cap), and stores both blobs and the
 * version in one transaction.
 */
export async function publishPluginVersion(
  { db, requireSignatures }: Pick<Platform, 'db' | 'requireSignatures'>,
  viewer: Viewer,
  input: PublishInput,
): Promise<number> {
  const em = db.fork();
  const plugin = await em.findOne(Plugin, { slug: input.slug });
  if (!plugin) throw new NotFoundError('Plugin', input.slug);
  if (plugin.publisher.id !== viewer.id && viewer.role !== 'ADMIN')
    throw new ForbiddenError(`Only the publisher of "${input.slug}" or an admin may publish versions`);

  // Every check runs on what is well-formed, so one report lists every problem.
  const { manifest, declared, problems } = validateManifest(input.manifest);
  if (manifest && manifest.slug !== input.slug)
    problems.push({
      field: 'manifest.slug',
      code: 'SLUG_MISMATCH',
      message: `is "${manifest.slug}", but the upload is for "${input.slug}"`,
    });
  if (manifest && (await em.count(PluginVersion, { plugin, version: manifest.version }))) {
    problems.push({
      field: 'manifest.version',
      code: 'VERSION_EXISTS',
      message: `${input.slug}@${manifest.version} is already published; versions are immutable`,
    });
  }
  problems.push(...(await unknownDependencies(em, input.slug, declared.dependencies)));
  const wasmProblems = checkModule(input.wasm, declared);
  problems.push(...wasmProblems);
  const rawVersion = (input.manifest as { version?: unknown } | null)?.version;
  const signature = await checkUploadSignature(
    em,
    requireSignatures,
    {
      publisherId: plugin.publisher.id,
      slug: input.slug,
      version: typeof rawVersion === 'string' ? rawVersion : null,
      wasm: input.wasm,
      manifest: input.manifest,
    },
    input.signature,
  );
  problems.push(...signature.problems);
  if (problems.length || !manifest)
    throw new BadInputError(problems, `The plugin was not published: ${problems.length} problem(s)`);

  const memoryMaxPages = manifest.limits.memoryMiB ? manifest.limits.memoryMiB * 16 : DEFAULT_MEMORY_PAGES;
  let prepared: Awaited<ReturnType<typeof prepareModule>>;
  try {
    prepared = await prepareModule(input.wasm, { memoryMaxPages });
  } catch (err) {
    if (err instanceof InvalidModuleError)
      throw new BadInputError([{ field: 'wasm', code: 'INVALID_MODULE', message: err.message }]);
    throw err;
  }

  return em.transactional(async (tx) => {
    const sqlTx = tx as SqlEntityManager;
    const original = await putBlob(sqlTx, input.wasm);
    await putBlob(sqlTx, prepared.bytes);
    const version = tx.create(PluginVersion, {
      plugin,
      version: manifest.version,
      manifest: input.manifest as Record<string, unknown>,
      sha256: original,
      preparedSha256: prepared.sha256,
      sizeBytes: input.wasm.byteLength,
      permissions: manifest.permissions,
      functions: manifest.functions,
      hooks: manifest.hooks,
      hostApi: manifest.hostApi,
      dependencies: manifest.dependencies,
      configSchema: manifest.configSchema,
      limits: manifest.limits,
      changelog: manifest.changelog,
      prerelease: semver.prerelease(manifest.version) !== null,
      signingKey: signature.verified?.signingKeyId ?? null,
      signature: signature.verified?.signature ?? null,
      manifestSha256: signature.verified?.manifestSha256 ?? null,
    });
    await tx.flush();
    await recomputeLatest(sqlTx, plugin.id);
    audit(
      tx,
      viewer,
      'VERSION_PUBLISH',
      { type: 'PLUGIN_VERSION', id: version.id, name: `${plugin.slug}@${version.version}` },
      {
        sha256: original,
        permissions: manifest.permissions,
      },
    );
    return version.id;
  });
}

function checkModule(wasm: Uint8Array, declared: Declared): Problem[] {
  if (wasm.byteLength === 0) return [{ field: 'wasm', code: 'EMPTY', message: 'the upload is empty' }];
  if (wasm.byteLength > MAX_WASM_BYTES)
    return [
      { field: 'wasm', code: 'TOO_LARGE', message: `is ${wasm.byteLength} bytes; the limit is ${MAX_WASM_BYTES}` },
    ];
  const report = inspectModule(wasm, {
    functions: declared.functions,
    hooks: declared.hooks,
    permissions: declared.permissions,
  });
  return report.problems.map((p) => ({
    field: p.import ? `wasm.imports.${p.import}` : p.export ? `wasm.exports.${p.export}` : 'wasm',
    code: p.code,
    message: p.message,
  }));
}
