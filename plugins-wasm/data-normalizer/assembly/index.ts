import { config, fail, input, json, output } from '@plugboard/sdk';
import { Stats, describe, round, scale } from './scale';

const METHODS = ['zscore', 'minmax', 'robust'];

function statsJson(s: Stats, places: i32): json.Value {
  return json
    .object()
    .setNumber('count', s.count)
    .setNumber('mean', round(s.mean, places))
    .setNumber('std', round(s.std, places))
    .setNumber('min', s.min)
    .setNumber('max', s.max)
    .setNumber('median', round(s.median, places))
    .setNumber('iqr', round(s.q3 - s.q1, places));
}

/**
 * Input `{ "series": { "<name>": [numbers] } }` or `{ "values": [numbers] }` (one series named
 * "values"). Output `{ method, series: { name: [scaled] }, stats: { name: {...} } }`.
 */
export function normalize(): i32 {
  const body = input.json();
  if (body == null || !body.isObject()) return fail('normalize: input must be a JSON object: ' + json.lastError());
  const method = config.getString('method', 'zscore');
  if (!METHODS.includes(method)) return fail("normalize: unknown method '" + method + "' (zscore, minmax, robust)");
  const places = <i32>config.getNumber('precision', 6);

  let series = body.get('series');
  if (series == null) {
    if (!body.has('values')) return fail("normalize: input needs 'series' or 'values'");
    series = json.object().set('values', body.get('values')!);
  }
  if (!series.isObject()) return fail("normalize: 'series' must be an object of arrays");

  const scaled = json.object();
  const stats = json.object();
  for (let k = 0; k < series.keys.length; k++) {
    const name = series.keys[k];
    const items = series.get(name)!;
    if (!items.isArray()) return fail("normalize: series '" + name + "' is not an array");
    const values = new Array<f64>();
    for (let i = 0; i < items.items.length; i++) {
      const item = items.items[i];
      if (!item.isNumber()) return fail("normalize: series '" + name + "' item " + i.toString() + ' is not a number');
      values.push(item.num);
    }
    const s = describe(values);
    const out = scale(values, method, s);
    for (let i = 0; i < out.length; i++) out[i] = round(out[i], places);
    scaled.set(name, json.numbers(out));
    stats.set(name, statsJson(s, places));
  }
  output.json(json.object().setString('method', method).set('series', scaled).set('stats', stats));
  return 0;
}
