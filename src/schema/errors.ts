import { GraphQLError, type GraphQLErrorOptions } from 'graphql';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { DomainError, type ErrorCode } from '../services/errors.ts';

interface GraphQLErrorLike extends Error {
  originalError?: unknown;
  extensions?: Record<string, unknown>;
  path?: readonly (string | number)[];
  nodes?: GraphQLError['nodes'];
}

// Duck-typed, not `instanceof`: graphql ships ESM and CJS builds, and a tool chain that loads
// both would otherwise turn every expected error into a masked one.
const isGraphQLError = (e: unknown): e is GraphQLErrorLike => e instanceof Error && e.name === 'GraphQLError';
const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

/** Services name rows by database id; clients know them by global ID (what `execution(id:)` takes). */
function clientIds(extensions: Record<string, unknown>): Record<string, unknown> {
  const { executionId } = extensions;
  return typeof executionId === 'number'
    ? { ...extensions, executionId: encodeGlobalID('Execution', executionId) }
    : extensions;
}

type ErrorOptions = Omit<GraphQLErrorOptions, 'extensions'> & { extensions?: Record<string, unknown> };

/** A GraphQL error clients can act on: `extensions.code` is one of the API's `ErrorCode`s. */
export function apiError(
  code: ErrorCode,
  message: string,
  { extensions, ...options }: ErrorOptions = {},
): GraphQLError {
  return new GraphQLError(message, { ...options, extensions: { ...extensions, code } });
}

/**
 * The error boundary: domain errors become GraphQL errors with a stable `extensions.code`;
 * GraphQL errors we raised on purpose pass through; everything else is logged and masked.
 */
export function createErrorMasker(logger: Logger) {
  return (error: unknown, message: string): Error => {
    const wrapper = isGraphQLError(error) ? error : null;
    const original = wrapper?.originalError ?? error;
    const at = { nodes: wrapper?.nodes, path: wrapper?.path };
    if (isDomainError(original)) {
      return apiError(original.code, original.message, { ...at, extensions: clientIds(original.extensions) });
    }
    if (original instanceof Error && original.name === 'PothosValidationError') {
      // A global ID of the wrong type (`for:` checks on ID arguments, or `node(id:)`).
      return apiError('BAD_USER_INPUT', original.message, {
        ...at,
        extensions: { problems: [{ field: 'id', code: 'ID', message: original.message }] },
      });
    }
    if (isGraphQLError(original) && original !== wrapper) {
      // Raised on purpose (scalars, argument checks): input errors unless they say otherwise.
      return new GraphQLError(wrapper?.message ?? original.message, {
        ...at,
        extensions: { code: 'BAD_USER_INPUT', ...original.extensions },
      });
    }
    if (original instanceof UniqueConstraintViolationException) {
      // A race that passed the service's own check and hit the database's unique index.
      return apiError('CONFLICT', 'That already exists', at);
    }
    if (wrapper && !wrapper.originalError) return wrapper; // parse and validation errors
    logger.error({ err: original, path: wrapper?.path }, 'unexpected error');
    return apiError('INTERNAL_SERVER_ERROR', message, at);
  };
}
