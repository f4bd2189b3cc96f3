import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectClang } from '../../../sdk-c/compiler/clang.ts';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const haveClang = (await detectClang()) !== null;
const exec = promisify(execFile);
let tmp: string;

/** `plugboard plugin ...` as a real CLI process: stdout, stderr and the exit code. */
async function plugin(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  try {
    const { stdout, stderr } = await exec('node', [path.join(repo, 'bin/plugboard.js'), 'plugin', ...args], {
      cwd: tmp,
    });
    return { out: stdout, err: stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { out: err.stdout, err: err.stderr, code: err.code };
  }
}

beforeAll(async () => {
  // Outside the repository on purpose: the scaffold must build wherever it is created.
  tmp = await mkdtemp(path.join(tmpdir(), 'plugboard-cli-c-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe.skipIf(!haveClang && process.env.CI !== 'true')('plugboard plugin --lang c', { timeout: 120_000 }, () => {
  it('new --lang c scaffolds a C plugin that builds with the budget report and passes its tests', async () => {
    const dir = path.join(tmp, 'c-plugin');
    const created = await plugin('new', 'c-plugin', '--lang', 'c', '--dir', dir);
    expect(created.code).toBe(0);
    expect(created.out).toContain('src/main.c');
    expect(created.out).toContain('c-plugin.test.ts');

    const built = await plugin('build', dir);
    expect(built.code, built.err).toBe(0);
    expect(built.out).toMatch(/module size\s+[\d.]+ (KiB|B)/);
    expect(built.out).toMatch(/memory maximum\s+16 MiB/);
    expect(built.out).toMatch(/publish checks\s+ok/);
    expect(built.out).toMatch(/✓ greets by name\s+greet\s+SUCCEEDED\s+[\d.]+k? \(/);
    expect(built.out).toMatch(/✓ greets a captured clip\s+clip_captured\s+SUCCEEDED/);

    const tested = await plugin('test', dir);
    expect(tested.code, tested.out + tested.err).toBe(0);
    expect(tested.out).toMatch(/✓.*c-plugin\.test\.ts.*3 tests/);
    expect(tested.out).toMatch(/Tests\s+.*5 passed/);
  });

  it('reports clang errors with file and line, and an unknown language', async () => {
    const dir = path.join(tmp, 'c-plugin');
    const source = path.join(dir, 'src/main.c');
    const good = await readFile(source, 'utf8');
    await writeFile(source, good.replace('return 0;', 'return nope;'));
    const built = await plugin('build', dir);
    expect(built.code).toBe(1);
    expect(built.err).toMatch(/^plugboard: clang failed:\n/);
    expect(built.err).toMatch(/src\/main\.c:\d+:\d+: error: use of undeclared identifier 'nope'/);
    await writeFile(source, good);

    const unknown = await plugin('new', 'x', '--lang', 'rust', '--dir', path.join(tmp, 'x'));
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^plugboard: unknown language "rust": use one of assemblyscript, c\n$/);
  });
});
