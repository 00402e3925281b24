import type { Field, Literal } from '../../model/fields.js';
import type { Naming } from '../../state/names.js';
import type { ModelState, ProjectState } from '../../state/project-state.js';
import type { DatabaseSchema, SchemaDialect, TableSchema } from '../../schema/types.js';
import type { Connection } from './connection.js';
import type { LockWaitOptions } from './lock-holder.js';
import type { SchemaEditor } from './schema-editor.js';

/**
 * One object per database family, in the spirit of Django's `connection` (`features`, `ops`,
 * `schema_editor`, `introspection`) and Kysely's `Dialect`: everything above `src/backends/` that
 * depends on the database asks the backend, never writes dialect SQL itself (SPEC §9). A backend is
 * stateless; what needs a session takes the connection, which carries its backend
 * (`connection.backend`), so any code holding a connection can reach the right one.
 *
 * PostgreSQL servers and PGlite share one family; SQLite and MySQL/MariaDB are the others.
 */
export interface Backend {
  /** The SQL family: which spelling `DatabaseSchema` uses, and which family a test targets. */
  readonly family: SchemaDialect;
  /** For messages: "PostgreSQL", "PGlite", "SQLite". */
  readonly displayName: string;
  readonly features: BackendFeatures;
  readonly sql: SqlSpelling;
  readonly types: ColumnTypes;

  /**
   * A schema editor working on `connection`. In collect mode (sqlmigrate) it records each statement,
   * terminated with `;`, instead of running it; look-ups of the live schema still run.
   */
  schemaEditor(connection: Connection, naming: Naming, options?: { readonly collect?: string[] }): SchemaEditor;
  /** The tables of the database (its current schema), as plain data, leaving out `exclude`. */
  introspect(connection: Connection, options?: { readonly exclude?: readonly string[] }): Promise<DatabaseSchema>;
  /** One table, or undefined when it does not exist. */
  introspectTable(connection: Connection, table: string): Promise<TableSchema | undefined>;
  /** Which of `tables` exist, and which of their columns (for --fake-initial and doctor). */
  existingColumns(connection: Connection, tables: readonly string[]): Promise<Map<string, Set<string>>>;

  readonly history: HistorySql;
  readonly transactions: Transactions;
  /**
   * Takes the database-wide migrate lock for `historyTable`, so that concurrent `migrate` runs apply
   * each migration exactly once; waits (reporting through `options.onWait`) while another process
   * holds it. Resolves with the release function.
   */
  acquireMigrateLock(connection: Connection, historyTable: string, options?: LockWaitOptions): Promise<() => Promise<void>>;
  /**
   * Applies migrate's `statementLockTimeout` (ms; 0: no limit) to the statements run on the returned
   * connection, where the database can bound a statement's wait for a table lock; else returns it as is.
   */
  limitStatementLockWaits(connection: Connection, ms: number): Promise<Connection>;
  /** What kind of failure a driver error is; undefined when it is not a database error at all. */
  classifyError(error: unknown): DatabaseError | undefined;
  /**
   * Rows in `table` (non-NULL values of `column` when given), counted up to COUNT_CAP + 1 so that a
   * huge table costs no full scan; undefined when the table is missing. Never throws.
   */
  countRows(connection: Connection, table: string, column?: string): Promise<number | undefined>;
}

/** Row counts stop here: enough to say "more than 100,000 rows" without scanning a huge table. */
export const COUNT_CAP = 100_000;

/**
 * What the database can do. Code above the backends branches on these flags, never on the family, so
 * a new backend declares its behaviour here once. Each flag says what follows from it.
 */
export interface BackendFeatures {
  /**
   * DDL is transactional: an atomic migration runs in one transaction with its history row, and a
   * failure leaves nothing behind. True for PostgreSQL and SQLite; false for MySQL/MariaDB, where each
   * DDL statement commits implicitly (migrate then records progress per operation).
   */
  readonly transactionalDdl: boolean;
  /**
   * Foreign keys are created DEFERRABLE INITIALLY DEFERRED and can be checked early inside a
   * transaction (`transactions.flushDeferredChecks`): the seed-001 "pending trigger events" fix.
   */
  readonly deferrableConstraints: boolean;
  /** CREATE/DROP INDEX CONCURRENTLY exists (addIndexConcurrently / removeIndexConcurrently). */
  readonly concurrentIndexes: boolean;
  /** CREATE/DROP EXTENSION exists (createExtension / dropExtension). */
  readonly extensions: boolean;
  /** A check or foreign key can be added NOT VALID and validated later (addConstraintNotValid). */
  readonly notValidConstraints: boolean;
  /**
   * Some ALTERs (type, nullability, constraints) rebuild the table: create the new table, copy the
   * rows, drop the old one, rename. sqlmigrate shows the rebuild; doctor expects no ALTER COLUMN.
   */
  readonly rebuildsTableToAlter: boolean;
  /** Longest identifier in bytes; longer generated names are truncated with a hash. Undefined: no limit. */
  readonly maxIdentifierBytes: number | undefined;
  /** INSERT/UPDATE/DELETE … RETURNING. */
  readonly returning: boolean;
  /** SAVEPOINT / RELEASE / ROLLBACK TO inside a transaction (the data API's per-write savepoints). */
  readonly savepoints: boolean;
  /** Table and column comments are stored (COMMENT ON, or the column's COMMENT clause). */
  readonly comments: boolean;
  /** Auto-increment keys draw from sequences that can fall behind the table (doctor's sequence check). */
  readonly sequences: boolean;
}

