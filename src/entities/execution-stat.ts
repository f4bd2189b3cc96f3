import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const STAT_KINDS = ['FUNCTION', 'HOOK'] as const;
export type StatKind = (typeof STAT_KINDS)[number];

/** Bins of the duration histogram (`d0` … `d71`); see services/stats/histogram.ts for their bounds. */
export const STAT_DURATION_BINS = 72;

const durationBins = <T>(column: () => T): Record<`d${number}`, T> =>
  Object.fromEntries(Array.from({ length: STAT_DURATION_BINS }, (_, i) => [`d${i}`, column()]));

/**
 * Completed executions rolled up per hour, kept in the transaction that completes them: one row
 * per installation, hour and function (or hook), and one more with `installationId` 0 for the
 * whole plugin, so usage numbers read a few rows per hour whatever the number of calls. The ids
 * are plain numbers, not relations: the rows of an uninstalled installation still count for its
 * plugin.
 */
export const ExecutionStat = defineEntity({
  name: 'ExecutionStat',
  tableName: 'execution_stats',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    pluginId: p.integer(),
    /** 0: every installation of the plugin. */
    installationId: p.integer(),
    /** Hours since the Unix epoch (UTC) in which the calls started. */
    hour: p.integer(),
    /** FUNCTION: calls of `name` made directly; HOOK: runs of the hook `name`. */
    kind: p.enum([...STAT_KINDS]),
    name: p.string().length(100),
    calls: p.integer().default(0),
    succeeded: p.integer().default(0),
    failed: p.integer().default(0),
    timedOut: p.integer().default(0),
    fuelExhausted: p.integer().default(0),
    memoryExceeded: p.integer().default(0),
    rejected: p.integer().default(0),
    /** Calls that ran and have a duration: the histogram's total. */
    timed: p.integer().default(0),
    durationSum: p.double().default(0),
    durationMax: p.double().default(0),
    fuelCalls: p.integer().default(0),
    fuelSum: p.double().default(0),
    fuelMax: p.double().default(0),
    memoryCalls: p.integer().default(0),
    memorySum: p.double().default(0),
    memoryMax: p.double().default(0),
    ...durationBins(() => p.integer().default(0)),
  }),
  uniques: [{ name: 'execution_stats_key_unique', properties: ['pluginId', 'installationId', 'hour', 'kind', 'name'] }],
});
export type ExecutionStat = InferEntity<typeof ExecutionStat>;
