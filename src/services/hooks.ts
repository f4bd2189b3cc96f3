import { clipForPlugins as pluginClip, hookInput, type PluginClip } from '../contracts/index.ts';
import { CLIP_STATUSES, type ClipStatus } from '../entities/index.ts';
import { hookExportName, type Hook } from '../runtime/index.ts';
import { DomainError } from './errors.ts';
import { CLIP_LIMITS, charLength } from './validation/clip-limits.ts';
import {
  type CallBatch,
  type CallTarget,
  loadOwnerTargets,
  newRecord,
  PLUGIN_REVOKED,
  runLoadedCall,
  UninstalledDuringCallError,
  type CallOutcome,
  type CallSpec,
} from './execute/index.ts';
import type { Platform } from './platform/index.ts';
import type { ClipRecord } from './read/index.ts';
import { isValidTag, normalizeTags } from './validation/validator.ts';

/** A CRITICAL plugin failed a hook: the triggering clip write is undone. */
export class HookFailedError extends DomainError {
  constructor(slug: string, hook: string, executionId: number, code: string | null, message: string | null) {
    super(
      'PLUGIN_HOOK_FAILED',
      `Critical plugin "${slug}" failed ${hook}: ${code ?? 'FAILED'}${message ? `: ${message}` : ''}`,
      {
        plugin: slug,
        hook,
        executionId,
        pluginErrorCode: code,
      },
    );
  }
}

/** The clip fields plugins read through `clip_get` (the definition the SDK's harness shares). */
export const clipForPlugins = (clip: ClipRecord): PluginClip => pluginClip({ ...clip });

/**
 * Runs the clip owner's enabled installations that declare `hook`, highest priority first, each
 * seeing the clip as patched by the ones before it. Returns the patched clip, or null when no
 * patch applied. An OPTIONAL failure is recorded and skipped; a CRITICAL one throws, unless its
 * version was revoked (recorded REJECTED and skipped). The calls'
 * rows are inserted together and completed by `batch.write`, which the caller runs in the
 * transaction of its own write (see `CallBatch`): a constant number of statements for any
 * number of hooks.
 */
export async function runClipHooks(
  platform: Platform,
  hook: Hook,
  clip: ClipRecord,
  batch: CallBatch,
): Promise<ClipRecord | null> {
  const em = platform.db.fork();
  const targets = (await loadOwnerTargets(em, clip.ownerId)).filter(
    (t) => t.installation.enabled && t.version.hooks.includes(hook),
  );
  const specOf = (target: CallTarget, current: ClipRecord): CallSpec => ({
    installationId: target.installation.id,
    function: hookExportName(hook),
    input: hookInput(hook, clipForPlugins(current)),
    trigger: 'HOOK',
    hook,
    clip: clipForPlugins(current),
  });
  const started = targets.map((target) => newRecord(platform, target, specOf(target, clip)));
  await batch.start(em, started);
  let current = clip;
  let changed = false;
  for (const [n, target] of targets.entries()) {
    const { installation, slug } = target;
    let outcome: CallOutcome;
    try {
      outcome = await runLoadedCall(platform, target, specOf(target, current), { batch, started: started[n] });
    } catch (err) {
      // Uninstalled since the list above was read: it no longer has a say in this clip.
      if (err instanceof UninstalledDuringCallError) continue;
      throw err;
    }
    if (outcome.status !== 'SUCCEEDED') {
      // A revoked version never blocks its owner: its CRITICAL hooks are skipped (and recorded), not failed.
      if (installation.criticality === 'CRITICAL' && outcome.errorCode !== PLUGIN_REVOKED)
        throw new HookFailedError(slug, hook, outcome.executionId, outcome.errorCode, outcome.errorMessage);
      continue;
    }
    if (!installation.grantedPermissions.includes('clips:write')) continue;
    for (const patch of outcome.result?.clipPatches ?? []) {
      const { clip: next, dropped } = applyPatch(current, slug, patch);
      if (dropped.length)
        platform.logger.warn(
          { plugin: slug, executionId: outcome.executionId, dropped },
          'dropped invalid parts of a clip patch',
        );
      current = next;
      changed = true;
    }
  }
  return changed ? current : null;
}

/**
 * Applies what is valid in a plugin's patch, field by field (an invalid tag is dropped, not the
 * patch); metadata goes under the plugin's own slug. Returns the patched clip and what was dropped.
 */
export function applyPatch(
  clip: ClipRecord,
  slug: string,
  patch: Record<string, unknown>,
): { clip: ClipRecord; dropped: string[] } {
  const dropped: string[] = [];
  const tagList = (key: 'tags' | 'addTags'): string[] | undefined => {
    const value = patch[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) {
      dropped.push(key);
      return undefined;
    }
    const valid = value.filter(isValidTag);
    if (valid.length < value.length)
      dropped.push(
        `${key}: ${value
          .filter((t) => !isValidTag(t))
          .map((t) => JSON.stringify(t))
          .join(', ')}`,
      );
    return valid;
  };
  const next: ClipRecord = { ...clip, metadata: { ...clip.metadata } };
  const tags = tagList('tags');
  const addTags = tagList('addTags');
  if (tags) next.tags = normalizeTags(tags).slice(0, CLIP_LIMITS.tags);
  if (addTags) next.tags = normalizeTags([...next.tags, ...addTags]).slice(0, CLIP_LIMITS.tags);
  for (const key of ['title', 'description'] as const) {
    const value = patch[key];
    if (value === undefined) continue;
    if (
      typeof value === 'string' &&
      (key === 'description' || value.length > 0) &&
      charLength(value) <= CLIP_LIMITS[key]
    )
      next[key] = value;
    else dropped.push(key);
  }
  if (patch.status !== undefined) {
    if (CLIP_STATUSES.includes(patch.status as ClipStatus)) next.status = patch.status as ClipStatus;
    else dropped.push('status');
  }
  if (patch.metadata !== undefined) {
    if (JSON.stringify(patch.metadata).length <= CLIP_LIMITS.pluginMetadataJson) next.metadata[slug] = patch.metadata;
    else dropped.push(`metadata (over ${CLIP_LIMITS.pluginMetadataJson / 1024} KiB)`);
  }
  return { clip: next, dropped };
}
