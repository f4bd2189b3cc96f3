import { Clip, clip, config, fail, input, json, output } from '@plugboard/sdk';
import { Rules, deriveTags } from './tags';

function rules(): Rules {
  const r = new Rules();
  r.prefix = config.getString('prefix', r.prefix);
  r.shortMaxMs = config.getNumber('shortMaxMs', r.shortMaxMs);
  r.longMinMs = config.getNumber('longMinMs', r.longMinMs);
  return r;
}

/** On demand: input is a clip-shaped object; output `{ tags }` without touching any clip. */
export function suggest(): i32 {
  const body = input.json();
  if (body == null || !body.isObject()) return fail('suggest: input must be a clip JSON object: ' + json.lastError());
  output.json(json.object().set('tags', json.strings(deriveTags(Clip.fromJson(body), rules()))));
  return 0;
}

/** Hook: adds the derived tags the clip does not have yet. */
export function clip_captured(): i32 {
  const current = clip.get();
  if (current == null) return fail('clip.captured: no clip');
  const tags = deriveTags(current, rules());
  const patch = clip.newPatch();
  const added = new Array<string>();
  for (let i = 0; i < tags.length; i++) {
    if (current.tags.includes(tags[i])) continue;
    patch.addTag(tags[i]);
    added.push(tags[i]);
  }
  if (added.length > 0) clip.patch(patch);
  output.json(json.object().set('tags', json.strings(tags)).set('added', json.strings(added)));
  return 0;
}
