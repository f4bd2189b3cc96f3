// Per-game statistics in KV: one key per game ("game:<name>" -> { count, totalDurationMs }) and
// an index key ("games" -> [names]) so `stats` can list them without a KV scan. Clips without a
// game count under a label the config names (`unknownGame`, default "unknown"); lifecycle hooks
// keep it in KV ("label"), so the clip hook needs no `config` permission, and bring KV written
// by an older layout up to date on upgrade.
import { clip, fail, json, kv, lifecycle, log, output } from '@plugboard/sdk';

const INDEX_KEY = 'games';
const LABEL_KEY = 'label';
/** The KV layout this code writes: 2 since "label"; layout 1 counted game-less clips under "game:". */
const LAYOUT_KEY = 'layout';
const LAYOUT = '2';

function labelOf(config: json.Value): string {
  const name = config.getString('unknownGame');
  return name.length > 0 ? name : 'unknown';
}

function currentLabel(): string {
  const label = kv.getString(LABEL_KEY);
  return label != null ? label : 'unknown';
}

/** Moves the entry of game `from` to `to` (adding up when `to` has one), keeping the index in step. */
function renameGame(from: string, to: string): void {
  if (from == to) return;
  const old = kv.getJson(gameKey(from));
  const names = gameNames();
  const kept = new Array<string>();
  for (let i = 0; i < names.length; i++) if (names[i] != from) kept.push(names[i]);
  if (old != null) {
    let merged = kv.getJson(gameKey(to));
    if (merged == null || !merged.isObject()) merged = json.object();
    merged.setNumber('count', merged.getNumber('count') + old.getNumber('count'));
    merged.setNumber('totalDurationMs', merged.getNumber('totalDurationMs') + old.getNumber('totalDurationMs'));
    kv.setJson(gameKey(to), merged);
    kv.remove(gameKey(from));
    if (!kept.includes(to)) kept.push(to);
  }
  kv.setJson(INDEX_KEY, json.strings(kept));
}

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
  const game = current.game.length > 0 ? current.game : currentLabel();
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

/** Lifecycle: a new installation starts with an empty index, the current layout and its label. */
export function plugin_installed(): i32 {
  const e = lifecycle.event();
  if (e == null) return fail('plugin.installed: no payload');
  kv.setJson(INDEX_KEY, json.strings(new Array<string>()));
  kv.setString(LAYOUT_KEY, LAYOUT);
  kv.setString(LABEL_KEY, labelOf(e.config));
  return 0;
}

/**
 * Lifecycle: brings KV written by an older layout up to date. Layout 1 (no "layout" key) counted
 * game-less clips under the empty game name ("game:"); they move under the label.
 */
export function plugin_upgraded(): i32 {
  const e = lifecycle.event();
  if (e == null) return fail('plugin.upgraded: no payload');
  const layout = kv.getString(LAYOUT_KEY);
  const label = labelOf(e.config);
  if (layout == null) renameGame('', label);
  else if (layout != LAYOUT) return fail('plugin.upgraded: unknown KV layout ' + layout);
  kv.setString(LAYOUT_KEY, LAYOUT);
  kv.setString(LABEL_KEY, label);
  log.info(
    'KV layout ' +
      (layout != null ? layout : '1') +
      ' -> ' +
      LAYOUT +
      ' (' +
      e.previousVersion +
      ' -> ' +
      e.version +
      ')',
  );
  return 0;
}

/** Lifecycle: a new `unknownGame` label takes over the counts kept under the old one. */
export function config_changed(): i32 {
  const e = lifecycle.event();
  if (e == null) return fail('config.changed: no payload');
  const before = labelOf(e.previousConfig);
  const after = labelOf(e.config);
  if (before != after) {
    renameGame(before, after);
    kv.setString(LABEL_KEY, after);
  }
  return 0;
}

/** Lifecycle: says what is about to go (the KV store is deleted with the installation). */
export function plugin_uninstalling(): i32 {
  const e = lifecycle.event();
  if (e == null) return fail('plugin.uninstalling: no payload');
  log.info('forgetting ' + gameNames().length.toString() + ' game(s) of installation ' + e.installationId.toString());
  return 0;
}
