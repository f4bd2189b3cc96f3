/** Bounds of a clip's fields, shared by the input validation and the patches hooks apply. */
export const CLIP_LIMITS = {
  /** Characters (code points). */
  title: 200,
  description: 5000,
  tags: 20,
  /** Length of the JSON text of the whole `metadata` object a client writes. */
  metadataJson: 64 * 1024,
  /** Length of the JSON text of one plugin's entry under `metadata[slug]`. */
  pluginMetadataJson: 32 * 1024,
} as const;

/** Length as the validator counts it: code points, not UTF-16 units. */
export const charLength = (text: string): number => [...text].length;
