// The clip the call is about: read it (permission `clips:read`), patch it (`clips:write`).
// Patches are queued and applied by the platform only when the call succeeds.
import { host_clip_get, host_clip_patch } from './host';
import { release, storeString, takeString } from './memory';
import { parse } from './json-read';
import { stringify } from './json-value';
import { Clip, ClipPatch } from './clip-types';

export namespace clip {
  /** The current clip, or null when the call is not about a clip. */
  export function get(): Clip | null {
    const text = takeString(host_clip_get());
    if (text == null) return null;
    const v = parse(text);
    if (v == null || !v.isObject()) abort('clip: the host sent a clip that is not a JSON object');
    return Clip.fromJson(v!);
  }

  /** A new, empty patch to fill in and pass to `clip.patch`. */
  export function newPatch(): ClipPatch {
    return new ClipPatch();
  }

  /** Queues `changes`; returns false when there is no current clip. Aborts if the host rejects it. */
  export function patch(changes: ClipPatch): bool {
    const offset = storeString(stringify(changes.toJson()));
    const status = host_clip_patch(offset);
    release(offset);
    if (status == 1) abort('clip: the host rejected the patch as invalid');
    return status == 0;
  }
}
