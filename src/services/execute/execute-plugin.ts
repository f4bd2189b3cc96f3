import { BadInputError, NotFoundError } from '../errors.ts';
import type { Platform } from '../platform/index.ts';
import type { UserRecord } from '../read/index.ts';
import { runLoadedCall } from './run-call.ts';
import { loadCallTarget } from './target.ts';
import type { CallOutcome } from './types.ts';

export interface ExecutePluginInput {
  installationId: number;
  function: string;
  input?: string | null;
}

/**
 * Runs a declared function of one of the viewer's installations now. The Execution records the
 * outcome, failures included; only a call that cannot be made at all throws.
 */
export async function executePlugin(
  platform: Platform,
  viewer: UserRecord,
  input: ExecutePluginInput,
): Promise<CallOutcome> {
  const target = await loadCallTarget(platform.db.fork(), input.installationId);
  // Another user's installation answers NOT_FOUND, so ids of private installations are not confirmed.
  if (!target || target.ownerId !== viewer.id) throw new NotFoundError('Installation', input.installationId);
  const { functions, version } = target.version;
  if (!functions.includes(input.function)) {
    throw new BadInputError([
      {
        field: 'input.function',
        code: 'UNKNOWN_FUNCTION',
        message: `${version} declares ${functions.join(', ') || 'no functions'}`,
      },
    ]);
  }
  return runLoadedCall(platform, target, {
    installationId: input.installationId,
    function: input.function,
    input: input.input ?? '',
    trigger: 'MANUAL',
  });
}
