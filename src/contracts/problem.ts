/** One thing wrong with an input: where (a dotted path), a stable code, and what to do about it. */
export interface Problem {
  field?: string;
  code: string;
  message: string;
}

/**
 * Whether a JSON value nests deeper than `max`, found without recursion: JSON.stringify and
 * structuredClone overflow the stack on values nested some thousands deep.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
