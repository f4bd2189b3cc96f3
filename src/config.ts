import path from 'node:path';
import { isIP } from 'node:net';
import { DEFAULT_WORKERS, hostPatternProblem } from './runtime/index.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  redisUrl: string | null;
  logLevel: LogLevelName;
  /** Worker threads that run plugins. */
  runtimeWorkers: number;
  /** MiB the plugin instances one worker keeps between calls may hold. */
  instanceMemoryMiB: number;
  /** Plugin calls one user may have running at once per instance; more wait their turn. */
  callsPerUser: number;
  /** How long an open circuit rejects calls before one trial call is let through. */
  circuitCooldownMs: number;
  /** Lifetime of cached anonymous reads; 0 turns the read cache off. */
  readCacheTtlMs: number;
  /** Bytes one subscriber connection may have waiting to be sent before it is dropped. */
  subscriberBufferBytes: number;
  /** How often live subscriptions' tokens are re-checked against the database; 0 turns it off. */
  tokenRecheckMs: number;
  /** How long a looked-up token is trusted without asking the database; 0 turns the cache off. */
  tokenCacheTtlMs: number;
  /** How often this instance looks for due schedules; 0 runs no schedules here. */
  schedulerPollMs: number;
  /** Refuse unsigned (or no longer verified) versions at publish, install, upgrade and rollback. */
  requireSignatures: boolean;
  /** Operation cost per minute per signed-in user (see the README); 0 turns the limit off. */
  rateLimitUser: number;
  /** Operation cost per minute per anonymous client address; 0 turns the limit off. */
  rateLimitAnonymous: number;
  /** Proxies (IPs, CIDRs, `loopback`, `private`) whose X-Forwarded-For is believed; none by default. */
  trustedProxies: string[];
  /** Bearer token `/metrics` requires when the server binds to a non-loopback address. */
  metricsToken: string | null;
  /** Host names plugins' HTTP may reach even though they resolve to internal addresses (still only when granted). */
  httpAllowedInternalHosts: string[];
}

/** Shorthands `PLUGBOARD_TRUSTED_PROXIES` accepts besides addresses and CIDRs. */
export const NAMED_NETWORKS: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** `10.0.0.0/8`, `::1` (a single address) → its parts; null when it is neither an IP nor a CIDR. */
export function parseCidr(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address, bits, extra] = entry.split('/');
  const version = isIP(address);
  if (!version || extra !== undefined) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads and validates the environment once; every problem is reported together. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const url = (name: string, protocols: string[]): string | null => {
    const raw = env[name];
    if (!raw) return null;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(
          `${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}, got "${parsed.protocol}//…"`,
        );
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return raw;
  };

  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    problems.push(`${name} must be true or false, got "${raw}"`);
    return fallback;
  };

  const logLevel = (env.LOG_LEVEL || 'info') as LogLevelName;
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);

  const runtimeWorkers = int('PLUGBOARD_WORKERS', DEFAULT_WORKERS, 1, 64);
  const config: Config = {
    port: int('PORT', 4000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    dataDir: path.resolve(env.PLUGBOARD_DATA_DIR || './data'),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    logLevel,
    runtimeWorkers,
    instanceMemoryMiB: int('PLUGBOARD_INSTANCE_MEMORY_MIB', 64, 1, 65_536),
    // Half the workers by default, so that one user can never occupy them all.
    callsPerUser: int('PLUGBOARD_CALLS_PER_USER', Math.max(1, Math.floor(runtimeWorkers / 2)), 1, 1024),
    circuitCooldownMs: int('PLUGBOARD_CIRCUIT_COOLDOWN_MS', 30_000, 0, 86_400_000),
    readCacheTtlMs: int('PLUGBOARD_READ_CACHE_TTL_MS', 10_000, 0, 3_600_000),
    subscriberBufferBytes: int('PLUGBOARD_SUBSCRIBER_BUFFER_BYTES', 1024 * 1024, 16 * 1024, 256 * 1024 * 1024),
    tokenRecheckMs: int('PLUGBOARD_TOKEN_RECHECK_MS', 60_000, 0, 86_400_000),
    tokenCacheTtlMs: int('PLUGBOARD_TOKEN_CACHE_TTL_MS', 5000, 0, 3_600_000),
    schedulerPollMs: int('PLUGBOARD_SCHEDULER_POLL_MS', 5000, 0, 60_000),
    rateLimitUser: int('PLUGBOARD_RATE_LIMIT_USER', 600_000, 0, 1_000_000_000),
    rateLimitAnonymous: int('PLUGBOARD_RATE_LIMIT_ANONYMOUS', 300_000, 0, 1_000_000_000),
    trustedProxies: (env.PLUGBOARD_TRUSTED_PROXIES ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
    requireSignatures: bool('PLUGBOARD_REQUIRE_SIGNATURES', false),
    metricsToken: env.PLUGBOARD_METRICS_TOKEN || null,
    httpAllowedInternalHosts: (env.PLUGBOARD_HTTP_ALLOWED_INTERNAL_HOSTS ?? '')
      .split(',')
      .map((entry) => entry.trim().toLowerCase())
      .filter(Boolean),
  };
  if (config.metricsToken !== null && !/^[\x21-\x7e]{16,512}$/.test(config.metricsToken))
    problems.push('PLUGBOARD_METRICS_TOKEN must be 16 to 512 printable characters without spaces');
  for (const entry of config.trustedProxies)
    if (!(entry in NAMED_NETWORKS) && !parseCidr(entry))
      problems.push(`PLUGBOARD_TRUSTED_PROXIES: "${entry}" is not an IP address, a CIDR, loopback or private`);
  for (const host of config.httpAllowedInternalHosts)
    if (hostPatternProblem(host) !== null || host.startsWith('*.'))
      problems.push(`PLUGBOARD_HTTP_ALLOWED_INTERNAL_HOSTS: "${host}" is not a host name or IPv4 address`);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
