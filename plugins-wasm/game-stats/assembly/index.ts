// Per-game statistics in KV: one key per game ("game:<name>" -> { count, totalDurationMs }) and
// an index key ("games" -> [names]) so `stats` can list them without a KV scan.
import { clip, fail, json, kv, log, output } from '@plugboard/sdk';

const INDEX_KEY = 'games';
const DIGEST_KEY = 'digest';

function gameKey(game: string): string {
  return 'game:' + game;
}

function gameNames(): Array<string> {
  const index = kv.getJson(INDEX_KEY);
  const names = new Array<string>();
  if (index == null) return names;
  const items = index.asArray();
  for (let i = 0; i < items.length; i++) if (items[i].isString()) names.push(items[i].str);
  return names;
}

function allStats(): json.Value {
  const games = json.object();
  let clips: f64 = 0;
  let duration: f64 = 0;
  const names = gameNames();
  for (let i = 0; i < names.length; i++) {
    const entry = kv.getJson(gameKey(names[i]));
    if (entry == null) continue;
    games.set(names[i], entry);
    clips += entry.getNumber('count');
    duration += entry.getNumber('totalDurationMs');
  }
  return json.object().set('games', games).setNumber('clips', clips).setNumber('totalDurationMs', duration);
}

/** Hook: counts the clip under its game and returns the updated totals. */
export function clip_captured(): i32 {
  const current = clip.get();
  if (current == null) return fail('clip.captured: no clip');
  const game = current.game.length > 0 ? current.game : 'unknown';
  let entry = kv.getJson(gameKey(game));
  if (entry == null || !entry.isObject()) entry = json.object();
  entry.setNumber('count', entry.getNumber('count') + 1);
  entry.setNumber('totalDurationMs', entry.getNumber('totalDurationMs') + Math.max(0, current.durationMs));
  kv.setJson(gameKey(game), entry);
  const names = gameNames();
  if (!names.includes(game)) {
    names.push(game);
    kv.setJson(INDEX_KEY, json.strings(names));
  }
  log.debug('game ' + game + ': ' + (<i64>entry.getNumber('count')).toString() + ' clip(s)');
  output.json(allStats().setString('game', game));
  return 0;
}

/**
 * Hook `schedule` (daily at midnight UTC by default; the installer may edit or decline it): keeps
 * a digest of the totals, numbered by run, under "digest" and returns it.
 */
export function schedule(): i32 {
  const previous = kv.getJson(DIGEST_KEY);
  const run = previous == null ? 1 : previous.getNumber('run') + 1;
  const digest = allStats().setNumber('run', run);
  kv.setJson(DIGEST_KEY, digest);
  log.info('digest ' + (<i64>run).toString() + ': ' + (<i64>digest.getNumber('clips')).toString() + ' clip(s)');
  output.json(digest);
  return 0;
}

/** On demand: the totals so far. */
export function stats(): i32 {
  output.json(allStats());
  return 0;
}

/** On demand: forgets every game; returns how many were removed. */
export function reset(): i32 {
  const names = gameNames();
  for (let i = 0; i < names.length; i++) kv.remove(gameKey(names[i]));
  kv.remove(INDEX_KEY);
  output.json(json.object().setNumber('removed', names.length));
  return 0;
}
