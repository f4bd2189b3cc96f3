// Highlight detection over a clip's event timeline. Events closer than `windowMs` join one
// segment; a segment whose weighted score reaches `threshold` is a highlight.
import { json } from '@plugboard/sdk';

export class Settings {
  threshold: f64 = 2;
  windowMs: f64 = 8000;
  paddingMs: f64 = 2000;
  killWeight: f64 = 1;
  peakWeight: f64 = 1;
}

class TimedEvent {
  constructor(
    public t: f64,
    public weight: f64,
    public isKill: bool,
  ) {}
}

/** Reads `[{ t, type: "kill" | "audio_peak", value? }]`; other event types carry no weight. */
function weighted(events: Array<json.Value>, s: Settings): Array<TimedEvent> {
  const out = new Array<TimedEvent>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const t = e.getNumber('t', -1);
    if (t < 0) continue;
    const type = e.getString('type');
    if (type == 'kill') out.push(new TimedEvent(t, s.killWeight, true));
    else if (type == 'audio_peak')
      out.push(new TimedEvent(t, s.peakWeight * Math.min(1, e.getNumber('value', 1)), false));
  }
  out.sort((a: TimedEvent, b: TimedEvent): i32 => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  return out;
}

function segment(group: Array<TimedEvent>, durationMs: f64, s: Settings): json.Value {
  let score: f64 = 0;
  let kills = 0;
  let peaks = 0;
  for (let i = 0; i < group.length; i++) {
    score += group[i].weight;
    if (group[i].isKill) kills++;
    else peaks++;
  }
  const start = Math.max(0, group[0].t - s.paddingMs);
  let end = group[group.length - 1].t + s.paddingMs;
  if (durationMs > 0) end = Math.min(durationMs, end);
  return json
    .object()
    .setNumber('startMs', start)
    .setNumber('endMs', end)
    .setNumber('score', Math.round(score * 100) / 100)
    .setNumber('kills', kills)
    .setNumber('audioPeaks', peaks);
}

/** Highlights as `[{ startMs, endMs, score, kills, audioPeaks }]`, in time order. */
export function detectHighlights(events: Array<json.Value>, durationMs: f64, s: Settings): json.Value {
  const timeline = weighted(events, s);
  const highlights = json.array();
  let group = new Array<TimedEvent>();
  for (let i = 0; i <= timeline.length; i++) {
    const closes = i == timeline.length || (group.length > 0 && timeline[i].t - group[group.length - 1].t > s.windowMs);
    if (closes && group.length > 0) {
      let score: f64 = 0;
      for (let j = 0; j < group.length; j++) score += group[j].weight;
      if (score >= s.threshold) highlights.push(segment(group, durationMs, s));
      group = new Array<TimedEvent>();
    }
    if (i < timeline.length) group.push(timeline[i]);
  }
  return highlights;
}
