import type binaryenModule from 'binaryen';
import { InvalidModuleError } from '../errors.ts';
import { walkChildren, type Binaryen } from './binaryen-walk.ts';
import { importNative } from './native-import.ts';
import {
  FUEL_GET,
  FUEL_SET,
  GROW_GLOBAL,
  MEMORY_EXPORT,
  RC_GLOBAL,
  STATE_RESTORE,
  STATE_SAVE,
} from '../wasm/instrumented.ts';

const FUEL_GLOBAL = '__plugboard_fuel';
const GROW_DELTA = '__plugboard_grow_delta';
const BULK_SIZE = '__plugboard_bulk_size';
const ENTRY_PREFIX = '__plugboard_entry_';
const SAVED_PREFIX = '__plugboard_saved_';

/** Fuel per byte moved by `memory.copy/fill/init` is size >> this (one unit per 8 bytes). */
const BULK_SHIFT = 3n;

let loading: Promise<Binaryen> | null = null;

/** binaryen.js costs ~0.5 s and ~100 MiB to load, so it is loaded on first use and kept. */
export function loadBinaryen(): Promise<Binaryen> {
  // Past tsx: transforming binaryen's 13.5 MB module costs seconds in every process.
  loading ??= importNative<{ default: Binaryen }>('binaryen').then((m) => m.default);
  return loading;
}

export interface InstrumentOptions {
  /** Fuel available to the module's start function during instantiation. */
  startFuel: bigint;
}

/**
 * Injects fuel metering: at every function entry and loop header `fuel -= cost; if (fuel < 0)
 * unreachable`, where cost is the IR node count of that straight-line region, and bulk memory
 * operations pay for their size at run time. Also records the last `memory.grow` request (so a
 * failed grow at the cap can be told from other traps), wraps each `() -> i32` export so its
 * return code lands in a global (Extism 1.0.3 discards it), and adds the functions that save and
 * restore the module's mutable globals between calls.
 */
export async function instrumentModule(bytes: Uint8Array, { startFuel }: InstrumentOptions): Promise<Uint8Array> {
  const b = await loadBinaryen();
  const F = b.Features;
  const features =
    F.MVP |
    F.MutableGlobals |
    F.NontrappingFPToInt |
    F.SIMD128 |
    F.BulkMemory |
    F.BulkMemoryOpt |
    F.SignExt |
    F.Multivalue |
    F.ReferenceTypes;
  let mod: binaryenModule.Module;
  try {
    mod = b.readBinaryWithFeatures(bytes, features);
  } catch (err) {
    throw new InvalidModuleError(`binaryen could not read the module: ${(err as Error).message}`);
  }
  try {
    mod.setFeatures(features);
    const leaves = foldableLeaves(b, mod);
    const mutable = mutableGlobals(b, mod);
    const start = (mod as unknown as { getStart(): number }).getStart();
    const startName = start ? b.getFunctionInfo(start).name : null;
    let resettable = true;
    addGlobals(b, mod, startFuel);
    for (let i = 0; i < mod.getNumFunctions(); i++) {
      const fn = mod.getFunctionByIndex(i);
      const info = b.getFunctionInfo(fn);
      // Imports have no body; the runtime's own accessors must not charge fuel.
      if (info.module || info.name.startsWith('__plugboard_')) continue;
      const scratch = (
        b as unknown as { _BinaryenFunctionAddVar(fn: number, type: number): number }
      )._BinaryenFunctionAddVar(fn, b.i64);
      const rewriter = new Rewriter(b, mod, scratch, leaves);
      const cost = rewriter.visit(info.body);
      // Table entries and dropped segments are state the runtime cannot put back after a call.
      if (rewriter.mutatesInstance && info.name !== startName) resettable = false;
      // A foldable leaf is paid for at its call sites; everything else pays on entry.
      if (!leaves.has(info.name))
        b.Function.setBody(
          fn,
          mod.block(null, [charge(b, mod, i64(mod, BigInt(cost)), scratch), info.body], info.results),
        );
    }
    wrapEntryPoints(b, mod);
    exportMemory(b, mod);
    if (resettable) addStateReset(b, mod, mutable);
    if (!mod.validate())
      throw new InvalidModuleError('the instrumented module does not validate (it uses unsupported Wasm features)');
    return mod.emitBinary();
  } finally {
    mod.dispose();
  }
}

function addGlobals(b: Binaryen, mod: binaryenModule.Module, startFuel: bigint): void {
  mod.addGlobal(FUEL_GLOBAL, b.i64, true, i64(mod, startFuel));
  mod.addGlobal(RC_GLOBAL, b.i32, true, mod.i32.const(0));
  mod.addGlobal(GROW_GLOBAL, b.i64, true, i64(mod, 0n));
  mod.addGlobal(GROW_DELTA, b.i32, true, mod.i32.const(0));
  mod.addGlobal(BULK_SIZE, b.i32, true, mod.i32.const(0));
  mod.addFunction(FUEL_GET, b.none, b.i64, [], mod.global.get(FUEL_GLOBAL, b.i64));
  mod.addFunction(FUEL_SET, b.i64, b.none, [], mod.global.set(FUEL_GLOBAL, mod.local.get(0, b.i64)));
  mod.addFunctionExport(FUEL_GET, FUEL_GET);
  mod.addFunctionExport(FUEL_SET, FUEL_SET);
  mod.addGlobalExport(RC_GLOBAL, RC_GLOBAL);
  mod.addGlobalExport(GROW_GLOBAL, GROW_GLOBAL);
}

