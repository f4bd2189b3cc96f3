import { loadBinaryen } from '../prepare/instrument.ts';

/**
 * Assembles a module from WebAssembly text, for cases AssemblyScript does not emit (a start
 * function calling host functions, `table.set`, state kept in plain globals).
 */
export async function wat(text: string): Promise<Uint8Array> {
  const b = await loadBinaryen();
  const mod = b.parseText(text);
  try {
    mod.setFeatures(b.Features.MVP | b.Features.MutableGlobals | b.Features.ReferenceTypes | b.Features.BulkMemory);
    if (!mod.validate()) throw new Error('the test module does not validate');
    return mod.emitBinary();
  } finally {
    mod.dispose();
  }
}
