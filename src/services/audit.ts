import type { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { AuditEvent, type AuditAction, type AuditSubjectType } from '../entities/index.ts';
import { applyKeyset, pageRequest, selectRows, toPage, type Page, type PageArgs } from './read/index.ts';

/** Who acts: a signed-in user and the token they used, or null for the operator's CLI. */
export interface Actor {
  id: number;
  handle: string;
  token?: { id: number } | null;
}

export interface AuditSubject {
  type: AuditSubjectType;
  id: number | null;
  /** A snapshot of its name: `slug`, `slug@1.2.0`, a handle, a token's name. */
  name: string;
}

/**
 * Records an audit event in the caller's transaction: it commits with the action, or not at all.
 * Call it inside `transactional` (the commit flushes it).
 */
export function audit(
  tx: EntityManager,
  actor: Actor | null,
  action: AuditAction,
  subject: AuditSubject,
  details: Record<string, unknown> | null = null,
): void {
  tx.create(AuditEvent, {
    actorId: actor?.id ?? null,
    actorHandle: actor?.handle ?? null,
    tokenId: actor?.token?.id ?? null,
    action,
    subjectType: subject.type,
    subjectId: subject.id,
    subject: subject.name.slice(0, 200),
    details,
  });
}

/** The kill switch's audit line (`revokePluginVersion`), in the revoking transaction. */
export const auditVersionRevoked = (
  tx: EntityManager,
  actor: Actor | null,
  version: { id: number; slug: string; version: string },
  reason: string | null,
) =>
  audit(
    tx,
    actor,
    'VERSION_REVOKE',
    { type: 'PLUGIN_VERSION', id: version.id, name: `${version.slug}@${version.version}` },
    {
      reason,
    },
  );

/** The keys whose values differ between two configs (values are never recorded: they may be secrets). */
export function changedKeys(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

export interface AuditEventRecord {
  id: number;
  at: Date;
  actorId: number | null;
  actorHandle: string | null;
  tokenId: number | null;
  action: AuditAction;
  subjectType: AuditSubjectType;
  subjectId: number | null;
  subject: string;
  details: Record<string, unknown> | null;
}

export interface AuditFilter {
  actorId?: number | null;
  actorHandle?: string | null;
  actions?: readonly AuditAction[] | null;
  subjectType?: AuditSubjectType | null;
  subjectId?: number | null;
}

/** Newest first, keyset-paged by id. */
export async function listAuditEvents(
  em: SqlEntityManager,
  filter: AuditFilter,
  page: PageArgs,
): Promise<Page<AuditEventRecord>> {
  const request = pageRequest(page);
  const rows = await selectRows<AuditEventRecord>(em, AuditEvent, (qb) => {
    if (filter.actorId != null) qb.where('audit_events.actor_id', filter.actorId);
    if (filter.actorHandle != null) qb.where('audit_events.actor_handle', filter.actorHandle);
    if (filter.actions?.length) qb.whereIn('audit_events.action', [...filter.actions]);
    if (filter.subjectType != null) qb.where('audit_events.subject_type', filter.subjectType);
    if (filter.subjectId != null) qb.where('audit_events.subject_id', filter.subjectId);
    applyKeyset(qb, [{ sql: 'audit_events.id', direction: 'desc', type: 'number' }], request);
    return qb;
  });
  return toPage(rows, request, (e) => [null, e.id]);
}
