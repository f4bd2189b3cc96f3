import type { Permission } from '../abi.ts';
import type { PreparedModule } from '../prepare/prepare.ts';
import type { CallLimits, CallRequest, HostState } from '../types.ts';
import { DEFAULT_LIMITS } from '../limits.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const ALL_GRANTS: Permission[] = ['log', 'config', 'kv', 'clips:read', 'clips:write', 'events'];

export function moduleRef(prepared: Pick<PreparedModule, 'bytes' | 'sha256'>): CallRequest['module'] {
  return { sha256: prepared.sha256, load: async () => prepared.bytes };
}

/** A call request with test defaults: every permission granted, empty host state. */
export function request(
  prepared: Pick<PreparedModule, 'bytes' | 'sha256'>,
  fn: string,
  input: string | Uint8Array = '',
  overrides: Partial<Omit<CallRequest, 'limits' | 'host'>> & {
    limits?: Partial<CallLimits>;
    host?: Partial<HostState>;
  } = {},
): CallRequest {
  const { limits, host, ...rest } = overrides;
  return {
    instanceKey: `test:${fn}`,
    module: moduleRef(prepared),
    function: fn,
    input: typeof input === 'string' ? encoder.encode(input) : input,
    grants: ALL_GRANTS,
    ...rest,
    limits: { ...DEFAULT_LIMITS, ...limits },
    host: { config: {}, kv: new Map(), clip: null, ...host },
  };
}

export function text(bytes: Uint8Array | null): string | null {
  return bytes ? decoder.decode(bytes) : null;
}
