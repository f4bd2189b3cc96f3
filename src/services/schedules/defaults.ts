import type { SqlEntityManager } from '@mikro-orm/knex';
import { SCHEDULE_HOOK, type ScheduleSpec } from '../../contracts/index.ts';
import type { Installation, PluginVersion } from '../../entities/index.ts';
import type { Viewer } from '../users.ts';
import { addSchedule, type ScheduleChoice, type ScheduleInput } from './manage.ts';

/** A version's default schedule: its manifest's `schedule` (checked at publish), or null. */
export function defaultScheduleOf(version: Pick<PluginVersion, 'hooks' | 'manifest'>): ScheduleSpec | null {
  if (!version.hooks.includes(SCHEDULE_HOOK)) return null;
  const spec = (version.manifest as { schedule?: ScheduleSpec }).schedule;
  return spec && typeof spec.cron === 'string' ? { ...spec, timezone: spec.timezone ?? 'UTC' } : null;
}

/**
 * At install, inside its transaction: creates the plugin's default schedule unless the installer
 * declined it (`choice` null), with the installer's edits (`choice` fields replace the default's).
 * A version with no default creates a schedule only when the installer gives a full one.
 */
export async function installSchedule(
  tx: SqlEntityManager,
  viewer: Viewer,
  installation: Installation,
  version: PluginVersion,
  choice: ScheduleChoice | null | undefined,
): Promise<void> {
  if (choice === null) return;
  const fallback = defaultScheduleOf(version);
  if (!fallback && !choice) return;
  const given = Object.fromEntries(Object.entries(choice ?? {}).filter(([, v]) => v != null));
  // Without a default, a choice without a cron fails as a schedule without one (INVALID_CRON).
  const spec = { ...(fallback ?? { cron: '' }), ...given } as ScheduleInput;
  await addSchedule(tx, viewer, installation, version, spec, 'input.schedule.');
}
