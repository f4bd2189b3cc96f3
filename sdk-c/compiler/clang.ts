import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What to install when the compiler is missing; printed by the toolchain and the example build. */
export const CLANG_INSTALL_HINT = 'install clang and lld (apt-get install clang lld)';

export interface ClangToolchain {
  /** The clang executable (`$PLUGBOARD_CLANG` or `clang` on the PATH). */
  clang: string;
  /** First line of `clang --version`; part of the build hash. */
  version: string;
}

export class ClangMissingError extends Error {
  readonly code = 'CLANG_MISSING';
}

let found: Promise<ClangToolchain | null> | undefined;

/**
 * clang with the wasm32 target and lld's wasm-ld next to it, or null. Both are probed by running
 * them (a clang without lld fails only at link time), once per process.
 */
export function detectClang(): Promise<ClangToolchain | null> {
  found ??= (async () => {
    const clang = process.env.PLUGBOARD_CLANG || 'clang';
    try {
      const { stdout } = await run(clang, ['--version']);
      if (!/wasm32/.test((await run(clang, ['-print-targets'])).stdout)) return null;
      // Runs wasm-ld, which prints "LLD x.y"; without lld clang fails here, not at the first build.
      const ld = await run(clang, ['--target=wasm32-unknown-unknown', '-nostdlib', '-Wl,--version']);
      if (!/LLD/.test(ld.stdout)) return null;
      return { clang, version: stdout.split('\n')[0]!.trim() };
    } catch {
      return null;
    }
  })();
  return found;
}

/** Like detectClang, but a missing toolchain is an error naming what to install. */
export async function requireClang(): Promise<ClangToolchain> {
  const toolchain = await detectClang();
  if (!toolchain)
    throw new ClangMissingError(`C and C++ plugins need clang with wasm32 and wasm-ld: ${CLANG_INSTALL_HINT}`);
  return toolchain;
}

/** Runs clang; a failure carries its diagnostics. */
export async function runClang(toolchain: ClangToolchain, args: string[]): Promise<string> {
  try {
    const { stderr } = await run(toolchain.clang, args, { maxBuffer: 16 * 1024 * 1024 });
    return stderr;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw Object.assign(new Error(e.stderr?.trim() || e.message), { clang: true });
  }
}
