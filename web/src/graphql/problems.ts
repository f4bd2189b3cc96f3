import type { CombinedError } from 'urql';

export interface Problem {
  field?: string;
  code: string;
  message: string;
}

/**
 * The per-field problems of a refused mutation (`extensions.problems` of a BAD_USER_INPUT error):
 * `byField[field]` lists the messages for that field (the path as the API names it, e.g.
 * `config.threshold`); `other` holds problems without a field and errors without problems.
 */
export function problemsOf(error: CombinedError | undefined | null): {
  byField: Record<string, string[]>;
  other: string[];
} {
  const byField: Record<string, string[]> = {};
  const other: string[] = [];
  if (!error) return { byField, other };
  if (error.networkError && !error.graphQLErrors.length) other.push('The server could not be reached.');
  for (const e of error.graphQLErrors) {
    const problems = e.extensions?.problems as Problem[] | undefined;
    if (!Array.isArray(problems) || !problems.length) {
      other.push(e.message);
      continue;
    }
    for (const p of problems) {
      if (!p.field) other.push(p.message);
      else byField[p.field] = [...(byField[p.field] ?? []), p.message];
    }
  }
  return { byField, other };
}
