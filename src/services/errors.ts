/** A problem found while validating input; `field` is a dotted path into the input. */
export interface Problem {
  code: string;
  message: string;
  field?: string;
}

/**
 * Every `extensions.code` the API answers with: the domain's, the server's guards', and the ones
 * graphql-yoga raises itself. Clients and tests can switch on this list; a code outside it is a bug.
 */
export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'DEPENDENCY_CONSENT_REQUIRED',
  'PLUGIN_HOOK_FAILED',
  'LIFECYCLE_HOOK_FAILED',
  'PLUGIN_INTEGRITY',
  'PLUGIN_REVOKED',
  'QUERY_TOO_COMPLEX',
  'TOO_MANY_OPERATIONS',
  'SLOW_SUBSCRIBER',
  'RATE_LIMITED',
  'INTERNAL_SERVER_ERROR',
  // graphql-yoga's own
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'REQUEST_ENTITY_TOO_LARGE',
  'OPERATION_RESOLUTION_FAILURE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Expected failures: each has a stable code that reaches clients in `extensions.code`. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string | number) {
    super('NOT_FOUND', `${what} ${JSON.stringify(String(id))} was not found`);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

const describe = (problems: Problem[]) =>
  problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ');

/** Invalid input; lists every problem found, not just the first (`extra` joins them in `extensions`). */
export class BadInputError extends DomainError {
  constructor(
    readonly problems: Problem[],
    summary?: string,
    extra: Record<string, unknown> = {},
  ) {
    super('BAD_USER_INPUT', summary ?? describe(problems), { ...extra, problems });
  }
}

/**
 * An install that would add dependencies the caller has not consented to yet (their permissions,
 * or a config they need): `extensions.plan` lists what would be installed, for the caller to
 * show and resubmit with consent.
 */
export class DependencyConsentError extends DomainError {
  constructor(
    readonly problems: Problem[],
    plan: unknown,
  ) {
    super('DEPENDENCY_CONSENT_REQUIRED', `Installing the dependencies needs your consent: ${describe(problems)}`, {
      problems,
      plan,
    });
  }
}

/** The version was revoked (the kill switch): it is never installed, upgraded to or rolled back to again. */
export class VersionRevokedError extends DomainError {
  constructor(slug: string, version: string, reason: string) {
    super('PLUGIN_REVOKED', `${slug}@${version} was revoked by its publisher or an admin: ${reason}`, {
      plugin: slug,
      version,
      reason,
    });
  }
}
