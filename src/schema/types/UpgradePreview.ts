import { type DependencyChange, previewUpgrade, type UpgradePreview } from '../../services/upgrade-preview.ts';
import { builder } from '../builder.ts';
import { InstallationRef, PluginVersionRef } from '../refs.ts';
import { ProblemRef } from './Problem.ts';

const DependencyChangeRef = builder.objectRef<DependencyChange>('DependencyChange').implement({
  description: 'A dependency whose range differs between the current and the target version',
  fields: (t) => ({
    slug: t.exposeString('slug'),
    from: t.exposeString('from', { nullable: true, description: 'Range the current version asks for' }),
    to: t.exposeString('to', { nullable: true, description: 'Range the target version asks for' }),
    installedVersion: t.exposeString('installedVersion', { nullable: true }),
    satisfied: t.exposeBoolean('satisfied', { description: 'Whether the installed version satisfies `to`' }),
  }),
});

const UpgradePreviewRef = builder.objectRef<UpgradePreview>('UpgradePreview').implement({
  description: 'What `upgradeInstallation` with the same range would do now',
  fields: (t) => ({
    from: t.field({ type: PluginVersionRef, resolve: (p) => p.from }),
    to: t.field({ type: PluginVersionRef, description: 'Chosen as the upgrade chooses', resolve: (p) => p.to }),
    permissionsAdded: t.exposeStringList('permissionsAdded', {
      description: 'Asked for by `to` and not granted: the upgrade needs them in grantPermissions',
    }),
    permissionsRemoved: t.exposeStringList('permissionsRemoved', {
      description: 'Granted now and not asked for by `to`: the upgrade drops them',
    }),
    hostApiCompatible: t.exposeBoolean('hostApiCompatible'),
    configProblems: t.field({
      type: [ProblemRef],
      description: 'How the current config fails the target’s configSchema',
      resolve: (p) => p.configProblems,
    }),
    upgradedHookRuns: t.exposeBoolean('upgradedHookRuns', {
      description:
        '`to` has a plugin.upgraded hook and it will run: it may migrate the config, so configProblems stop the upgrade only if the config it returns fails too',
    }),
    dependencyChanges: t.field({ type: [DependencyChangeRef], resolve: (p) => p.dependencyChanges }),
    dependencyProblems: t.field({
      type: [ProblemRef],
      description: 'Dependencies of `to` not installed in range',
      resolve: (p) => p.dependencyProblems,
    }),
    brokenDependents: t.exposeStringList('brokenDependents', {
      description: 'Your installations that need a version of this plugin `to` is not',
    }),
    ready: t.exposeBoolean('ready', {
      description: 'Whether the upgrade with grantPermissions: permissionsAdded would succeed now',
    }),
  }),
});

builder.objectField(InstallationRef, 'upgradePreview', (t) =>
  t.field({
    type: UpgradePreviewRef,
    nullable: true,
    description: 'The permission, config and dependency changes of an upgrade; null when the upgrade would not move',
    args: { versionRange: t.arg.string({ description: 'Default: the installation’s own range' }) },
    resolve: (i, { versionRange }, ctx) => previewUpgrade(ctx.loaders, i, versionRange),
  }),
);
