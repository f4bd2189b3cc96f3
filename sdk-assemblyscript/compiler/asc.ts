import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { importNative } from '../../src/runtime/index.ts';
import { asPdkPackagesDir, sdkAssemblyDir, sdkPackagesRoot, SDK_PACKAGE } from './paths.ts';

export interface CompileOptions {
  /** AssemblyScript entry file. */
  entry: string;
  /** Where the `.wasm` is written. */
  outFile: string;
  /** An asconfig.json to extend (e.g. the SDK's `plugin.asconfig.json`). */
  config?: string;
  /** Extra `asc` command-line arguments. */
  args?: string[];
}

export class CompileError extends Error {
  readonly code = 'COMPILE_FAILED';
}

/**
 * asc looks packages up in node_modules folders above the working directory, so a plugin
 * scaffolded outside this repository could not see `@plugboard/sdk` or `@extism/as-pdk`.
 * Both are put on asc's package path instead: as-pdk where npm installed it, and the SDK under
 * a virtual folder that this reader maps onto `sdk-assemblyscript/assembly`.
 */
async function readSource(name: string, baseDir: string): Promise<string | null> {
  let file = path.resolve(baseDir, name);
  const virtualSdk = path.join(sdkPackagesRoot, SDK_PACKAGE) + path.sep;
  if (file.startsWith(virtualSdk)) file = path.join(sdkAssemblyDir, file.slice(virtualSdk.length));
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

/** Compiles AssemblyScript to Wasm in-process and returns the module bytes. */
export async function compileAssemblyScript({
  entry,
  outFile,
  config,
  args = [],
}: CompileOptions): Promise<Uint8Array> {
  const argv = [
    entry,
    '--outFile',
    outFile,
    ...(config ? ['--config', config] : []),
    '--path',
    sdkPackagesRoot,
    '--path',
    asPdkPackagesDir,
    '--noColors',
    ...args,
  ];
  let stderr = '';
  const asc = await importNative<typeof import('assemblyscript/asc')>('assemblyscript/asc');
  const { error } = await asc.main(argv, {
    readFile: readSource,
    stdout: { write: () => true } as never,
    stderr: {
      write(chunk: string | Uint8Array) {
        stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
        return true;
      },
    } as never,
  });
  if (error) throw new CompileError(`${path.basename(entry)}: ${error.message}\n${stderr}`.trim());
  return new Uint8Array(await readFile(outFile));
}
