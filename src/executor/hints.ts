import type { DatabaseError } from '../backends/base/backend.js';

/** A hint for a database error, by the kind of failure the backend classified it as. */
export function hintForDatabaseError(error: DatabaseError | undefined, migrationId: string, sql?: string): string | undefined {
  const kind = error?.kind;
  const [app, name] = migrationId.split('.');
  if (kind === 'lock-not-available') return lockNotAvailableHint(sql);
  if (kind === 'already-exists' && sql && /\bCONCURRENTLY\b/i.test(sql)) {
    // https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY
    return 'A CREATE INDEX CONCURRENTLY that failed before leaves an INVALID index behind: drop it (DROP INDEX CONCURRENTLY <name>) and run migrate again.';
  }
  switch (kind) {
    case 'already-exists':
      // Only the name is known to be taken here: whether all of the migration is there is for
      // 'sediment doctor' to check, so --fake (which records operations without running them) is
      // offered only with that condition (issue 8, finding 8).
      return (
        'Something this migration creates already exists under the same name: an earlier run of a non-atomic migration was ' +
        'interrupted after committing part of it, a migration file was deleted and made again, or the schema was changed by hand. ' +
        `'sediment doctor' shows how much of ${app}.${name} the database has. Record it without running it ('sediment migrate ${app} ${name} --fake') ` +
        'only if all of it is there and any SQL or code it runs has run too; otherwise finish or revert the part that is there.'
      );
    case 'undefined-table':
    case 'undefined-column':
      return (
        'The database lacks a table or column that the migration history says exists: an earlier migration was ' +
        "faked, or the schema was changed by hand. 'sediment doctor' names what is missing and the migration that made it."
      );
    case 'not-null':
      return (
        'Existing rows hold NULL where the column becomes required. Give the field a default, or fill the rows first ' +
        "in a data migration (ops.runCode) and answer 'handled by a data migration' in makemigrations."
      );
    case 'unique':
      return 'Existing rows hold duplicate values for a unique column or constraint: remove the duplicates first (a data migration) or drop the unique requirement.';
    case 'foreign-key':
      return 'Rows point at rows that do not exist: fix or delete them first (a data migration), or make the relation nullable.';
    case 'check':
      return 'Existing rows violate the check constraint: fix them first in a data migration, or add it with addConstraintNotValid and validate later.';
    case 'object-in-use': // "pending trigger events"
      return 'Data changes and schema changes of the same table are mixed in one transaction: split them into two migrations.';
    case 'not-in-transaction': // e.g. CREATE INDEX CONCURRENTLY in a transaction
      return 'This statement cannot run inside a transaction: set `atomic: false` on the migration.';
    default:
      return undefined;
  }
}

/**
 * lock-not-available: the statement waited longer than migrate's `lock_timeout`
 * (`statementLockTimeout` in the config, backends/postgres/statement-lock-timeout.ts) for a lock that
 * another session holds, typically a long query or an open transaction on the table it alters.
 */
function lockNotAvailableHint(sql: string | undefined): string {
  const table = sql && /\b(?:ALTER TABLE|DROP TABLE|LOCK TABLE|TRUNCATE|ON|REFERENCES|INTO|UPDATE|FROM)\s+(?:IF EXISTS\s+|ONLY\s+)?("(?:[^"]|"")+"|[\w.]+)/i.exec(sql)?.[1];
  return (
    `The statement waited too long for a lock${table ? ` on table ${table}` : ''} that another session holds (a long query or an open ` +
    'transaction: see pg_locks and pg_stat_activity), and was cancelled so that it would not block every later query of the table while queued; ' +
    'the migration it belongs to was rolled back (a non-atomic migration keeps the statements before this one, see "database" above). ' +
    'Run migrate again when the table is quiet, or raise `statementLockTimeout` in sediment.config.ts (seconds, default 10; 0 waits without limit).'
  );
}
