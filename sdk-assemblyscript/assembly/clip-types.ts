// The clip a call is about, as the server passes it to `clip_get`, and the patch a plugin may
// apply to it with `clip_patch`.
import { Value, object, str, strings } from './json-value';

export class Clip {
  /** The clip's number as the server sends it, as decimal text (e.g. "42"). */
  id: string = '';
  title: string = '';
  description: string = '';
  mediaUrl: string = '';
  durationMs: f64 = 0;
  width: i32 = 0;
  height: i32 = 0;
  fps: f64 = 0;
  codec: string = '';
  sizeBytes: f64 = 0;
  game: string = '';
  tags: Array<string> = [];
  /** CAPTURED, PROCESSING, PROCESSED or FAILED. */
  status: string = '';
  /** Plugin results keyed by plugin slug, plus whatever the capture client recorded. */
  metadata: Value = object();
  /** The clip exactly as received. */
  raw: Value = object();

  static fromJson(v: Value): Clip {
    const c = new Clip();
    // The server sends the id as a JSON number; read as a string it would be "".
    const id = v.get('id');
    c.id = id == null ? '' : id.isNumber() ? (<i64>id.asNumber()).toString() : id.asString();
    c.title = v.getString('title');
    c.description = v.getString('description');
    c.mediaUrl = v.getString('mediaUrl');
    c.durationMs = v.getNumber('durationMs');
    c.width = <i32>v.getNumber('width');
    c.height = <i32>v.getNumber('height');
    c.fps = v.getNumber('fps');
    c.codec = v.getString('codec');
    c.sizeBytes = v.getNumber('sizeBytes');
    c.game = v.getString('game');
    c.tags = v.getStrings('tags');
    c.status = v.getString('status');
    const meta = v.get('metadata');
    if (meta != null && meta.isObject()) c.metadata = meta;
    c.raw = v;
    return c;
  }
}

/**
 * Changes to the current clip. Every field is optional; unset fields are left alone.
 * - `tags` replaces the tag list; `addTags` appends tags that are not already present;
 * - `metadata` is stored under the plugin's own slug key in the clip's metadata (the server
 *   merges it there; a plugin cannot write another plugin's entry);
 * - `status`: CAPTURED, PROCESSING, PROCESSED or FAILED; `title` and `description` replace text.
 */
export class ClipPatch {
  tags: Array<string> | null = null;
  addTags: Array<string> | null = null;
  metadata: Value | null = null;
  status: string | null = null;
  title: string | null = null;
  description: string | null = null;

  setTags(tags: Array<string>): ClipPatch {
    this.tags = tags;
    return this;
  }
  addTag(tag: string): ClipPatch {
    let list = this.addTags;
    if (list == null) {
      list = new Array<string>();
      this.addTags = list;
    }
    if (!list.includes(tag)) list.push(tag);
    return this;
  }
  setMetadata(metadata: Value): ClipPatch {
    this.metadata = metadata;
    return this;
  }
  setStatus(status: string): ClipPatch {
    this.status = status;
    return this;
  }
  setTitle(title: string): ClipPatch {
    this.title = title;
    return this;
  }
  setDescription(description: string): ClipPatch {
    this.description = description;
    return this;
  }

  toJson(): Value {
    const v = object();
    const tags = this.tags;
    if (tags != null) v.set('tags', strings(tags));
    const addTags = this.addTags;
    if (addTags != null) v.set('addTags', strings(addTags));
    const metadata = this.metadata;
    if (metadata != null) v.set('metadata', metadata);
    const status = this.status;
    if (status != null) v.set('status', str(status));
    const title = this.title;
    if (title != null) v.set('title', str(title));
    const description = this.description;
    if (description != null) v.set('description', str(description));
    return v;
  }
}
