import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = path.resolve('bin/plugboard.js');
const dataDir = mkdtempSync(path.join(tmpdir(), 'plugboard-cli-'));
const env = { ...process.env, PLUGBOARD_DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'warn' };
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('creates a user and prints a working token as the last line', async () => {
  const { stdout } = await run('node', [bin, 'users', 'create', '--handle', 'cli-admin', '--role', 'ADMIN'], { env });
  const token = stdout.trim().split('\n').at(-1)!;
  expect(token).toMatch(/^pb_[\w-]{20,}$/);

  const server = spawn('node', [bin, 'serve'], { env: { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' } });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      const match = /"url":"(http:[^"]+)"/.exec(out);
      if (match) resolve(match[1]);
    });
    server.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ viewer { handle role } }' }),
  });
  expect(await response.json()).toEqual({ data: { viewer: { handle: 'cli-admin', role: 'ADMIN' } } });

  // Graceful shutdown: SIGTERM stops the server with exit code 0.
  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 60_000);

it('fails with one clear line and a non-zero exit for bad input', async () => {
  const attempt = run('node', [bin, 'users', 'create', '--handle', 'Bad Handle!'], { env });
  await expect(attempt).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringMatching(/^plugboard: handle: lower-case letters, digits, _ and -\n$/),
  });
  const badEnv = run('node', [bin, 'migrate'], { env: { ...env, PORT: 'x', LOG_LEVEL: 'loud' } });
  await expect(badEnv).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('LOG_LEVEL must be one of') });
}, 60_000);
