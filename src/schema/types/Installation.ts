import { encodeGlobalID } from '@pothos/plugin-relay';
import { Repeater } from 'graphql-yoga';
import { CIRCUIT_STATES } from '../../entities/index.ts';
import { INSTALLATION_EVENT_TYPES, type InstallationEventType } from '../../services/events.ts';
import { PERMISSIONS } from '../../runtime/index.ts';
import {
  effectiveCircuitState,
  installPlugin,
  rollbackInstallation,
  uninstallPlugin,
  updateInstallation,
  upgradeInstallation,
} from '../../services/installations.ts';
import { listInstallations } from '../../services/read/index.ts';
import type { InstallationRecord } from '../../services/read/index.ts';
import { writes } from '../auth.ts';
import { builder } from '../builder.ts';
import { toConnection } from '../connection.ts';
import type { Context } from '../context.ts';
import { parseRowId } from '../ids.ts';
import { InstallationRef, PluginRef, PluginVersionRef, UserRef } from '../refs.ts';
import { reload } from '../reload.ts';
import { DependencyConsentInput } from './InstallPlan.ts';
import { ScheduleChoiceInput } from './Schedule.ts';

const CriticalityEnum = builder.enumType('Criticality', {
  values: {
    CRITICAL: { description: 'A failing hook fails the triggering operation' },
    OPTIONAL: { description: 'A failing hook is recorded and skipped' },
  },
});
const CircuitStateEnum = builder.enumType('CircuitState', { values: CIRCUIT_STATES });
const InstallationEventTypeEnum = builder.enumType('InstallationEventType', { values: INSTALLATION_EVENT_TYPES });

const VersionChangeRef = builder.objectRef<InstallationRecord['history'][number]>('VersionChange').implement({
  fields: (t) => ({
    from: t.exposeString('from', { nullable: true }),
    to: t.exposeString('to'),
    at: t.expose('at', { type: 'DateTime' }),
    reason: t.exposeString('reason', { description: 'INSTALL, UPGRADE or ROLLBACK' }),
  }),
});

/** Installations are private to their owner. */
const visible = (ctx: Context, i: InstallationRecord | null) =>
  i && ctx.viewer && i.ownerId === ctx.viewer.id ? i : null;