/** The module's own mutable globals (imported ones belong to the host): name, type and initialiser. */
function mutableGlobals(b: Binaryen, mod: binaryenModule.Module): binaryenModule.GlobalInfo[] {
  const found: binaryenModule.GlobalInfo[] = [];
  for (let i = 0; i < mod.getNumGlobals(); i++) {
    const info = b.getGlobalInfo(mod.getGlobalByIndex(i));
    if (info.mutable && !info.module) found.push(info);
  }
  return found;
}

/**
 * `STATE_SAVE` copies each mutable global into a shadow global, `STATE_RESTORE` copies them back.
 * Together with a copy of the linear memory taken by the executor, that is the whole state a
 * call can change, so restoring it makes every call start where the first one did.
 */
function addStateReset(b: Binaryen, mod: binaryenModule.Module, globals: binaryenModule.GlobalInfo[]): void {
  const save: number[] = [];
  const restore: number[] = [];
  globals.forEach((g, i) => {
    const shadow = `${SAVED_PREFIX}${i}`;
    mod.addGlobal(shadow, g.type, true, mod.copyExpression(g.init));
    save.push(mod.global.set(shadow, mod.global.get(g.name, g.type)));
    restore.push(mod.global.set(g.name, mod.global.get(shadow, g.type)));
  });
  const body = (sets: number[]) => (sets.length === 0 ? mod.nop() : mod.block(null, sets, b.none));
  mod.addFunction(STATE_SAVE, b.none, b.none, [], body(save));
  mod.addFunction(STATE_RESTORE, b.none, b.none, [], body(restore));
  mod.addFunctionExport(STATE_SAVE, STATE_SAVE);
  mod.addFunctionExport(STATE_RESTORE, STATE_RESTORE);
}

/** This binaryen takes one BigInt for `i64.const` (its `.d.ts` still says two numbers). */
function i64(mod: binaryenModule.Module, value: bigint): number {
  return (mod.i64.const as unknown as (v: bigint) => number)(value);
}

/**
 * `fuel -= amount; if (fuel < 0) unreachable`, through a scratch local so the global is read
 * once. The global is written before the check: after a trap the host reads it below zero,
 * which is how a fuel trap is told from any other.
 */
function charge(b: Binaryen, mod: binaryenModule.Module, amount: number, scratch: number): number {
  const left = mod.local.tee(scratch, mod.i64.sub(mod.global.get(FUEL_GLOBAL, b.i64), amount), b.i64);
  return mod.block(
    null,
    [
      mod.global.set(FUEL_GLOBAL, left),
      mod.if(mod.i64.lt_s(mod.local.get(scratch, b.i64), i64(mod, 0n)), mod.unreachable()),
    ],
    b.none,
  );
}

/**
 * Leaf functions (no loops, no calls) run a bounded number of instructions, so they need no check
 * of their own: their node count is added to each direct call site instead, which removes a
 * global read, write and branch from every call of small helpers. Functions reachable other than
 * by a direct call (exported, in a table, `ref.func`'d) keep their entry charge.
 */
function foldableLeaves(b: Binaryen, mod: binaryenModule.Module): Map<string, number> {
  const reachable = new Set<string>();
  for (let i = 0; i < mod.getNumExports(); i++) {
    const info = b.getExportInfo(mod.getExportByIndex(i));
    if (info.kind === b.ExternalFunction) reachable.add(info.value);
  }
  for (let i = 0; i < mod.getNumElementSegments(); i++) {
    for (const name of b.getElementSegmentInfo(mod.getElementSegmentByIndex(i)).data) reachable.add(name);
  }
  const start = (mod as unknown as { getStart(): number }).getStart();
  if (start) reachable.add(b.getFunctionInfo(start).name);
  const scans = new Map<string, { nodes: number; leaf: boolean }>();
  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const info = b.getFunctionInfo(mod.getFunctionByIndex(i));
    if (info.module) continue;
    const scan = { nodes: 0, leaf: true };
    scanBody(b, info.body, scan, reachable);
    scans.set(info.name, scan);
  }
  const leaves = new Map<string, number>();
  for (const [name, scan] of scans) if (scan.leaf && !reachable.has(name)) leaves.set(name, scan.nodes);
  return leaves;
}