/** Quoting and spelling of SQL text. */
export interface SqlSpelling {
  /** `"name"` (PostgreSQL, SQLite) or `` `name` `` (MySQL), with the quote character doubled inside. */
  quoteName(name: string): string;
  /** A string literal, `'it''s'`. */
  quoteLiteral(value: string): string;
  /** The placeholder for the `index`-th parameter (1-based): `$1` or `?`. */
  placeholder(index: number): string;
  /** `sql` with its parameters written in as literals, for printing (sqlmigrate) and for scripts. */
  inlineParameters(sql: string, params?: readonly unknown[]): string;
  /** A literal of a field value for DDL (defaults, check constraints) in the column's type. */
  literal(value: Literal, canonicalType: string): string;
}

/** How fields map to column types. */
export interface ColumnTypes {
  /** The column type of `field` in `model` (foreign keys: the target's key type). */
  columnType(model: ModelState, field: Field, state: ProjectState): ColumnType;
}

export interface ColumnType {
  /** As written in DDL: `varchar(255)`. */
  readonly sql: string;
  /** As introspection reads it back (PostgreSQL's `format_type()`: `character varying(255)`). */
  readonly canonical: string;
  /** An auto-increment key (identity column, AUTOINCREMENT, AUTO_INCREMENT). */
  readonly identity: boolean;
}

/** The history table's SQL. Values are written as quoted literals so rows can go with COMMIT in one script. */
export interface HistorySql {
  hasTable(connection: Connection, table: string): Promise<boolean>;
  /** CREATE TABLE IF NOT EXISTS table(app, name, applied_at, checksum, PRIMARY KEY (app, name)). */
  createTable(table: string): string;
  /** Records a migration as applied; an existing row gets the new checksum. */
  insert(table: string, app: string, name: string, checksum: string | null): string;
  delete(table: string, app: string, name: string): string;
  /** The column types a readable history table has, for the message when it is not readable. */
  readonly expectedColumns: string;
}

/** Transaction and savepoint control. */
export interface Transactions {
  /**
   * Starts a migration's transaction. `synchronous: false` allows the commit to return before it is
   * durable where the database can (PostgreSQL's synchronous_commit; see the executor).
   */
  begin(connection: Connection, options: { readonly synchronous: boolean }): Promise<void>;
  /** Runs `trailing` (the history rows) and commits, in one round trip where the driver allows. */
  commit(connection: Connection, trailing?: string): Promise<void>;
  rollback(connection: Connection): Promise<void>;
  /**
   * Runs the foreign-key checks that rows written so far in the transaction have queued, so that a
   * later ALTER of the same table does not fail with "pending trigger events" (seed 001), and so that a
   * violation is reported now, by the statement that caused it. A no-op without deferred constraints.
   */
  flushDeferredChecks(connection: Connection): Promise<void>;
  savepoint(name: string): string;
  releaseSavepoint(name: string): string;
  rollbackToSavepoint(name: string): string;
  /** Whether `sql` is a statement that begins or ends a transaction (sqlmigrate and runSql watch for them). */
  isTransactionControl(sql: string): boolean;
}

/** Integrity violations: what the data API turns into IntegrityError (seed 000). */
export const INTEGRITY_KINDS: ReadonlySet<DatabaseErrorKind> = new Set(['unique', 'foreign-key', 'not-null', 'check', 'exclusion', 'integrity']);

/** What kind of failure a database error is, in words that do not depend on the family. */
export type DatabaseErrorKind =
  | 'unique'
  | 'foreign-key'
  | 'not-null'
  | 'check'
  | 'exclusion'
  /** Another integrity violation (SQLSTATE class 23). */
  | 'integrity'
  /** A table, column, index or constraint of that name already exists. */
  | 'already-exists'
  | 'undefined-table'
  | 'undefined-column'
  /** Data and schema changes of one table mixed in one transaction ("pending trigger events"). */
  | 'object-in-use'
  /** The statement cannot run inside a transaction block. */
  | 'not-in-transaction'
  /** The statement waited longer than the statement lock timeout for a table lock. */
  | 'lock-not-available'
  /** The statement was cancelled (Ctrl-C, statement timeout). */
  | 'cancelled'
  /** A type change refused because it would change or lose values (Sediment's own check). */
  | 'lossy-change'
  | 'other';

export interface DatabaseError {
  readonly kind: DatabaseErrorKind;
  /** The database's own code (SQLSTATE, SQLITE_CONSTRAINT_UNIQUE, ER_DUP_ENTRY). */
  readonly code: string | undefined;
  /** The database's own words. */
  readonly message: string;
  readonly detail?: string;
  readonly constraint?: string;
  readonly table?: string;
  readonly column?: string;
  /** For integrity violations: the columns and the `(cols)=(values)` key, where the database says. */
  readonly key?: { readonly columns: readonly string[]; readonly text: string };
}
