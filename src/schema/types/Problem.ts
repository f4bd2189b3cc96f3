import type { Problem } from '../../services/errors.ts';
import { builder } from '../builder.ts';

export const ProblemRef = builder.objectRef<Problem>('Problem').implement({
  description: 'A problem found with input or state: the same shape as `extensions.problems` on errors',
  fields: (t) => ({
    code: t.exposeString('code'),
    message: t.exposeString('message'),
    field: t.exposeString('field', { nullable: true, description: 'A dotted path to what the problem is about' }),
  }),
});
