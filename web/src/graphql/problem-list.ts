import type { CombinedError } from 'urql';

/** One problem of a BAD_USER_INPUT error: `field` is a dotted path (`config.precision`). */
export interface Problem {
  field?: string | null;
  code: string;
  message: string;
}

/** Every problem listed in the errors' `extensions.problems` (empty when none says any). */
export function problemList(error: CombinedError | undefined | null): Problem[] {
  const out: Problem[] = [];
  for (const e of error?.graphQLErrors ?? []) {
    const problems = e.extensions?.problems;
    if (Array.isArray(problems)) out.push(...(problems as Problem[]));
  }
  return out;
}

/** The first error's `extensions.code`. */
export function codeOf(error: CombinedError | undefined | null): string | undefined {
  const code = error?.graphQLErrors[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}
