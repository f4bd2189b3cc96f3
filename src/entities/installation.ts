import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Plugin } from './plugin.ts';
import { PluginVersion } from './plugin-version.ts';
import { User } from './user.ts';

export const CRITICALITIES = ['CRITICAL', 'OPTIONAL'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

export const CIRCUIT_STATES = ['CLOSED', 'OPEN', 'HALF_OPEN'] as const;
export type CircuitState = (typeof CIRCUIT_STATES)[number];

export interface VersionChange {
  from: string | null;
  to: string;
  at: string;
  reason: 'INSTALL' | 'UPGRADE' | 'ROLLBACK';
  /** The grants before this change (absent on entries written before it was kept): rollback restores them. */
  grants?: string[];
}

export const Installation = defineEntity({
  name: 'Installation',
  tableName: 'installations',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    owner: p.manyToOne(User).ref().index(),
    plugin: p.manyToOne(Plugin).ref().index(),
    version: p.manyToOne(PluginVersion).ref(),
    versionRange: p.string().length(100),
    config: p.json<Record<string, unknown>>(),
    grantedPermissions: p.json<string[]>(),
    enabled: p.boolean().default(true),
    priority: p.integer().default(0),
    criticality: p.enum([...CRITICALITIES]).default('OPTIONAL'),
    circuitState: p.enum([...CIRCUIT_STATES]).default('CLOSED'),
    consecutiveFailures: p.integer().default(0),
    circuitOpenedAt: p.datetime().nullable(),
    lastError: p.string().length(1000).nullable(),
    history: p.json<VersionChange[]>(),
    /** Moves on every commit of KV writes: a call applies its writes only over the state it read. */
    kvRevision: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
  uniques: [{ properties: ['owner', 'plugin'] }],
});
export type Installation = InferEntity<typeof Installation>;
