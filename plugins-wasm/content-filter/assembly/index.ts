import { clip, config, fail, input, json, log, output } from '@plugboard/sdk';
import { maskText } from './mask';

class Filter {
  keywords: Array<string> = config.getStrings('keywords');
  mask: string = config.getString('mask', '*');
  wholeWords: bool = config.getBool('wholeWords', true);
  /** `[{ field, keyword, count }]`, in the order the fields were filtered. */
  report: json.Value = json.array();
  total: i32 = 0;

  apply(field: string, text: string): string {
    const result = maskText(text, this.keywords, this.mask, this.wholeWords);
    const found = result.hits.keys();
    for (let i = 0; i < found.length; i++) {
      const count = result.hits.get(found[i]);
      this.total += count;
      this.report.push(
        json.object().setString('field', field).setString('keyword', found[i]).setNumber('count', count),
      );
    }
    return result.text;
  }

  /**
   * Tags that contain a keyword are dropped rather than masked: a masked tag ("****") is useless
   * for search and breaks the server's tag rules, which would make it drop the whole patch.
   */
  keepTags(tags: Array<string>): Array<string> {
    const out = new Array<string>();
    for (let i = 0; i < tags.length; i++) if (this.apply('tags', tags[i]) == tags[i]) out.push(tags[i]);
    return out;
  }

  summary(): json.Value {
    return json.object().set('filtered', this.report).setNumber('total', this.total);
  }
}

/** On demand: input `{ title?, description?, tags? }`; output the masked text, the kept tags and the report. */
export function filter(): i32 {
  const body = input.json();
  if (body == null || !body.isObject()) return fail('filter: input must be a JSON object: ' + json.lastError());
  const f = new Filter();
  const out = json
    .object()
    .setString('title', f.apply('title', body.getString('title')))
    .setString('description', f.apply('description', body.getString('description')))
    .set('tags', json.strings(f.keepTags(body.getStrings('tags'))));
  output.json(out.set('report', f.summary()));
  return 0;
}

function filterClip(): i32 {
  const current = clip.get();
  if (current == null) return fail('content-filter: no clip');
  const f = new Filter();
  const title = f.apply('title', current.title);
  const description = f.apply('description', current.description);
  const tags = f.keepTags(current.tags);
  const summary = f.summary();
  if (f.total > 0) {
    log.info('clip ' + current.id + ': masked ' + f.total.toString() + ' keyword occurrence(s)');
    clip.patch(clip.newPatch().setTitle(title).setDescription(description).setTags(tags).setMetadata(summary));
  }
  output.json(summary);
  return 0;
}

export function clip_captured(): i32 {
  return filterClip();
}

export function clip_updated(): i32 {
  return filterClip();
}
