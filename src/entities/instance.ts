import { defineEntity, type InferEntity } from '@mikro-orm/core';

/**
 * A running server process. It renews its lease while alive; the RUNNING executions of an
 * instance whose lease expired are completed by whichever instance notices.
 */
export const Instance = defineEntity({
  name: 'Instance',
  tableName: 'instances',
  properties: (p) => ({
    id: p.string().length(36).primary(),
    startedAt: p.datetime(),
    leaseExpiresAt: p.datetime(),
  }),
});
export type Instance = InferEntity<typeof Instance>;
