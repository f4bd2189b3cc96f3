import { clip, config, fail, input, json, log, output } from '@plugboard/sdk';
import { Settings, detectHighlights } from './detect';

function settings(): Settings {
  const s = new Settings();
  s.threshold = config.getNumber('threshold', s.threshold);
  s.windowMs = config.getNumber('windowMs', s.windowMs);
  s.paddingMs = config.getNumber('paddingMs', s.paddingMs);
  s.killWeight = config.getNumber('killWeight', s.killWeight);
  s.peakWeight = config.getNumber('peakWeight', s.peakWeight);
  return s;
}

function result(highlights: json.Value, s: Settings): json.Value {
  return json.object().set('highlights', highlights).setNumber('threshold', s.threshold);
}

/** On demand: input `{ durationMs, events: [{ t, type, value? }] }`. */
export function detect(): i32 {
  const body = input.json();
  if (body == null || !body.isObject()) return fail('detect: input must be a JSON object: ' + json.lastError());
  const s = settings();
  output.json(result(detectHighlights(body.getArray('events'), body.getNumber('durationMs'), s), s));
  return 0;
}

/** Hook: reads the timeline from `clip.metadata.events`, stores highlights in the clip's metadata. */
export function clip_captured(): i32 {
  const current = clip.get();
  if (current == null) return fail('clip.captured: no clip');
  const s = settings();
  const events = current.metadata.getArray('events');
  const highlights = detectHighlights(events, current.durationMs, s);
  const found = highlights.items.length;
  log.info(
    'clip ' + current.id + ': ' + found.toString() + ' highlight(s) in ' + events.length.toString() + ' event(s)',
  );
  const summary = result(highlights, s);
  const patch = clip.newPatch().setMetadata(summary);
  if (found > 0) patch.addTag('highlights');
  clip.patch(patch);
  output.json(summary);
  return 0;
}
