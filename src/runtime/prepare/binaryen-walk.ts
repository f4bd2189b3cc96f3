import type binaryenModule from 'binaryen';
import { InvalidModuleError } from '../errors.ts';

/** Per-kind expression accessors (`b.Loop.getBody(expr)`), which binaryen's `.d.ts` does not declare. */
type ExpressionAccessors = { [method: string]: (expr: number, value?: number) => number };

export type Binaryen = typeof binaryenModule & {
  Function: { setBody(fn: number, body: number): void };
} & { [kind: string]: ExpressionAccessors };

type Getter = (b: Binaryen, expr: number) => number | null | undefined;

/**
 * Child getters per expression kind. binaryen.js has no generic child iterator that works
 * (`getExpressionInfo` crashed on some kinds), and its runtime ids differ from the `.d.ts`
 * enum, so kinds are looked up by name at run time. A kind missing from this table (and not a
 * known leaf) makes instrumentation refuse the module: an unvisited subtree could hide a loop.
 */
const CHILDREN: Record<string, Getter[]> = {
  If: [(b, e) => b.If.getCondition(e), (b, e) => b.If.getIfTrue(e), (b, e) => b.If.getIfFalse(e)],
  Break: [(b, e) => b.Break.getCondition(e), (b, e) => b.Break.getValue(e)],
  Switch: [(b, e) => b.Switch.getCondition(e), (b, e) => b.Switch.getValue(e)],
  CallIndirect: [(b, e) => b.CallIndirect.getTarget(e)],
  LocalSet: [(b, e) => b.LocalSet.getValue(e)],
  GlobalSet: [(b, e) => b.GlobalSet.getValue(e)],
  Load: [(b, e) => b.Load.getPtr(e)],
  Store: [(b, e) => b.Store.getPtr(e), (b, e) => b.Store.getValue(e)],
  Unary: [(b, e) => b.Unary.getValue(e)],
  Binary: [(b, e) => b.Binary.getLeft(e), (b, e) => b.Binary.getRight(e)],
  Select: [(b, e) => b.Select.getIfTrue(e), (b, e) => b.Select.getIfFalse(e), (b, e) => b.Select.getCondition(e)],
  Drop: [(b, e) => b.Drop.getValue(e)],
  Return: [(b, e) => b.Return.getValue(e)],
  MemoryGrow: [(b, e) => b.MemoryGrow.getDelta(e)],
  MemoryCopy: [
    (b, e) => b.MemoryCopy.getDest(e),
    (b, e) => b.MemoryCopy.getSource(e),
    (b, e) => b.MemoryCopy.getSize(e),
  ],
  MemoryFill: [
    (b, e) => b.MemoryFill.getDest(e),
    (b, e) => b.MemoryFill.getValue(e),
    (b, e) => b.MemoryFill.getSize(e),
  ],
  MemoryInit: [
    (b, e) => b.MemoryInit.getDest(e),
    (b, e) => b.MemoryInit.getOffset(e),
    (b, e) => b.MemoryInit.getSize(e),
  ],
  SIMDExtract: [(b, e) => b.SIMDExtract.getVec(e)],
  SIMDReplace: [(b, e) => b.SIMDReplace.getVec(e), (b, e) => b.SIMDReplace.getValue(e)],
  SIMDShuffle: [(b, e) => b.SIMDShuffle.getLeft(e), (b, e) => b.SIMDShuffle.getRight(e)],
  SIMDTernary: [(b, e) => b.SIMDTernary.getA(e), (b, e) => b.SIMDTernary.getB(e), (b, e) => b.SIMDTernary.getC(e)],
  SIMDShift: [(b, e) => b.SIMDShift.getVec(e), (b, e) => b.SIMDShift.getShift(e)],
  SIMDLoad: [(b, e) => b.SIMDLoad.getPtr(e)],
  SIMDLoadStoreLane: [(b, e) => b.SIMDLoadStoreLane.getPtr(e), (b, e) => b.SIMDLoadStoreLane.getVec(e)],
  RefIsNull: [(b, e) => b.RefIsNull.getValue(e)],
  RefEq: [(b, e) => b.RefEq.getLeft(e), (b, e) => b.RefEq.getRight(e)],
  RefAs: [(b, e) => b.RefAs.getValue(e)],
  TableGet: [(b, e) => b.TableGet.getIndex(e)],
  TableSet: [(b, e) => b.TableSet.getIndex(e), (b, e) => b.TableSet.getValue(e)],
  TupleExtract: [(b, e) => b.TupleExtract.getTuple(e)],
};
/** Kinds whose children are a list (Block children, call operands). */
const LISTS = new Set(['Block', 'Call', 'CallIndirect', 'TupleMake']);
const LEAVES = new Set([
  'LocalGet',
  'GlobalGet',
  'Const',
  'Nop',
  'Unreachable',
  'MemorySize',
  'DataDrop',
  'RefNull',
  'RefFunc',
  'Pop',
  'TableSize',
]);

let namesById: Map<number, string> | null = null;

function kindName(b: Binaryen, id: number): string {
  if (!namesById) {
    namesById = new Map();
    for (const [key, value] of Object.entries(b)) {
      if (key.endsWith('Id') && typeof value === 'number') namesById.set(value, key.slice(0, -2));
    }
  }
  return namesById.get(id) ?? `#${id}`;
}

/** Calls `visit` for every direct child of `expr` (Loop bodies included; the caller decides). */
export function walkChildren(b: Binaryen, expr: number, id: number, visit: (child: number) => void): void {
  const kind = kindName(b, id);
  // Tables have no cap the runtime enforces, so growing one at run time is refused outright.
  if (kind === 'TableGrow') throw new InvalidModuleError('table.grow is not supported');
  if (LEAVES.has(kind)) return;
  const getters = CHILDREN[kind];
  if (!getters && !LISTS.has(kind))
    throw new InvalidModuleError(`unsupported instruction kind ${kind} (instrumentation refuses it)`);
  for (const get of getters ?? []) {
    const child = get(b, expr);
    if (child) visit(child);
  }
  if (kind === 'Block')
    for (let i = 0, n = b.Block.getNumChildren(expr); i < n; i++) visit(b.Block.getChildAt(expr, i));
  else if (kind === 'Call')
    for (let i = 0, n = b.Call.getNumOperands(expr); i < n; i++) visit(b.Call.getOperandAt(expr, i));
  else if (kind === 'CallIndirect')
    for (let i = 0, n = b.CallIndirect.getNumOperands(expr); i < n; i++) visit(b.CallIndirect.getOperandAt(expr, i));
  else if (kind === 'TupleMake')
    for (let i = 0, n = b.TupleMake.getNumOperands(expr); i < n; i++) visit(b.TupleMake.getOperandAt(expr, i));
}