builder.node(InstallationRef, {
  description: 'A plugin installed by a user, pinned to a version, with its config and granted permissions',
  id: { resolve: (i) => i.id, parse: parseRowId },
  loadMany: (ids, ctx) => ids.map(async (id) => visible(ctx, await ctx.loaders.installation.load(id))),
  fields: (t) => ({
    owner: t.field({ type: UserRef, resolve: async (i, _a, ctx) => (await ctx.loaders.user.load(i.ownerId))! }),
    plugin: t.field({ type: PluginRef, resolve: async (i, _a, ctx) => (await ctx.loaders.plugin.load(i.pluginId))! }),
    version: t.field({
      type: PluginVersionRef,
      resolve: async (i, _a, ctx) => (await ctx.loaders.version.load(i.versionId))!,
    }),
    versionRange: t.exposeString('versionRange'),
    revoked: t.boolean({
      description:
        'Its version was revoked: it no longer runs (calls and hooks are REJECTED with PLUGIN_REVOKED, CRITICAL ' +
        'hooks are skipped); upgrade or uninstall it',
      resolve: async (i, _a, ctx) => (await ctx.loaders.version.load(i.versionId))?.revokedAt != null,
    }),
    config: t.expose('config', {
      type: 'JSONObject',
      description: 'Validated against the version’s configSchema, defaults applied',
    }),
    grantedPermissions: t.exposeStringList('grantedPermissions'),
    enabled: t.exposeBoolean('enabled'),
    priority: t.exposeInt('priority', { description: 'Hooks run highest priority first' }),
    criticality: t.expose('criticality', { type: CriticalityEnum }),
    circuitState: t.field({
      type: CircuitStateEnum,
      description: 'As a call arriving now would find it: HALF_OPEN once an open circuit’s cool-down has passed',
      resolve: (i, _a, ctx) => effectiveCircuitState(i, Date.now(), ctx.app.platform.breaker),
    }),
    consecutiveFailures: t.exposeInt('consecutiveFailures'),
    circuitOpenedAt: t.expose('circuitOpenedAt', { type: 'DateTime', nullable: true }),
    lastError: t.exposeString('lastError', { nullable: true }),
    history: t.field({ type: [VersionChangeRef], resolve: (i) => i.history }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  installations: t.connection({
    type: InstallationRef,
    description: "The viewer's installations, highest priority first",
    authScopes: { signedIn: true },
    resolve: async (_root, args, ctx) => toConnection(await listInstallations(ctx.em, ctx.viewer!.id, args)),
  }),
  installation: t.field({
    type: InstallationRef,
    nullable: true,
    authScopes: { signedIn: true },
    args: { id: t.arg.globalID({ required: true, for: InstallationRef }) },
    resolve: async (_root, { id }, ctx) => visible(ctx, await ctx.loaders.installation.load(id.id)),
  }),
}));

const InstallPluginInput = builder.inputType('InstallPluginInput', {
  fields: (t) => ({
    slug: t.string({ required: true }),
    versionRange: t.string({
      description: 'semver range; the highest stable, non-yanked match is installed (default "*")',
    }),
    config: t.field({ type: 'JSONObject' }),
    grantPermissions: t.stringList({
      description: `Must cover every permission the version asks for (${PERMISSIONS.join(', ')}, http:<host pattern>)`,
    }),
    priority: t.int({ description: '-1000 to 1000, default 0' }),
    criticality: t.field({ type: CriticalityEnum }),
    installDependencies: t.boolean({
      description:
        'Also install missing dependencies (transitively) in the same transaction; without consent for them the error (DEPENDENCY_CONSENT_REQUIRED) lists the plan in extensions.plan',
    }),
    dependencies: t.field({
      type: [DependencyConsentInput],
      description: 'Consent (grants, config) for each dependency the plan adds; see Plugin.installPlan',
    }),
    schedule: t.field({
      type: ScheduleChoiceInput,
      description:
        'The version’s default schedule (PluginVersion.schedule) is created when this is absent; null declines it; a value edits it (or, with a cron, adds a schedule to a version that proposes none)',
    }),
  }),
});

const UpdateInstallationInput = builder.inputType('UpdateInstallationInput', {
  fields: (t) => ({
    id: t.globalID({ required: true, for: InstallationRef }),
    config: t.field({ type: 'JSONObject' }),
    enabled: t.boolean(),
    priority: t.int(),
    criticality: t.field({ type: CriticalityEnum }),
  }),
});

builder.mutationFields((t) => ({
  installPlugin: t.field({
    type: InstallationRef,
    authScopes: writes,
    args: { input: t.arg({ type: InstallPluginInput, required: true }) },
    resolve: async (_root, { input }, ctx) =>
      reload(ctx.loaders.installation, await installPlugin(ctx.app.platform, ctx.viewer!, input)),
  }),
  updateInstallation: t.field({
    type: InstallationRef,
    authScopes: writes,
    args: { input: t.arg({ type: UpdateInstallationInput, required: true }) },
    resolve: async (_root, { input: { id, ...fields } }, ctx) =>
      reload(ctx.loaders.installation, await updateInstallation(ctx.app.platform, ctx.viewer!, id.id, fields)),
  }),
  upgradeInstallation: t.field({
    type: InstallationRef,
    authScopes: writes,
    args: {
      id: t.arg.globalID({ required: true, for: InstallationRef }),
      versionRange: t.arg.string({ description: 'Replaces the installation’s range when given' }),
      grantPermissions: t.arg.stringList({
        description:
          'Permissions the new version asks for beyond those granted now (see upgradePreview.permissionsAdded); those it no longer asks for are dropped',
      }),
    },
    resolve: async (_root, { id, versionRange, grantPermissions }, ctx) =>
      reload(
        ctx.loaders.installation,
        await upgradeInstallation(ctx.app.platform, ctx.viewer!, id.id, versionRange, grantPermissions),
      ),
  }),
  rollbackInstallation: t.field({
    type: InstallationRef,
    description: 'Returns to the version used before the last upgrade or rollback',
    authScopes: writes,
    args: { id: t.arg.globalID({ required: true, for: InstallationRef }) },
    resolve: async (_root, { id }, ctx) =>
      reload(ctx.loaders.installation, await rollbackInstallation(ctx.app.platform, ctx.viewer!, id.id)),
  }),
  uninstallPlugin: t.field({
    type: InstallationRef,
    description: 'Removes the installation with its KV data (its executions are kept); returns it as it was',
    authScopes: writes,
    args: { id: t.arg.globalID({ required: true, for: InstallationRef }) },
    resolve: (_root, { id }, ctx) => uninstallPlugin(ctx.app.platform, ctx.viewer!, id.id),
  }),
}));

const InstallationEventRef = builder
  .objectRef<{
    type: InstallationEventType;
    installationId: number;
  }>('InstallationEvent')
  .implement({
    fields: (t) => ({
      type: t.expose('type', { type: InstallationEventTypeEnum }),
      installationId: t.id({
        resolve: (e) => encodeGlobalID('Installation', e.installationId),
        description: 'Global ID, also after UNINSTALLED',
      }),
      installation: t.field({
        type: InstallationRef,
        nullable: true,
        description: 'Current state; null once uninstalled',
        resolve: (e, _a, ctx) => ctx.loaders.installation.clear(e.installationId).load(e.installationId),
      }),
    }),
  });

builder.subscriptionField('installationEvents', (t) =>
  t.field({
    type: InstallationEventRef,
    description:
      "Changes to the viewer's installations, circuit breaker transitions included, and REVOKED when an installation's version is revoked",
    authScopes: { signedIn: true },
    subscribe: (_root, _args, ctx) =>
      Repeater.merge([ctx.app.platform.events.subscribe('installation-events', ctx.viewer!.id)]),
    resolve: (payload) => payload,
  }),
);
