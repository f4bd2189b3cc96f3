import type DataLoader from 'dataloader';

/** Loads a row after a write, bypassing anything this request cached before the write. */
export async function reload<T>(loader: DataLoader<number, T | null>, id: number): Promise<T> {
  const row = await loader.clear(id).load(id);
  if (!row) throw new Error(`row ${id} vanished after a write`);
  return row;
}
