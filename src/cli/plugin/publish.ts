import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Command } from 'commander';
import { buildPlugin } from '../../../sdk-assemblyscript/compiler/build.ts';
import { contractOf, manifestSha256, readPluginJson, signRelease, type PluginJson } from '../../contracts/index.ts';
import { inspectModule } from '../../runtime/index.ts';
import { action } from '../action.ts';
import { defaultKeyDir, PRIVATE_KEY_FILE, readSigningKey } from '../keys.ts';
import { bytes } from './format.ts';
import { describeErrors, graphql, graphqlMultipart, ServerError, type ServerOptions } from './graphql-client.ts';

const CREATE_PLUGIN = `mutation CreatePlugin($input: CreatePluginInput!) { createPlugin(input: $input) { __typename } }`;
const PUBLISH = `mutation Publish($input: PublishPluginVersionInput!) {
  publishPluginVersion(input: $input) { version { id version sha256 signature { fingerprint verified } } }
}`;

interface Published {
  publishPluginVersion: {
    version: {
      id: string;
      version: string;
      sha256: string;
      signature: { fingerprint: string; verified: boolean } | null;
    };
  } | null;
}

/** Creates the marketplace listing unless it exists (CONFLICT); returns whether it was created. */
async function ensureListing(opts: ServerOptions, m: PluginJson): Promise<boolean> {
  const input = {
    slug: m.slug,
    name: m.name ?? m.slug,
    summary: m.summary ?? m.slug,
    category: m.category ?? 'utilities',
  };
  const res = await graphql<unknown>(opts, CREATE_PLUGIN, { input });
  if (res.errors.length === 0) return true;
  if (res.errors.every((e) => e.extensions?.code === 'CONFLICT')) return false;
  throw new ServerError(['createPlugin failed:', ...describeErrors(res.errors)].join('\n'));
}

export interface PublishOutcome {
  id: string;
  version: string;
  sha256: string;
  listingCreated: boolean;
  /** Fingerprint of the key the version was signed with, or null. */
  signedWith: string | null;
}

export interface PublishOptions extends ServerOptions {
  /** Private key (PEM) to sign the version with; unsigned when absent. */
  key?: string;
}

/** Builds, checks locally as the server will, then uploads; progress goes to `log`. */
export async function publishPlugin(
  dir: string,
  opts: PublishOptions,
  log: (line: string) => void = console.log,
): Promise<PublishOutcome> {
  const signer = opts.key ? await readSigningKey(opts.key) : null;
  const root = path.resolve(dir);
  const manifest = await readPluginJson(root);
  log(`building ${manifest.slug} ${manifest.version}…`);
  const build = await buildPlugin(root);
  const sha256 = createHash('sha256').update(build.bytes).digest('hex');
  log(`  ${bytes(build.bytes.length)}, sha256 ${sha256}${build.cached ? ' (unchanged)' : ''}`);
  const local = inspectModule(build.bytes, manifest);
  if (!local.ok) {
    throw new Error(
      [
        `the module would be refused (${local.problems.length} problem(s)):`,
        ...local.problems.map((p) => `  ✗ ${p.code}: ${p.message}`),
      ].join('\n'),
    );
  }
  // The manifest is sent as this object, and its canonical JSON is what the signature covers.
  const contract = contractOf(manifest);
  const signature = signer
    ? {
        fingerprint: signer.fingerprint,
        signature: signRelease(signer.privateKey, {
          slug: manifest.slug,
          version: manifest.version,
          moduleSha256: sha256,
          manifestSha256: manifestSha256(contract),
        }),
      }
    : null;
  if (signer) log(`  signed with key ${signer.fingerprint}`);
  const listingCreated = await ensureListing(opts, manifest);
  if (listingCreated) log(`created listing ${manifest.slug}`);
  log(`uploading ${bytes(build.bytes.length)} to ${opts.server}…`);
  const started = performance.now();
  const res = await graphqlMultipart<Published>(
    opts,
    PUBLISH,
    { input: { slug: manifest.slug, manifest: contract, wasm: null, signature } },
    { 'variables.input.wasm': { bytes: build.bytes, name: 'plugin.wasm', type: 'application/wasm' } },
  );
  const version = res.data?.publishPluginVersion?.version;
  if (res.errors.length > 0 || !version) {
    throw new ServerError(['the server refused the version:', ...describeErrors(res.errors)].join('\n'));
  }
  log(`  uploaded in ${Math.round(performance.now() - started)} ms`);
  if (version.sha256 !== sha256)
    throw new ServerError(`the server stored sha256 ${version.sha256}, but the upload was ${sha256}`);
  if (signature && version.signature?.fingerprint !== signature.fingerprint)
    throw new ServerError(`the server did not record the signature by ${signature.fingerprint}`);
  return {
    id: version.id,
    version: version.version,
    sha256: version.sha256,
    listingCreated,
    signedWith: signature?.fingerprint ?? null,
  };
}

export function registerPublish(plugin: Command): void {
  plugin
    .command('publish')
    .description('Build, check and upload the plugin as a new version; prints every problem the server reports')
    .argument('[dir]', 'plugin folder', '.')
    .requiredOption('--server <url>', 'Plugboard server, e.g. http://localhost:4000', process.env.PLUGBOARD_SERVER)
    .requiredOption('--token <token>', 'API token of a publisher (or set PLUGBOARD_TOKEN)', process.env.PLUGBOARD_TOKEN)
    .option(
      '--key [file]',
      `sign with this Ed25519 private key (alone: ${path.join('$PLUGBOARD_KEY_DIR or ~/.plugboard', PRIVATE_KEY_FILE)}; or set PLUGBOARD_SIGNING_KEY)`,
      process.env.PLUGBOARD_SIGNING_KEY,
    )
    .action(
      action(async (dir: string, opts: ServerOptions & { key?: string | true }) => {
        const key = opts.key === true ? path.join(defaultKeyDir(), PRIVATE_KEY_FILE) : opts.key || undefined;
        const v = await publishPlugin(dir, { ...opts, key });
        console.log(
          `published ${v.version} (id ${v.id}, sha256 ${v.sha256}${v.signedWith ? `, signed by ${v.signedWith}` : ''})`,
        );
      }),
    );
}
