import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerPluginCommands } from './index.ts';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
let tmp: string;

beforeAll(async () => {
  // Outside the repository on purpose: a scaffold must build without the repo's node_modules.
  tmp = await mkdtemp(path.join(tmpdir(), 'plugboard-cli-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** Runs `plugboard plugin ...` in this process; returns stdout, stderr and the exit code. */
async function plugin(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const program = new Command('plugboard').exitOverride();
  registerPluginCommands(program);
  let out = '';
  let err = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    out += `${a.join(' ')}\n`;
  });
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  // `plugin test` runs vitest, whose reporter writes to stdout directly.
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const saved = process.exitCode;
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'plugboard', 'plugin', ...args]);
    return { out, err, code: Number(process.exitCode ?? 0) };
  } finally {
    process.exitCode = saved;
    log.mockRestore();
    write.mockRestore();
    stdout.mockRestore();
  }
}

// Compiling and the first fuel instrumentation (binaryen) take tens of seconds on a busy 2-core box.
describe('plugboard plugin', { timeout: 120_000 }, () => {
  it('new scaffolds a plugin that builds with a budget report', async () => {
    const dir = path.join(tmp, 'my-plugin');
    const created = await plugin('new', 'my-plugin', '--dir', dir);
    expect(created.code).toBe(0);
    expect(created.out).toContain('assembly/index.ts');
    const built = await plugin('build', dir);
    // Node prints an ExperimentalWarning the first time @extism/extism loads node:wasi.
    expect(built.err.split('\n').filter((l) => l && !/ExperimentalWarning|--trace-warnings/.test(l))).toEqual([]);
    expect(built.code).toBe(0);
    expect(built.out).toMatch(/module size\s+\d+\.\d KiB/);
    expect(built.out).toMatch(/memory maximum\s+16 MiB/);
    expect(built.out).toMatch(/publish checks\s+ok/);
    expect(built.out).toMatch(/✓ greets by name\s+greet\s+SUCCEEDED\s+[\d.]+k \(/);
  });

  it('test passes the scaffold unchanged and fails a broken expectation (in a real CLI process)', async () => {
    const dir = path.join(tmp, 'my-plugin');
    const run = promisify(execFile);
    const ok = await run('node', [path.join(repo, 'bin/plugboard.js'), 'plugin', 'test', dir], { cwd: tmp });
    expect(ok.stdout).toMatch(/✓.*my-plugin\.test\.ts.*3 tests/);
    expect(ok.stdout).toMatch(/✓.*build\/test-inputs\.test\.ts.*2 tests/);
    expect(ok.stdout).toMatch(/Tests\s+.*5 passed/);
    expect(ok.stderr).not.toContain('ExperimentalWarning');

    const inputs = path.join(dir, 'test-inputs.json');
    await writeFile(inputs, (await readFile(inputs, 'utf8')).replace('Hello, Ada!', 'Bye, Ada!'));
    await rm(path.join(dir, 'my-plugin.test.ts'));
    const failed = await plugin('test', dir);
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/plugboard: 1 test\(s\) failed\n$/);
    expect(failed.out + failed.err).toContain(
      'expected output {\\"message\\":\\"Bye, Ada!\\"}, got {\\"message\\":\\"Hello, Ada!\\"}',
    );
  });

  it('reports errors as one plugboard: line with a non-zero exit', async () => {
    const exists = await plugin('new', 'my-plugin', '--dir', path.join(tmp, 'my-plugin'));
    expect(exists.code).toBe(1);
    expect(exists.err).toMatch(/^plugboard: .*my-plugin already exists and is not empty\n$/);
    const badName = await plugin('new', 'My_Plugin', '--dir', path.join(tmp, 'x'));
    expect(badName.err).toMatch(/^plugboard: "My_Plugin" is not a valid plugin name/);

    const broken = path.join(tmp, 'broken');
    await plugin('new', 'broken', '--dir', broken);
    await writeFile(
      path.join(broken, 'assembly/index.ts'),
      'import { fail } from "@plugboard/sdk";\nexport function greet(): i32 { return nope; }\n',
    );
    const built = await plugin('build', broken);
    expect(built.code).toBe(1);
    expect(built.err).toMatch(/^plugboard: index\.ts: 1 compile error\(s\)/);
    expect(built.err).toContain("Cannot find name 'nope'");
    expect(built.err).toContain('assembly/index.ts(2,');
    await writeFile(path.join(broken, 'assembly/index.ts'), 'export function greet(): i32 { return 0; }\n');
    const noSdk = await plugin('build', broken);
    expect(noSdk.err).toMatch(/^plugboard: no file under .* imports "@plugboard\/sdk"/);
  });
});