/** Counts nodes, notes whether the body loops or calls, and collects `ref.func` targets. */
function scanBody(b: Binaryen, expr: number, scan: { nodes: number; leaf: boolean }, referenced: Set<string>): void {
  const id = b.getExpressionId(expr);
  scan.nodes++;
  if (id === b.LoopId) {
    scan.leaf = false;
    scanBody(b, b.Loop.getBody(expr), scan, referenced);
    return;
  }
  if (id === b.CallId || id === b.CallIndirectId || id === b.CallRefId) scan.leaf = false;
  if (id === b.RefFuncId) referenced.add(b.RefFunc.getFunc(expr) as unknown as string);
  walkChildren(b, expr, id, (child) => scanBody(b, child, scan, referenced));
}

/** Walks one function body, instrumenting loops, bulk operations and memory.grow in place. */
class Rewriter {
  /** The body sets a table entry or drops a segment: state outside memory and globals. */
  mutatesInstance = false;

  constructor(
    private readonly b: Binaryen,
    private readonly mod: binaryenModule.Module,
    private readonly scratch: number,
    private readonly leaves: Map<string, number>,
  ) {}

  /** Returns the node count of the subtree, not counting loop bodies (they pay at their header). */
  visit(expr: number): number {
    const { b, mod } = this;
    const id = b.getExpressionId(expr);
    if (id === b.LoopId) {
      const body = b.Loop.getBody(expr);
      const cost = this.visit(body);
      b.Loop.setBody(
        expr,
        mod.block(null, [charge(b, mod, i64(mod, BigInt(cost)), this.scratch), body], b.getExpressionType(body)),
      );
      return 1;
    }
    if (id === b.TableSetId || id === b.DataDropId) this.mutatesInstance = true;
    let count = id === b.CallId ? 1 + (this.leaves.get(b.Call.getTarget(expr) as unknown as string) ?? 0) : 1;
    walkChildren(b, expr, id, (child) => {
      count += this.visit(child);
    });
    if (id === b.MemoryCopyId) b.MemoryCopy.setSize(expr, this.bulkCharge(b.MemoryCopy.getSize(expr)));
    else if (id === b.MemoryFillId) b.MemoryFill.setSize(expr, this.bulkCharge(b.MemoryFill.getSize(expr)));
    else if (id === b.MemoryInitId) b.MemoryInit.setSize(expr, this.bulkCharge(b.MemoryInit.getSize(expr)));
    else if (id === b.MemoryGrowId) b.MemoryGrow.setDelta(expr, this.recordGrow(b.MemoryGrow.getDelta(expr)));
    return count;
  }

  private bulkCharge(size: number): number {
    const { b, mod } = this;
    const bytes = mod.i64.extend_u(mod.global.get(BULK_SIZE, b.i32));
    const cost = mod.i64.shr_u(bytes, i64(mod, BULK_SHIFT));
    return mod.block(
      null,
      [mod.global.set(BULK_SIZE, size), charge(b, mod, cost, this.scratch), mod.global.get(BULK_SIZE, b.i32)],
      b.i32,
    );
  }

  /** Records `memory.size + delta` (pages requested) before the grow runs. */
  private recordGrow(delta: number): number {
    const { b, mod } = this;
    const requested = mod.i64.add(
      mod.i64.extend_u(mod.memory.size()),
      mod.i64.extend_u(mod.global.get(GROW_DELTA, b.i32)),
    );
    return mod.block(
      null,
      [mod.global.set(GROW_DELTA, delta), mod.global.set(GROW_GLOBAL, requested), mod.global.get(GROW_DELTA, b.i32)],
      b.i32,
    );
  }
}

function wrapEntryPoints(b: Binaryen, mod: binaryenModule.Module): void {
  const entries: { external: string; internal: string }[] = [];
  for (let i = 0; i < mod.getNumExports(); i++) {
    const info = b.getExportInfo(mod.getExportByIndex(i));
    if (info.kind !== b.ExternalFunction) continue;
    const fn = b.getFunctionInfo(mod.getFunction(info.value));
    if (fn.params === b.none && fn.results === b.i32) entries.push({ external: info.name, internal: info.value });
  }
  for (const { external, internal } of entries) {
    const wrapper = `${ENTRY_PREFIX}${external}`;
    const body = mod.block(
      null,
      [mod.global.set(RC_GLOBAL, mod.call(internal, [], b.i32)), mod.global.get(RC_GLOBAL, b.i32)],
      b.i32,
    );
    mod.addFunction(wrapper, b.none, b.i32, [], body);
    mod.removeExport(external);
    mod.addFunctionExport(wrapper, external);
  }
}

function exportMemory(b: Binaryen, mod: binaryenModule.Module): void {
  for (let i = 0; i < mod.getNumExports(); i++) {
    const info = b.getExportInfo(mod.getExportByIndex(i));
    if (info.kind === b.ExternalMemory) {
      mod.addMemoryExport(info.value, MEMORY_EXPORT);
      return;
    }
  }
  // binaryen names a module's unnamed first memory "0".
  mod.addMemoryExport('0', MEMORY_EXPORT);
}
