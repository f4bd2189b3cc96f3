import type { Database } from '../../db/orm.ts';
import { createGroupCommit, type GroupCommit } from './group-commit.ts';

const commits = new WeakMap<Database, GroupCommit>();

/**
 * The database's group commit for execution records: completions submitted while one
 * transaction is in flight share the next one, so concurrent calls cost one transaction
 * between them rather than one each.
 */
export function groupCommitOf(db: Database): GroupCommit {
  let found = commits.get(db);
  if (!found) {
    found = createGroupCommit({ fork: () => db.fork() });
    commits.set(db, found);
  }
  return found;
}
