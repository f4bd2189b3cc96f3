import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Command } from 'commander';
import { buildPlugin } from '../../../sdk-assemblyscript/compiler/build.ts';
import { contractOf, readPluginJson, type PluginJson } from '../../contracts/index.ts';
import { inspectModule } from '../../runtime/index.ts';
import { action } from '../action.ts';
import { bytes } from './format.ts';
import { describeErrors, graphql, graphqlMultipart, ServerError, type ServerOptions } from './graphql-client.ts';

const CREATE_PLUGIN = `mutation CreatePlugin($input: CreatePluginInput!) { createPlugin(input: $input) { __typename } }`;
const PUBLISH = `mutation Publish($input: PublishPluginVersionInput!) {
  publishPluginVersion(input: $input) { version { id version sha256 } }
}`;

interface Published {
  publishPluginVersion: { version: { id: string; version: string; sha256: string } } | null;
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
}

/** Builds, checks locally as the server will, then uploads; progress goes to `log`. */
export async function publishPlugin(
  dir: string,
  opts: ServerOptions,
  log: (line: string) => void = console.log,
): Promise<PublishOutcome> {
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
  const listingCreated = await ensureListing(opts, manifest);
  if (listingCreated) log(`created listing ${manifest.slug}`);
  log(`uploading ${bytes(build.bytes.length)} to ${opts.server}…`);
  const started = performance.now();
  const res = await graphqlMultipart<Published>(
    opts,
    PUBLISH,
    { input: { slug: manifest.slug, manifest: contractOf(manifest), wasm: null } },
    { 'variables.input.wasm': { bytes: build.bytes, name: 'plugin.wasm', type: 'application/wasm' } },
  );
  const version = res.data?.publishPluginVersion?.version;
  if (res.errors.length > 0 || !version) {
    throw new ServerError(['the server refused the version:', ...describeErrors(res.errors)].join('\n'));
  }
  log(`  uploaded in ${Math.round(performance.now() - started)} ms`);
  if (version.sha256 !== sha256)
    throw new ServerError(`the server stored sha256 ${version.sha256}, but the upload was ${sha256}`);
  return { ...version, listingCreated };
}

export function registerPublish(plugin: Command): void {
  plugin
    .command('publish')
    .description('Build, check and upload the plugin as a new version; prints every problem the server reports')
    .argument('[dir]', 'plugin folder', '.')
    .requiredOption('--server <url>', 'Plugboard server, e.g. http://localhost:4000', process.env.PLUGBOARD_SERVER)
    .requiredOption('--token <token>', 'API token of a publisher (or set PLUGBOARD_TOKEN)', process.env.PLUGBOARD_TOKEN)
    .action(
      action(async (dir: string, opts: ServerOptions) => {
        const v = await publishPlugin(dir, opts);
        console.log(`published ${v.version} (id ${v.id}, sha256 ${v.sha256})`);
      }),
    );
}
