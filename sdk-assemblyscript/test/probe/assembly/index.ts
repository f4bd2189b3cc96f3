// Exercises every public SDK namespace so sdk.test.ts can check them through the real runtime.
import { clip, config, events, fail, input, json, kv, log, output } from '@plugboard/sdk';

/** Input text back unchanged, logged at every level. */
export function echo(): i32 {
  const text = input.text();
  log.debug('d:' + text);
  log.info('i:' + text);
  log.warn('w:' + text);
  log.error('e:' + text);
  output.text(text);
  return 0;
}

/** Parses the input and serialises it again; malformed input fails with the parser's message. */
export function json_roundtrip(): i32 {
  const v = input.json();
  if (v == null) return fail('parse error: ' + json.lastError());
  output.text(json.stringify(v));
  return 0;
}

/** Typed accessors over `{ s, n, b, list, nested: { k } }`. */
export function json_query(): i32 {
  const v = input.json()!;
  const out = json
    .object()
    .setString('s', v.getString('s', 'missing'))
    .setNumber('n', v.getNumber('n', -1))
    .setBool('b', v.getBool('b', false))
    .set('list', json.strings(v.getStrings('list')))
    .setString('k', v.has('nested') ? v.get('nested')!.getString('k') : 'none')
    .setString('absent', v.getString('nope', 'fallback'))
    .setNumber('kind', <f64>v.kind);
  out.set('removed', json.boolean(out.remove('absent')));
  output.json(out);
  return 0;
}

export function config_types(): i32 {
  const raw = config.get('obj');
  output.json(
    json
      .object()
      .setString('str', config.getString('str', 'default'))
      .setNumber('num', config.getNumber('num', -1))
      .setBool('flag', config.getBool('flag', false))
      .set('list', json.strings(config.getStrings('list')))
      .set('obj', raw == null ? json.nul() : raw)
      .setString('unset', config.getString('unset', 'fallback')),
  );
  return 0;
}

/** Reads `key`, writes `key` + "!" and deletes "gone"; bytes go through unchanged. */
export function kv_roundtrip(): i32 {
  const key = input.text();
  const before = kv.getString(key);
  kv.setString(key, (before == null ? '' : before) + '!');
  const bytes = new Uint8Array(3);
  bytes[0] = 0;
  bytes[1] = 255;
  bytes[2] = 7;
  kv.set('bytes', bytes);
  const removed = kv.remove('gone');
  output.json(
    json
      .object()
      .set('before', before == null ? json.nul() : json.str(before))
      .setBool('removed', removed),
  );
  return 0;
}

export function emit(): i32 {
  events.emit('probe.emitted', input.json()!);
  output.text('ok');
  return 0;
}

export function fail_with(): i32 {
  kv.setString('written-before-failing', 'x');
  return fail(input.text());
}

export function abort_with(): i32 {
  assert(input.text().length == 0, 'probe assertion: ' + input.text());
  return 0;
}

/** The current clip's typed fields, then a patch built with every ClipPatch setter. */
export function clip_echo(): i32 {
  const c = clip.get();
  if (c == null) {
    output.text('no clip');
    return 0;
  }
  clip.patch(
    clip
      .newPatch()
      .setTags(['a'])
      .addTag('b')
      .addTag('b')
      .setStatus('PROCESSED')
      .setTitle(c.title + '!')
      .setDescription('d')
      .setMetadata(json.object().setNumber('seen', c.tags.length)),
  );
  output.json(
    json
      .object()
      .setString('id', c.id)
      .setString('title', c.title)
      .setNumber('durationMs', c.durationMs)
      .setNumber('width', c.width)
      .setNumber('height', c.height)
      .setNumber('fps', c.fps)
      .setString('game', c.game)
      .set('tags', json.strings(c.tags))
      .setString('status', c.status)
      .set('metadata', c.metadata),
  );
  return 0;
}
