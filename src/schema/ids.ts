import { decodeGlobalID } from '@pothos/plugin-relay';
import { BadInputError } from '../services/errors.ts';

const badId = (message: string) => new BadInputError([{ field: 'id', code: 'ID', message }]);

/**
 * Decodes every global ID argument (the builder's `relay.decodeGlobalID`): anything that is not
 * base64 of `Typename:id` is a clear BAD_USER_INPUT, never a failure further in.
 */
export function decodeId(globalId: string): { typename: string; id: string } {
  let decoded: { typename: string; id: string } | null = null;
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    decoded = null;
  }
  if (!decoded || !NODE_TYPENAMES.has(decoded.typename))
    throw badId(`${JSON.stringify(globalId.slice(0, 100))} is not an ID this API produced`);
  return decoded;
}

/** Types whose IDs this API hands out (filled as the row refs are declared). */
export const NODE_TYPENAMES = new Set<string>();

/** Database ids are positive integers, written in plain decimal digits (no `1e3`, `0x10`, `-1`). */
const ROW_ID = /^[1-9][0-9]{0,14}$/;

/** Parses the id part of a global ID of one of our row types (each node's `id.parse`). */
export function parseRowId(raw: string): number {
  if (!ROW_ID.test(raw)) throw badId(`${JSON.stringify(raw.slice(0, 100))} is not a row id`);
  return Number(raw);
}
