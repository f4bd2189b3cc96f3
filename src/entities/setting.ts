import { defineEntity, type InferEntity } from '@mikro-orm/core';

/** Platform-wide values kept with the data, such as the deployment's id (see `deploymentId`). */
export const Setting = defineEntity({
  name: 'Setting',
  tableName: 'settings',
  properties: (p) => ({
    key: p.string().length(64).primary(),
    value: p.text(),
  }),
});
export type Setting = InferEntity<typeof Setting>;
