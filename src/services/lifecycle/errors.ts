import type { ExecutionRecord } from '../read/index.ts';
import { ConflictError, DomainError, type Problem } from '../errors.ts';

/** A lifecycle hook failed (or returned a config its version refuses): the operation was not applied. */
export class LifecycleHookFailedError extends DomainError {
  constructor(
    slug: string,
    hook: string,
    record: Pick<ExecutionRecord, 'id' | 'status' | 'errorCode' | 'errorMessage'>,
    problems: Problem[] = [],
  ) {
    const why = problems.length
      ? `it returned a config the version refuses: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`
      : `${record.errorCode ?? record.status}${record.errorMessage ? `: ${record.errorMessage}` : ''}`;
    super('LIFECYCLE_HOOK_FAILED', `Plugin "${slug}" failed ${hook}, so nothing was changed: ${why}`, {
      plugin: slug,
      hook,
      executionId: record.id,
      pluginErrorCode: problems.length ? 'CONFIG_INVALID' : (record.errorCode ?? record.status),
      ...(problems.length ? { problems } : {}),
    });
  }
}

/** What a lifecycle hook ran against changed before the operation could commit. */
export class LifecycleConflictError extends ConflictError {
  constructor(slug: string, hook: string) {
    super(`"${slug}" changed while its ${hook} hook ran, so nothing was changed: try again`);
  }
}
