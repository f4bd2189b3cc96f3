import type {
  ClipStatus,
  CircuitState,
  Criticality,
  ExecutionStatus,
  ExecutionTrigger,
  Role,
} from '../../entities/index.ts';
import type { ExecutionHttpRequest, ExecutionKvRead, ExecutionLog } from '../../entities/execution.ts';
import type { VersionChange } from '../../entities/installation.ts';
import type { VersionLimits } from '../../entities/plugin-version.ts';

/** Plain rows as read for GraphQL: relations are `<name>Id`. */
export interface UserRecord {
  id: number;
  handle: string;
  displayName: string;
  role: Role;
  verifiedPublisher: boolean;
  createdAt: Date;
}

export interface PluginRecord {
  id: number;
  slug: string;
  name: string;
  /** The name folded for sorting (case, accents). */
  nameKey: string;
  summary: string;
  description: string;
  publisherId: number;
  category: string;
  tags: string[];
  license: string | null;
  homepageUrl: string | null;
  repositoryUrl: string | null;
  featured: boolean;
  deprecationNotice: string | null;
  downloadCount: number;
  ratingCount: number;
  ratingSum: number;
  ratingAverage: number;
  rating1: number;
  rating2: number;
  rating3: number;
  rating4: number;
  rating5: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface PluginVersionRecord {
  id: number;
  pluginId: number;
  version: string;
  latest: boolean;
  manifest: Record<string, unknown>;
  sha256: string;
  preparedSha256: string;
  sizeBytes: number;
  permissions: string[];
  functions: string[];
  hooks: string[];
  hostApi: string;
  dependencies: Record<string, string>;
  configSchema: Record<string, unknown> | null;
  limits: VersionLimits;
  changelog: string;
  prerelease: boolean;
  yanked: boolean;
  deprecationReason: string | null;
  revokedAt: Date | null;
  revokedReason: string | null;
  revokedById: number | null;
  publishedAt: Date;
  signingKeyId: number | null;
  signature: string | null;
  manifestSha256: string | null;
}

export interface SigningKeyRecord {
  id: number;
  ownerId: number;
  name: string;
  /** The 32 raw bytes, standard base64. */
  publicKey: string;
  fingerprint: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface ReviewRecord {
  id: number;
  pluginId: number;
  authorId: number;
  rating: number;
  title: string;
  body: string;
  versionReviewed: string | null;
  verifiedInstall: boolean;
  helpfulCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ClipRecord {
  id: number;
  ownerId: number;
  title: string;
  description: string;
  mediaUrl: string;
  durationMs: number;
  width: number | null;
  height: number | null;
  fps: number | null;
  codec: string | null;
  sizeBytes: number | null;
  game: string | null;
  tags: string[];
  status: ClipStatus;
  metadata: Record<string, unknown>;
  /** Its clip.captured hooks have not passed yet: read paths leave it out. */
  pending: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface InstallationRecord {
  id: number;
  ownerId: number;
  pluginId: number;
  versionId: number;
  versionRange: string;
  config: Record<string, unknown>;
  grantedPermissions: string[];
  enabled: boolean;
  priority: number;
  criticality: Criticality;
  circuitState: CircuitState;
  consecutiveFailures: number;
  circuitOpenedAt: Date | null;
  lastError: string | null;
  history: VersionChange[];
  createdAt: Date;
  updatedAt: Date;
}

export interface ExecutionRecord {
  id: number;
  /** Null once the installation was uninstalled. */
  installationId: number | null;
  ownerId: number;
  versionId: number;
  clipId: number | null;
  /** The schedule that started it; null for other triggers and once the schedule is deleted. */
  scheduleId: number | null;
  trigger: ExecutionTrigger;
  hook: string | null;
  function: string;
  status: ExecutionStatus;
  durationMs: number | null;
  fuelUsed: number | null;
  peakMemoryBytes: number | null;
  inputSize: number;
  input: string;
  inputTruncated: boolean;
  outputSize: number | null;
  /** The output byte for byte. */
  output: Uint8Array | null;
  errorCode: string | null;
  errorMessage: string | null;
  logs: ExecutionLog[];
  logsTruncated: boolean;
  kvReads: ExecutionKvRead[] | null;
  kvReadsTruncated: boolean;
  httpRequests: ExecutionHttpRequest[] | null;
  instanceId: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface ScheduleRecord {
  id: number;
  installationId: number;
  createdById: number;
  function: string;
  input: string;
  cron: string;
  timezone: string;
  paused: boolean;
  pausedReason: string | null;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  lastExecutionId: number | null;
  skippedRuns: number;
  leaseOwner: string | null;
  leasedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}
