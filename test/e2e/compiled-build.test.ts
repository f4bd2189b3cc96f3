import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildPlugin } from '../../sdk-assemblyscript/compiler/build.ts';
import { graphql, graphqlMultipart } from '../../src/cli/plugin/graphql-client.ts';
import { createTestStorage, type TestStorage } from '../support/database.ts';
import { imageCommands, readCompose, repo } from '../support/deploy-files.ts';

// The production path, end to end: `npm run build`'s output started with the image's own CMD
// (from the Dockerfile) after compose.yaml's migrate command, probed with the image's
// HEALTHCHECK, with every module the process and its worker threads load recorded.
const run = promisify(execFile);
const image = imageCommands();
const migrate = readCompose().services.migrate.command as string[];
const recorder = fileURLToPath(new URL('../fixtures/record-loads/register.mjs', import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), 'plugboard-compiled-'));
const loads = path.join(work, 'loads.txt');
let storage: TestStorage;
let server: ChildProcess | null = null;

/** `node …` from the Dockerfile or compose.yaml, run by this Node with the load recorder preloaded. */
const argv = ([node, ...args]: string[]) => {
  expect(node).toBe('node');
  return ['--import', recorder, ...args];
};

const env = () => ({
  ...process.env,
  PLUGBOARD_DATA_DIR: storage.dataDir,
  DATABASE_URL: storage.databaseUrl ?? '',
  REDIS_URL: storage.redisUrl ?? '',
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'info',
  PLUGBOARD_WORKERS: '1',
  RECORD_LOADS_FILE: loads,
});

beforeAll(async () => {
  // What `npm start` runs first: compiles only when dist/ is not the build of these sources.
  await run(process.execPath, ['bin/build.js', '--if-stale'], { cwd: repo });
  storage = await createTestStorage();
}, 600_000);

afterAll(async () => {
  server?.kill('SIGKILL');
  await storage?.drop();
  rmSync(work, { recursive: true, force: true });
});

it('runs migrations, the server, a publish and a plugin call from dist/ with no TypeScript loader', async () => {
  const migrated = await run(process.execPath, argv(migrate), { cwd: repo, env: env() });
  expect(migrated.stdout).toMatch(/^Applied Migration\d+_initial/);
  const created = await run(
    process.execPath,
    [...argv(['node', 'bin/plugboard.js']), 'users', 'create', '--handle', 'ops', '--role', 'ADMIN'],
    { cwd: repo, env: env() },
  );
  const token = created.stdout.trim().split('\n').at(-1) as string;

  const child = spawn(process.execPath, argv(image.cmd), { cwd: repo, env: env() });
  server = child;
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk;
      const match = /"url":"(http:[^"]+)\/graphql"/.exec(out);
      if (match) resolve(match[1]);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  const port = new URL(url).port;
  const healthcheck = () =>
    run(process.execPath, image.healthcheck.slice(1), { env: { ...process.env, PORT: port } }).then(
      () => 0,
      (err: { code: number }) => err.code,
    );
  expect(image.healthcheck[0]).toBe('node');
  expect(await healthcheck()).toBe(0);

  // A publish (instrumented in the prepare worker), an install and a call (in a pool worker).
  const target = { server: url, token };
  const dir = path.join(repo, 'plugins-wasm', 'data-normalizer');
  const manifest = JSON.parse(readFileSync(path.join(dir, 'plugin.json'), 'utf8')) as { slug: string };
  await graphql(target, 'mutation($input: CreatePluginInput!) { createPlugin(input: $input) { id } }', {
    input: { slug: manifest.slug, name: 'Data Normalizer', summary: 'Scales series', category: 'analytics' },
  });
  const published = await graphqlMultipart<{ publishPluginVersion: { version: { version: string } } }>(
    target,
    'mutation($input: PublishPluginVersionInput!) { publishPluginVersion(input: $input) { version { version } } }',
    { input: { slug: manifest.slug, manifest, wasm: null } },
    {
      'variables.input.wasm': { bytes: (await buildPlugin(dir)).bytes, name: 'plugin.wasm', type: 'application/wasm' },
    },
  );
  expect(published).toEqual({ data: { publishPluginVersion: { version: { version: '1.0.0' } } }, errors: [] });
  const installed = await graphql<{ installPlugin: { id: string } }>(
    target,
    'mutation($input: InstallPluginInput!) { installPlugin(input: $input) { id } }',
    { input: { slug: manifest.slug, config: { method: 'minmax' }, grantPermissions: ['config'] } },
  );
  const installationId = installed.data?.installPlugin.id;
  expect(installationId).toBeTruthy();
  for (const values of [
    [0, 5, 10],
    [2, 4, 6, 10],
  ]) {
    const executed = await graphql<{ executePlugin: { status: string; output: string } }>(
      target,
      'mutation($input: ExecutePluginInput!) { executePlugin(input: $input) { status output } }',
      { input: { installationId, function: 'normalize', input: JSON.stringify({ values }) } },
    );
    expect(executed.data?.executePlugin.status).toBe('SUCCEEDED');
    const max = Math.max(...values);
    const min = Math.min(...values);
    expect(JSON.parse(executed.data?.executePlugin.output ?? '')).toMatchObject({
      series: { values: values.map((v) => (v - min) / (max - min)) },
      stats: { values: { count: values.length, min, max } },
    });
  }
  const read = await graphql<{ plugin: { slug: string } }>(target, '{ plugin(slug: "data-normalizer") { slug } }', {});
  expect(read.data).toEqual({ plugin: { slug: 'data-normalizer' } });
  const graphiql = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
  expect(await graphiql.text()).toContain('<title>Plugboard</title>');
  // The web app that `bin/build.js` built next to dist/, served by the compiled server.
  const app = await fetch(`${url}/plugins/data-normalizer`);
  expect(app.status).toBe(200);
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(await app.text())?.[1];
  expect((await fetch(`${url}${script}`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');

  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  server = null;
  expect(await healthcheck()).not.toBe(0);

  const lines = readFileSync(loads, 'utf8').trim().split('\n');
  const urls = lines.map((l) => new URL(l.slice(l.indexOf(' ') + 1)));
  const files = urls.filter((u) => u.protocol === 'file:').map((u) => fileURLToPath(u));
  expect(files.filter((f) => f.includes(`${path.sep}tsx${path.sep}`) || f.endsWith('.ts'))).toEqual([]);
  const ours = files.filter((f) => f.startsWith(repo + path.sep) && !f.includes(`${path.sep}node_modules${path.sep}`));
  expect(ours.filter((f) => !/^(dist|bin|test)\//.test(path.relative(repo, f)))).toEqual([]);
  // The worker threads loaded their compiled entries too (each thread preloads the recorder).
  const workerLoads = lines.filter((l) => !l.startsWith('0 ')).join('\n');
  expect(workerLoads).toContain('/dist/src/runtime/pool/worker-thread.js');
  expect(workerLoads).toContain('/dist/src/runtime/prepare/prepare-worker.js');
}, 300_000);
