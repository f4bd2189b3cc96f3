/**
 * What a hook plugin receives, defined once for the server's hook pipeline and the SDK's test
 * harness: the clip as `clip_get` returns it, and the hook call's input.
 */

/** The clip fields plugins see: the clip's own, with `id` its number and times as ISO 8601 text. */
export type PluginClip = Record<string, unknown> & { id: number };

/** Fields a clip row has that plugins never see. */
const PRIVATE_FIELDS = ['ownerId', 'pending'];

/**
 * The clip as plugins receive it. `id` must be the clip's number (as the server stores it): a
 * string id is refused, so a test cannot pass with a clip the server would never send.
 */
export function clipForPlugins(clip: Record<string, unknown>): PluginClip {
  const { id } = clip;
  if (typeof id !== 'number' || !Number.isSafeInteger(id))
    throw new TypeError(`clip.id must be the clip's number, as the server sends it (got ${JSON.stringify(id)})`);
  const seen: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(clip))
    if (!PRIVATE_FIELDS.includes(key)) seen[key] = value instanceof Date ? value.toISOString() : value;
  return seen as PluginClip;
}

/** The input of a hook call: `{ "hook": "clip.captured", "clip": { … } }`. */
export function hookInput(hook: string, clip: PluginClip): string {
  return JSON.stringify({ hook, clip });
}

/** The input of a lifecycle hook (`plugin.installed`, `plugin.upgraded`, `config.changed`, `plugin.uninstalling`). */
export interface LifecyclePayload {
  hook: string;
  installationId: number;
  /** The plugin's slug. */
  plugin: string;
  /** The version that runs the hook: for `plugin.upgraded`, the one moved to. */
  version: string;
  /** The config once the operation commits. */
  config: Record<string, unknown>;
  /** `plugin.upgraded`: the version moved from, and whether the move is an upgrade or a rollback. */
  previousVersion?: string;
  reason?: 'UPGRADE' | 'ROLLBACK';
  /** `config.changed`: the config before the change. */
  previousConfig?: Record<string, unknown>;
}

/** A lifecycle hook's input, as the server sends it and the harness's tests should. */
export function lifecycleInput(payload: LifecyclePayload): string {
  return JSON.stringify(payload);
}
