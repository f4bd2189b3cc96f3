import {
  PERCENTILE_RELATIVE_ERROR,
  sinceHourOf,
  type NamedUsage,
  type UsageFigures,
  type UsageKey,
  type UsageStats,
} from '../../services/stats/index.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { InstallationRef, PluginRef } from '../refs.ts';
import { ExecutionStatusEnum } from './Execution.ts';

const StatusCountRef = builder.objectRef<UsageFigures['byStatus'][number]>('StatusCount').implement({
  fields: (t) => ({ status: t.expose('status', { type: ExecutionStatusEnum }), count: t.exposeInt('count') }),
});

const bound = `${(PERCENTILE_RELATIVE_ERROR * 100).toFixed(1)}%`;
const DurationRef = builder.objectRef<NonNullable<UsageFigures['durationMs']>>('DurationStats').implement({
  description: `Milliseconds, of the calls that ran. Percentiles are nearest-rank over a log-scale histogram (bins ×1.25 wide): each is within ${bound} of the exact value (durations from 10 µs to 75 s)`,
  fields: (t) => ({
    p50: t.exposeFloat('p50'),
    p95: t.exposeFloat('p95'),
    p99: t.exposeFloat('p99'),
    mean: t.exposeFloat('mean', { description: 'Exact' }),
    max: t.exposeFloat('max', { description: 'Exact' }),
  }),
});

const FuelRef = builder.objectRef<NonNullable<UsageFigures['fuel']>>('FuelStats').implement({
  description: 'Fuel (instructions metered) used by the calls that ran; exact',
  fields: (t) => ({ total: t.exposeFloat('total'), mean: t.exposeFloat('mean'), max: t.exposeFloat('max') }),
});

const MemoryRef = builder.objectRef<NonNullable<UsageFigures['peakMemoryBytes']>>('MemoryStats').implement({
  description: 'Peak linear memory of the calls that ran, in bytes; exact',
  fields: (t) => ({ mean: t.exposeFloat('mean'), max: t.exposeFloat('max') }),
});

const UsageInterface = builder.interfaceRef<UsageFigures>('Usage').implement({
  description: 'Calls and how they went',
  fields: (t) => ({
    calls: t.exposeInt('calls'),
    byStatus: t.field({
      type: [StatusCountRef],
      description: 'Every status a call ends with, zeros included',
      resolve: (u) => u.byStatus,
    }),
    errorRate: t.exposeFloat('errorRate', {
      nullable: true,
      description:
        'FAILED, TIMED_OUT, FUEL_EXHAUSTED and MEMORY_EXCEEDED per call that ran (REJECTED did not); null when none ran',
    }),
    durationMs: t.field({ type: DurationRef, nullable: true, resolve: (u) => u.durationMs }),
    fuel: t.field({ type: FuelRef, nullable: true, resolve: (u) => u.fuel }),
    peakMemoryBytes: t.field({ type: MemoryRef, nullable: true, resolve: (u) => u.peakMemoryBytes }),
  }),
});

const NamedUsageRef = builder.objectRef<NamedUsage>('NamedUsage').implement({
  description: 'The usage of one function or hook',
  interfaces: [UsageInterface],
  isTypeOf: (u) => typeof (u as NamedUsage).name === 'string',
  fields: (t) => ({ name: t.exposeString('name') }),
});

const UsageStatsRef = builder.objectRef<UsageStats>('UsageStats').implement({
  description:
    'Usage numbers from an hourly rollup kept with each execution: reading them costs a few rows per hour counted, whatever the number of calls',
  interfaces: [UsageInterface],
  isTypeOf: (u) => Array.isArray((u as UsageStats).functions),
  fields: (t) => ({
    since: t.expose('since', {
      type: 'DateTime',
      nullable: true,
      description:
        'Start of the first hour counted (`since` rounded down to the hour, UTC); null: since the first call',
    }),
    functions: t.field({
      type: [NamedUsageRef],
      description: 'Direct calls (executePlugin), by function',
      resolve: (u) => u.functions,
    }),
    hooks: t.field({ type: [NamedUsageRef], description: 'Hook runs, by hook', resolve: (u) => u.hooks }),
  }),
});

const sinceArg = {
  description: 'Count calls started from this hour on (rounded down to the hour, UTC); all calls when omitted',
};
const usage = (ctx: Context, key: Omit<UsageKey, 'sinceHour'>, since: Date | null | undefined) =>
  ctx.loaders.usage.load({ ...key, sinceHour: sinceHourOf(since) });

builder.objectField(InstallationRef, 'stats', (t) =>
  t.field({
    type: UsageStatsRef,
    description: 'Calls of this installation and how they went (the installation is its owner’s alone)',
    args: { since: t.arg({ type: 'DateTime', ...sinceArg }) },
    resolve: (i, { since }, ctx) => usage(ctx, { pluginId: i.pluginId, installationId: i.id }, since),
  }),
);

builder.objectField(PluginRef, 'stats', (t) =>
  t.field({
    type: UsageStatsRef,
    nullable: true,
    description:
      'Calls of every installation of this plugin, uninstalled ones included; null unless the viewer is its publisher or an admin',
    args: { since: t.arg({ type: 'DateTime', ...sinceArg }) },
    resolve: (plugin, { since }, ctx) =>
      ctx.viewer && (ctx.viewer.id === plugin.publisherId || ctx.viewer.role === 'ADMIN')
        ? usage(ctx, { pluginId: plugin.id, installationId: 0 }, since)
        : null,
  }),
);
