import type { Installation, PluginVersion } from '../../entities/index.ts';
import { validateConfig } from '../validation/config.ts';
import type { LifecycleIntent, LifecycleRun } from './call.ts';
import { LifecycleHookFailedError } from './errors.ts';

/** The circuit of a new installation, or of one moving to another version. */
export const CLOSED = { state: 'CLOSED', consecutiveFailures: 0, openedAt: null } as const;

/** A lifecycle hook of an existing installation, as it is now (callers override what the operation changes). */
export function intentOf(installation: Installation, hook: LifecycleIntent['hook']): LifecycleIntent {
  return {
    hook,
    plugin: installation.plugin.getEntity(),
    installationId: installation.id,
    ownerId: installation.owner.id,
    version: installation.version.getEntity(),
    config: installation.config,
    grants: installation.grantedPermissions,
    enabled: installation.enabled,
    circuit: {
      state: installation.circuitState,
      consecutiveFailures: installation.consecutiveFailures,
      openedAt: installation.circuitOpenedAt?.getTime() ?? null,
    },
    creates: false,
    kvRevision: installation.kvRevision,
    details: {},
  };
}

/**
 * The config a successful `plugin.upgraded` returned (`{ "config": { … } }`), validated against
 * the new version's schema; null when it returned none. An invalid one refuses the move.
 */
export function migratedConfig(run: LifecycleRun, target: PluginVersion): Record<string, unknown> | null {
  if (run.record.status !== 'SUCCEEDED' || !run.result?.output) return null;
  let output: unknown;
  try {
    output = JSON.parse(new TextDecoder().decode(run.result.output));
  } catch {
    return null;
  }
  if (typeof output !== 'object' || output === null || !('config' in output)) return null;
  const { config, problems } = validateConfig(target.configSchema ?? null, output.config);
  const slug = run.intent.plugin.slug;
  if (problems.length)
    throw new LifecycleHookFailedError(
      slug,
      run.intent.hook,
      run.record,
      problems.map((p) => ({ ...p, field: `plugin.upgraded.${p.field ?? 'config'}` })),
    );
  return config;
}
