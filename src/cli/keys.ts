import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { fingerprintOf, rawPublicKey } from '../contracts/index.ts';
import { action } from './action.ts';
import { describeErrors, graphql, ServerError, type ServerOptions } from './plugin/graphql-client.ts';

/** Where `keys generate` writes and `plugin publish --key` reads by default: `$PLUGBOARD_KEY_DIR` or `~/.plugboard`. */
export const defaultKeyDir = (): string => process.env.PLUGBOARD_KEY_DIR || path.join(homedir(), '.plugboard');
export const PRIVATE_KEY_FILE = 'signing-key.pem';
export const PUBLIC_KEY_FILE = 'signing-key.pub.pem';

export interface GeneratedKey {
  privateKeyPath: string;
  publicKeyPath: string;
  fingerprint: string;
}

/**
 * Makes an Ed25519 key pair on this machine: the private key (PKCS#8 PEM, mode 0600) never leaves
 * it; the public key (SPKI PEM) is what `keys register` sends. Never overwrites unless `force`.
 */
export async function generateSigningKey(dir: string, { force = false } = {}): Promise<GeneratedKey> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const privateKeyPath = path.join(dir, PRIVATE_KEY_FILE);
  const publicKeyPath = path.join(dir, PUBLIC_KEY_FILE);
  const flag = force ? 'w' : 'wx';
  try {
    await writeFile(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new Error(`${privateKeyPath} exists: keep it, or pass --force to replace it`);
    throw err;
  }
  await writeFile(publicKeyPath, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644, flag: 'w' });
  return { privateKeyPath, publicKeyPath, fingerprint: fingerprintOf(rawPublicKey(publicKey)) };
}

/** An Ed25519 private key from a PEM file (as `keys generate` or `openssl genpkey -algorithm ed25519` write it). */
export async function readSigningKey(file: string): Promise<{ privateKey: KeyObject; fingerprint: string }> {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(await readFile(file, 'utf8'));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : 'not a PEM private key';
    throw new Error(`${file}: ${reason}${reason === 'not found' ? ' (make one with `plugboard keys generate`)' : ''}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error(`${file}: a ${privateKey.asymmetricKeyType} key; plugins are signed with Ed25519 keys`);
  return { privateKey, fingerprint: fingerprintOf(rawPublicKey(createPublicKey(privateKey))) };
}

const KEY_FIELDS = 'id name fingerprint createdAt revokedAt';

export interface KeyInfo {
  id: string;
  name: string;
  fingerprint: string;
  createdAt: string;
  revokedAt: string | null;
}

async function call<T>(opts: ServerOptions, what: string, query: string, variables: Record<string, unknown>) {
  const res = await graphql<T>(opts, query, variables);
  if (res.errors.length > 0 || !res.data)
    throw new ServerError([`${what} failed:`, ...describeErrors(res.errors)].join('\n'));
  return res.data;
}

export async function registerKey(opts: ServerOptions, publicKeyFile: string, name?: string): Promise<KeyInfo> {
  const publicKey = await readFile(publicKeyFile, 'utf8').catch(() => {
    throw new Error(`${publicKeyFile}: not found (make one with \`plugboard keys generate\`)`);
  });
  const data = await call<{ registerSigningKey: KeyInfo }>(
    opts,
    'registerSigningKey',
    `mutation ($publicKey: String!, $name: String) { registerSigningKey(publicKey: $publicKey, name: $name) { ${KEY_FIELDS} } }`,
    { publicKey, name: name ?? null },
  );
  return data.registerSigningKey;
}

export async function revokeKey(opts: ServerOptions, id: string): Promise<KeyInfo> {
  const data = await call<{ revokeSigningKey: KeyInfo }>(
    opts,
    'revokeSigningKey',
    `mutation ($id: ID!) { revokeSigningKey(id: $id) { ${KEY_FIELDS} } }`,
    { id },
  );
  return data.revokeSigningKey;
}

export async function listKeys(opts: ServerOptions): Promise<KeyInfo[]> {
  const data = await call<{ viewer: { signingKeys: { edges: { node: KeyInfo }[] } } | null }>(
    opts,
    'viewer',
    `{ viewer { signingKeys(first: 100) { edges { node { ${KEY_FIELDS} } } } } }`,
    {},
  );
  return data.viewer?.signingKeys.edges.map((e) => e.node) ?? [];
}

const describeKey = (k: KeyInfo) =>
  `${k.id}  ${k.fingerprint}  ${k.name}${k.revokedAt ? `  (revoked ${k.revokedAt})` : ''}`;

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('Ed25519 keys that sign the plugin versions you publish');
  const server = (c: Command) =>
    c
      .requiredOption('--server <url>', 'Plugboard server, e.g. http://localhost:4000', process.env.PLUGBOARD_SERVER)
      .requiredOption('--token <token>', 'API token (or set PLUGBOARD_TOKEN)', process.env.PLUGBOARD_TOKEN);
  keys
    .command('generate')
    .description(`Make a key pair locally (${PRIVATE_KEY_FILE}, mode 0600, and ${PUBLIC_KEY_FILE})`)
    .option('--out <dir>', 'where to write the files (default $PLUGBOARD_KEY_DIR or ~/.plugboard)')
    .option('--force', 'replace an existing key', false)
    .action(
      action(async (opts: { out?: string; force: boolean }) => {
        const key = await generateSigningKey(opts.out ?? defaultKeyDir(), { force: opts.force });
        console.error(`private key ${key.privateKeyPath} (keep it; it never leaves this machine)`);
        console.error(`public key  ${key.publicKeyPath} (register it: plugboard keys register)`);
        console.log(key.fingerprint);
      }),
    );
  server(
    keys
      .command('register')
      .description('Register a public key with the server so that versions signed with it verify')
      .option('--public-key <file>', 'SPKI PEM public key (default: the one `keys generate` wrote)')
      .option('--name <name>', 'a label for the key'),
  ).action(
    action(async (opts: ServerOptions & { publicKey?: string; name?: string }) => {
      const file = opts.publicKey ?? path.join(defaultKeyDir(), PUBLIC_KEY_FILE);
      console.log(describeKey(await registerKey(opts, file, opts.name)));
    }),
  );
  server(
    keys
      .command('revoke')
      .description('Revoke a key for good: versions signed with it read as unverified')
      .argument('<id>', 'the key id that `keys list` prints'),
  ).action(
    action(async (id: string, opts: ServerOptions) => {
      console.log(describeKey(await revokeKey(opts, id)));
    }),
  );
  server(keys.command('list').description('Your registered keys, revoked ones included')).action(
    action(async (opts: ServerOptions) => {
      for (const key of await listKeys(opts)) console.log(describeKey(key));
    }),
  );
}
