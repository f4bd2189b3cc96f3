import type { SqlEntityManager } from '@mikro-orm/knex';
import type { ExecutionStatus, StatKind } from '../../entities/index.ts';
import type { ExecutionRecord } from '../read/records.ts';
import { dialectOf, quoted, runSql, sqlText, valueRows } from '../platform/sql-text.ts';
import { BIN_COLUMNS, durationBin } from './histogram.ts';

/** A completed call as the rollup counts it. */
export interface FinishedCall {
  pluginId: number;
  record: Pick<
    ExecutionRecord,
    'installationId' | 'createdAt' | 'hook' | 'function' | 'status' | 'durationMs' | 'fuelUsed' | 'peakMemoryBytes'
  >;
}

export const HOUR_MS = 3_600_000;
export const hourOf = (at: Date) => Math.floor(at.getTime() / HOUR_MS);

/** The status counters of a row, by the status they count. */
export const STATUS_COLUMNS: Partial<Record<ExecutionStatus, string>> = {
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  TIMED_OUT: 'timed_out',
  FUEL_EXHAUSTED: 'fuel_exhausted',
  MEMORY_EXCEEDED: 'memory_exceeded',
  REJECTED: 'rejected',
};
const SUMMED = [
  'calls',
  ...Object.values(STATUS_COLUMNS),
  'timed',
  'duration_sum',
  'fuel_calls',
  'fuel_sum',
  'memory_calls',
  'memory_sum',
  ...BIN_COLUMNS,
];
const MAXED = ['duration_max', 'fuel_max', 'memory_max'];
const KEY = ['plugin_id', 'installation_id', 'hour', 'kind', 'name'];
/** Every column a rollup row binds, in the order of its parameters. */
const COLUMNS = [...KEY, ...SUMMED, ...MAXED];

type Row = Record<string, number | string>;

/** Rows per upsert: ~95 bound values each, well under both backends' limits. */
const ROWS_PER_STATEMENT = 200;

/** The rows `calls` add to: per installation, and per plugin (installation 0), by hour and function or hook. */
export function rollupRows(calls: FinishedCall[]): Row[] {
  const rows = new Map<string, Row>();
  for (const { pluginId, record: r } of calls) {
    const status = STATUS_COLUMNS[r.status];
    if (!status) continue; // not finished
    const kind: StatKind = r.hook ? 'HOOK' : 'FUNCTION';
    const name = r.hook ?? r.function;
    const hour = hourOf(r.createdAt);
    for (const installationId of r.installationId ? [r.installationId, 0] : [0]) {
      const key = [pluginId, installationId, hour, kind, name].join('\u0000');
      let row = rows.get(key);
      if (!row) {
        row = { plugin_id: pluginId, installation_id: installationId, hour, kind, name };
        for (const c of [...SUMMED, ...MAXED]) row[c] = 0;
        rows.set(key, row);
      }
      add(row, 'calls', 1);
      add(row, status, 1);
      const ran = r.status !== 'REJECTED';
      if (ran && r.durationMs !== null) {
        add(row, 'timed', 1);
        add(row, 'duration_sum', r.durationMs);
        max(row, 'duration_max', r.durationMs);
        add(row, BIN_COLUMNS[durationBin(r.durationMs)], 1);
      }
      if (ran && r.fuelUsed !== null) {
        add(row, 'fuel_calls', 1);
        add(row, 'fuel_sum', r.fuelUsed);
        max(row, 'fuel_max', r.fuelUsed);
      }
      if (ran && r.peakMemoryBytes !== null) {
        add(row, 'memory_calls', 1);
        add(row, 'memory_sum', r.peakMemoryBytes);
        max(row, 'memory_max', r.peakMemoryBytes);
      }
    }
  }
  // One order for every writer, so that concurrent transactions lock shared rows in the same order.
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

const add = (row: Row, column: string, n: number) => {
  row[column] = (row[column] as number) + n;
};
const max = (row: Row, column: string, n: number) => {
  row[column] = Math.max(row[column] as number, n);
};

/**
 * Adds `calls` to the rollup inside `tx`: one multi-row upsert however many calls and rows (up
 * to ROWS_PER_STATEMENT rows a statement), computing each row's new counters from the row as
 * it stands, so concurrent writers on any instance never lose a count.
 */
export async function writeRollup(tx: SqlEntityManager, calls: FinishedCall[]): Promise<void> {
  const rows = rollupRows(calls);
  if (rows.length === 0) return;
  const dialect = dialectOf(tx);
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    const values: (number | string)[] = [];
    for (const row of chunk) for (const c of COLUMNS) values.push(row[c]);
    await runSql(tx, upsertSql(dialect, chunk.length), values);
  }
}

/** The rollup's upsert of `count` rows, built once per dialect and row count. */
const upsertSql = (dialect: 'pg' | 'sqlite', count: number) =>
  sqlText(`rollup:${dialect}:${count}`, () => {
    const greatest = dialect === 'pg' ? 'greatest' : 'max';
    const table = quoted('execution_stats');
    const merge = [
      ...SUMMED.map((c) => `${quoted(c)} = ${table}.${quoted(c)} + excluded.${quoted(c)}`),
      ...MAXED.map((c) => `${quoted(c)} = ${greatest}(${table}.${quoted(c)}, excluded.${quoted(c)})`),
    ];
    return `insert into ${table} (${COLUMNS.map(quoted).join(', ')}) values ${valueRows(COLUMNS.length, count)} on conflict (${KEY.map(quoted).join(', ')}) do update set ${merge.join(', ')}`;
  });
