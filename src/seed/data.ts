/** Demo marketplace content: enough to browse, search, sort and page in GraphiQL. */
export const PUBLISHERS = [
  { handle: 'clipforge', displayName: 'ClipForge Labs', verified: true },
  { handle: 'streamkit', displayName: 'StreamKit', verified: true },
  { handle: 'indie-dev', displayName: 'Indie Dev', verified: false },
] as const;

export const REVIEWERS = ['ava', 'ben', 'cleo', 'dev', 'eli', 'fay'] as const;

/** Listings beyond the runnable examples in plugins-wasm/ (announced, no version published yet). */
export const EXTRA_LISTINGS = [
  [
    'thumbnail-picker',
    'Thumbnail Picker',
    'Chooses the sharpest frame as the clip thumbnail',
    'utilities',
    ['thumbnails', 'images'],
    2,
  ],
  ['subtitle-sync', 'Subtitle Sync', 'Aligns subtitle files to voice activity', 'utilities', ['subtitles', 'audio'], 1],
  [
    'loudness-guard',
    'Loudness Guard',
    'Flags clips that break streaming loudness targets',
    'moderation',
    ['audio', 'safety'],
    0,
  ],
  ['kill-counter', 'Kill Counter', 'Counts eliminations from the event timeline', 'highlights', ['fps', 'stats'], 2],
  [
    'codec-advisor',
    'Codec Advisor',
    'Suggests a codec and bitrate for each clip',
    'transcoding',
    ['video', 'encoding'],
    1,
  ],
  ['clip-of-the-week', 'Clip of the Week', 'Ranks a week of clips by highlight density', 'highlights', ['ranking'], 0],
  ['tag-normalizer', 'Tag Normalizer', 'Merges tag spellings into one canonical form', 'tagging', ['tags'], 2],
] as const;

/** Tags for the runnable examples' listings, by slug. */
export const EXAMPLE_TAGS: Record<string, string[]> = {
  'highlight-detector': ['highlights', 'fps', 'ai'],
  'content-filter': ['moderation', 'chat', 'safety'],
  'data-normalizer': ['stats', 'telemetry'],
  'clip-tagger': ['tags', 'metadata'],
  'game-stats': ['stats', 'games'],
  'word-counter': ['text', 'words', 'stats'],
  'webhook-notifier': ['webhooks', 'notifications', 'http'],
};

/** What the demo user installs, so its clips show plugin results from the start. */
export const DEMO_INSTALLS = ['clip-tagger', 'highlight-detector', 'game-stats'] as const;

export const REVIEW_TEXTS = [
  [5, 'Does exactly what it says', 'Set it up in a minute and it has run on every clip since.'],
  [4, 'Great, a few rough edges', 'Works well; the config could use better defaults.'],
  [3, 'Decent', 'Useful, but I had to tune the threshold a lot.'],
  [5, 'Essential', 'I would not run my channel without it.'],
  [2, 'Not for my setup', 'Too aggressive for the games I play.'],
] as const;

/** Demo clips: title, game, duration, tags, and the kill / audio-peak timeline plugins read. */
export const CLIPS = [
  [
    'Triple kill on Ascent',
    'Valorant',
    28_000,
    ['clutch', 'ranked'],
    [
      [4000, 'kill'],
      [5500, 'kill'],
      [6000, 'audio_peak', 0.9],
      [7200, 'kill'],
    ],
  ],
  [
    'Ace with the Sheriff',
    'Valorant',
    41_000,
    ['ace'],
    [
      [9000, 'kill'],
      [12000, 'kill'],
      [15000, 'kill'],
      [17000, 'kill'],
      [19000, 'kill'],
      [19500, 'audio_peak', 1],
    ],
  ],
  [
    'Malenia, first try',
    'Elden Ring',
    95_000,
    ['boss'],
    [
      [80000, 'audio_peak', 0.8],
      [90000, 'kill'],
    ],
  ],
  [
    'Last circle win',
    'Apex Legends',
    63_000,
    ['win'],
    [
      [50000, 'kill'],
      [52000, 'kill'],
      [55000, 'audio_peak', 0.7],
    ],
  ],
  ['Speedrun split PB', 'Celeste', 120_000, ['speedrun'], []],
] as const;
