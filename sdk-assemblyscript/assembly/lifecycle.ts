// Lifecycle hooks: what the platform passes to `plugin_installed`, `plugin_upgraded`,
// `config_changed` and `plugin_uninstalling`, and what `plugin_upgraded` may return.
// No permission: every field comes from the call's input.
import { input, output } from './io';
import { Value, object } from './json-value';

/** What every lifecycle hook receives. */
export class LifecycleEvent {
  /** `plugin.installed`, `plugin.upgraded`, `config.changed` or `plugin.uninstalling`. */
  hook: string = '';
  installationId: i64 = 0;
  /** The plugin's slug. */
  plugin: string = '';
  /** The version running the hook (for `plugin.upgraded`, the one being moved to). */
  version: string = '';
  /** The installation's config once the operation commits (before a migration). */
  config: Value = object();
  /** `plugin.upgraded`: the version moved from. */
  previousVersion: string = '';
  /** `plugin.upgraded`: `UPGRADE`, or `ROLLBACK` when moving back to an earlier version. */
  reason: string = '';
  /** `config.changed`: the config before the change. */
  previousConfig: Value = object();
}

export namespace lifecycle {
  /** The hook's payload, read from the input; null when the input is not a lifecycle payload. */
  export function event(): LifecycleEvent | null {
    const v = input.json();
    if (v == null || !v.isObject()) return null;
    const e = new LifecycleEvent();
    e.hook = v.getString('hook');
    if (!e.hook.startsWith('plugin.') && e.hook != 'config.changed') return null;
    e.installationId = <i64>v.getNumber('installationId');
    e.plugin = v.getString('plugin');
    e.version = v.getString('version');
    const config = v.get('config');
    if (config != null && config.isObject()) e.config = config;
    e.previousVersion = v.getString('previousVersion');
    e.reason = v.getString('reason');
    const previous = v.get('previousConfig');
    if (previous != null && previous.isObject()) e.previousConfig = previous;
    return e;
  }

  /** True when `plugin.upgraded` runs for a rollback (a move back to an earlier version). */
  export function isRollback(e: LifecycleEvent): bool {
    return e.reason == 'ROLLBACK';
  }

  /**
   * From `plugin.upgraded`: the installation's config becomes `config`, validated against the
   * new version's config schema before the upgrade commits (an invalid one refuses the upgrade).
   */
  export function migrateConfig(config: Value): void {
    output.json(object().set('config', config));
  }
}
