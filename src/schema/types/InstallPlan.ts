import { type InstallPlan, type PlannedInstall, planInstall, type ReusedInstall } from '../../services/install-plan.ts';
import { builder } from '../builder.ts';
import { PluginRef, PluginVersionRef } from '../refs.ts';
import { ProblemRef } from './Problem.ts';

export const DependencyConsentInput = builder.inputType('DependencyConsentInput', {
  description: 'Consent for one dependency that `installPlugin(installDependencies: true)` adds',
  fields: (t) => ({
    slug: t.string({ required: true }),
    grantPermissions: t.stringList({ required: true, description: 'Exactly what the planned version asks for' }),
    config: t.field({ type: 'JSONObject', description: 'Validated against its configSchema (default {})' }),
  }),
});

const PlannedInstallRef = builder.objectRef<PlannedInstall>('PlannedInstall').implement({
  fields: (t) => ({
    slug: t.exposeString('slug'),
    version: t.field({ type: PluginVersionRef, resolve: (i) => i.version }),
    dependency: t.boolean({
      description: 'False for the plugin asked for, true for a dependency it adds',
      resolve: (i) => i.requiredBy.length > 0,
    }),
    permissions: t.stringList({
      description: 'What installing it asks to be granted',
      resolve: (i) => i.version.permissions,
    }),
    configRequired: t.exposeBoolean('configRequired', {
      description: 'An empty config fails its schema: the install must give one',
    }),
    requiredBy: t.exposeStringList('requiredBy', { description: '`slug@version` of the planned plugins needing it' }),
  }),
});

const ReusedDependencyRef = builder.objectRef<ReusedInstall>('ReusedDependency').implement({
  description: 'A dependency the viewer already has installed in range',
  fields: (t) => ({
    slug: t.exposeString('slug'),
    version: t.exposeString('version'),
    requiredBy: t.exposeStringList('requiredBy'),
  }),
});

const InstallPlanRef = builder.objectRef<InstallPlan>('InstallPlan').implement({
  description: 'What `installPlugin(installDependencies: true)` would install for the viewer now',
  fields: (t) => ({
    installs: t.field({
      type: [PlannedInstallRef],
      description: 'Dependencies before their dependents, the plugin asked for last',
      resolve: (p) => p.installs,
    }),
    reused: t.field({ type: [ReusedDependencyRef], resolve: (p) => p.reused }),
    problems: t.field({
      type: [ProblemRef],
      description: 'Why the install would fail whatever the consent: no version in range, a cycle, a conflict…',
      resolve: (p) => p.problems,
    }),
  }),
});

builder.objectField(PluginRef, 'installPlan', (t) =>
  t.field({
    type: InstallPlanRef,
    description:
      'The installs (with dependencies) `installPlugin` would make; signed out, as if nothing were installed',
    args: { versionRange: t.arg.string({ description: 'Default "*"' }) },
    resolve: (plugin, { versionRange }, ctx) => planInstall(ctx.loaders, ctx.viewer, plugin.slug, versionRange),
  }),
);
