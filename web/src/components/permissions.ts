/** What each permission lets a plugin do, in plain words (src/runtime/abi.ts is the source). */
export const PERMISSION_WORDS: Record<string, { title: string; detail: string }> = {
  log: { title: 'Write to its log', detail: 'Adds lines to the log of each run, which you can read.' },
  config: { title: 'Read its settings', detail: 'Reads the configuration you give it when you install it.' },
  kv: {
    title: 'Keep its own data',
    detail: 'Stores and reads back small values between runs, in storage only this installation can see.',
  },
  'clips:read': { title: 'Read the clip', detail: 'Reads the clip a run is about: its title, tags and metadata.' },
  'clips:write': {
    title: 'Change the clip',
    detail: 'Changes the tags, metadata and status of the clip a run is about.',
  },
  events: { title: 'Send events', detail: 'Publishes events that your apps and subscriptions receive.' },
};

export function permissionTitle(name: string): string {
  return PERMISSION_WORDS[name]?.title ?? name;
}

/** What each hook means, in plain words. */
export const HOOK_WORDS: Record<string, string> = {
  'clip.captured': 'when a clip is captured',
  'clip.updated': 'when a clip is updated',
  'clip.processed': 'when a clip has been processed',
};
