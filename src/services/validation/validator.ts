import { BadInputError, type Problem } from '../errors.ts';
import { urlProblem } from './safe-url.ts';

import { SLUG_PATTERN, TAG_PATTERN } from '../../contracts/index.ts';

export { SLUG_PATTERN, TAG_PATTERN };

/** Collects every problem in an input, then throws them together. */
export class Validator {
  readonly problems: Problem[] = [];

  add(field: string, message: string, code = 'INVALID'): void {
    this.problems.push({ field, message, code });
  }

  string(
    field: string,
    value: string | null | undefined,
    { min = 0, max, pattern, patternHint }: { min?: number; max: number; pattern?: RegExp; patternHint?: string },
  ): void {
    if (value === undefined || value === null) return;
    const length = [...value].length;
    if (length < min)
      this.add(field, min === 1 ? 'must not be empty' : `must be at least ${min} characters`, 'TOO_SHORT');
    else if (length > max) this.add(field, `must be at most ${max} characters`, 'TOO_LONG');
    else if (pattern && !pattern.test(value)) this.add(field, patternHint ?? `must match ${pattern}`, 'PATTERN');
  }

  url(field: string, value: string | null | undefined, { allowPath = false } = {}): void {
    if (value === undefined || value === null || value === '') return;
    const problem = urlProblem(value, { allowPath });
    if (problem) this.add(field, problem.message, problem.code);
  }

  int(field: string, value: number | null | undefined, min: number, max: number): void {
    if (value === undefined || value === null) return;
    if (!Number.isInteger(value) || value < min || value > max)
      this.add(field, `must be an integer from ${min} to ${max}`, 'RANGE');
  }

  number(field: string, value: number | null | undefined, min: number, max: number): void {
    if (value === undefined || value === null) return;
    if (!Number.isFinite(value) || value < min || value > max)
      this.add(field, `must be a number from ${min} to ${max}`, 'RANGE');
  }

  tags(field: string, tags: string[] | null | undefined, { max = 20 } = {}): void {
    if (!tags) return;
    if (tags.length > max) this.add(field, `at most ${max} tags`, 'TOO_MANY');
    for (const [i, tag] of tags.entries())
      this.string(`${field}.${i}`, tag.trim(), {
        min: 1,
        max: 40,
        pattern: TAG_PATTERN,
        patternHint: 'letters, digits, spaces and _ . + # -',
      });
  }

  check(): void {
    if (this.problems.length > 0) throw new BadInputError(this.problems);
  }
}

/** Whether a tag would pass `Validator.tags` (used to drop bad tags from plugin patches). */
export function isValidTag(tag: unknown): tag is string {
  if (typeof tag !== 'string') return false;
  const t = tag.trim();
  return t.length >= 1 && [...t].length <= 40 && TAG_PATTERN.test(t);
}

/** Lower-cases, trims and de-duplicates tags, keeping first-seen order. */
export function normalizeTags(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
}
