/** A problem found while validating input; `field` is a dotted path into the input. */
export interface Problem {
  code: string;
  message: string;
  field?: string;
}

/** Expected failures: each has a stable code that reaches clients in `extensions.code`. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
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

/** Invalid input; lists every problem found, not just the first. */
export class BadInputError extends DomainError {
  constructor(
    readonly problems: Problem[],
    summary?: string,
  ) {
    super(
      'BAD_USER_INPUT',
      summary ?? problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; '),
      { problems },
    );
  }
}
