import { decodeGlobalID } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';

/** Decodes a global ID of the expected type to its numeric database id. */
export function parseId(globalId: string, typename: string, field = 'id'): number {
  let decoded: { typename: string; id: string } | null = null;
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    decoded = null;
  }
  const id = decoded ? Number(decoded.id) : NaN;
  if (!decoded || decoded.typename !== typename || !Number.isInteger(id) || id <= 0) {
    throw new GraphQLError(`${field} must be the ID of a ${typename}`, {
      extensions: {
        code: 'BAD_USER_INPUT',
        problems: [{ field, code: 'ID', message: `must be the ID of a ${typename}` }],
      },
    });
  }
  return id;
}
