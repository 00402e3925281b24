/**
 * Every error a user can meet is a SedimentError: a stable `code`, a message that says what happened,
 * a `hint` for the fix, and — when a database was involved — the state the database is in now.
 * The CLI prints these as one block without a stack trace; anything else is a bug and shows its stack.
 */
export interface ErrorDetails {
  /** What to do about it, one or two sentences. */
  readonly hint?: string;
  /** The state the database is in after the failure ("unchanged", "rolled back to ..."). */
  readonly databaseState?: string;
  /** The SQL that was running, if any. */
  readonly sql?: string;
  readonly cause?: unknown;
}

export class SedimentError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly databaseState?: string;
  readonly sql?: string;

  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = details.hint;
    this.databaseState = details.databaseState;
    this.sql = details.sql;
  }
}

/** Bad configuration: missing/unreadable config file, unknown URL scheme, unknown app. */
export class ConfigError extends SedimentError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('ConfigError', message, details);
  }
}

/** Wrong command-line usage; the CLI exits with 2. */
export class UsageError extends SedimentError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('UsageError', message, details);
  }
}

/** A models file or migration file that cannot be read, or declares something invalid. */
export class InvalidDefinitionError extends SedimentError {
  readonly file?: string;
  constructor(message: string, details: ErrorDetails & { file?: string } = {}) {
    super('InvalidDefinition', message, details);
    this.file = details.file;
  }
}

/** A migration depends on a node that does not exist (Django's NodeNotFoundError). */
export class NodeNotFoundError extends SedimentError {
  constructor(
    readonly origin: string,
    readonly missing: string,
    message: string,
    details: ErrorDetails = {},
  ) {
    super('NodeNotFoundError', message, details);
  }
}

/** The dependency graph has a cycle; `cycle` lists its nodes in order. */
export class CircularDependencyError extends SedimentError {
  constructor(readonly cycle: readonly string[], details: ErrorDetails = {}) {
    super('CircularDependencyError', `Circular dependency between migrations: ${[...cycle, cycle[0]].join(' -> ')}.`, {
      hint: 'Remove one of these dependencies; a migration can only depend on migrations that come before it.',
      ...details,
    });
  }
}

/** An applied migration has an unapplied dependency (Django's InconsistentMigrationHistory). */
export class InconsistentMigrationHistoryError extends SedimentError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('InconsistentMigrationHistory', message, details);
  }
}

/** A migration name prefix matches more than one migration. */
export class AmbiguityError extends SedimentError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('AmbiguityError', message, details);
  }
}

/** Two leaf migrations in one app: someone branched the history. */
export class ConflictError extends SedimentError {
  constructor(readonly conflicts: Readonly<Record<string, readonly string[]>>, details: ErrorDetails = {}) {
    const lines = Object.entries(conflicts).map(([app, leaves]) => `${app}: ${leaves.join(', ')}`);
    super('MigrationConflict', `Conflicting migrations detected; multiple leaf nodes in the migration graph (${lines.join('; ')}).`, {
      hint: "Run 'sediment makemigrations --merge' to write a migration that merges them.",
      ...details,
    });
  }
}

/**
 * A model change that no migration can carry out without losing data, refused by makemigrations with
 * the steps that keep the data.
 */
export class UnplannableChangeError extends SedimentError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('UnplannableChange', message, details);
  }
}

/** An operation cannot be reversed; raised while planning, before anything is reversed. */
export class IrreversibleError extends SedimentError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('IrreversibleError', message, details);
  }
}

/** A migration failed while running against the database. */
export class MigrationFailedError extends SedimentError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('MigrationFailed', message, details);
  }
}

/** What kind of integrity rule a write broke, from PostgreSQL's SQLSTATE class 23. */
export type IntegrityViolation = 'unique' | 'foreign-key' | 'not-null' | 'check' | 'exclusion' | 'other';

export interface IntegrityErrorDetails extends ErrorDetails {
  readonly violation: IntegrityViolation;
  /** The constraint the database named (`generic_event_event_id_key`), when it named one. */
  readonly constraint?: string;
  readonly table?: string;
  /** The columns of the key that clashed, parsed from the database's detail (`Key (event_id)=(x) ...`). */
  readonly columns?: readonly string[];
  /** The key as the database printed it: `(event_id)=(x)`. */
  readonly key?: string;
  /** The model (`generic.Event`) and its fields for those columns, when Sediment wrote the row. */
  readonly model?: string;
  readonly fields?: readonly string[];
  /** The database's own message and detail, verbatim. */
  readonly databaseMessage: string;
  readonly databaseDetail?: string;
  /** SQLSTATE: 23505 unique, 23503 foreign key, 23502 not null, 23514 check, 23P01 exclusion. */
  readonly sqlState?: string;
}

/**
 * A write broke an integrity rule of the database (Django's IntegrityError). Raised by the data API of
 * `ops.runCode` (`Model.objects.create`, `bulkCreate`, `update`, `save`, ...): each such write runs
 * under a savepoint, so catching this error leaves the migration's transaction usable.
 */
export class IntegrityError extends SedimentError {
  readonly violation: IntegrityViolation;
  readonly constraint?: string;
  readonly table?: string;
  readonly columns: readonly string[];
  readonly key?: string;
  readonly model?: string;
  readonly fields: readonly string[];
  readonly databaseMessage: string;
  readonly databaseDetail?: string;
  readonly sqlState?: string;

  constructor(message: string, details: IntegrityErrorDetails) {
    super('IntegrityError', message, details);
    this.violation = details.violation;
    this.constraint = details.constraint;
    this.table = details.table;
    this.columns = details.columns ?? [];
    this.key = details.key;
    this.model = details.model;
    this.fields = details.fields ?? [];
    this.databaseMessage = details.databaseMessage;
    this.databaseDetail = details.databaseDetail;
    this.sqlState = details.sqlState;
  }
}

/** The database could not be reached or opened. */
export class ConnectionError extends SedimentError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('ConnectionError', message, details);
  }
}

/** An applied migration's file changed since it was applied. */
export class EditedMigrationError extends SedimentError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('EditedMigration', message, details);
  }
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}

/** The database's own words from a driver error, without the stack. */
export function databaseMessage(error: unknown): string {
  if (error instanceof Error) {
    const detail = (error as { detail?: string }).detail;
    return detail ? `${error.message} (${detail})` : error.message;
  }
  return String(error);
}

/**
 * `migrate` (or `doctor --fix`) stopped by SIGINT (Ctrl-C) or SIGTERM: the running statement was
 * cancelled and the migration in progress rolled back (SPEC §5). The CLI exits with `exitCode`:
 * 128 + the signal's number, as a shell reports a process the signal ended (130 / 143).
 */
export class InterruptedError extends SedimentError {
  readonly signal: 'SIGINT' | 'SIGTERM';
  readonly exitCode: number;
  constructor(signal: 'SIGINT' | 'SIGTERM', message: string, details: ErrorDetails = {}) {
    super('Interrupted', message, details);
    this.signal = signal;
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
  }
}

/**
 * Node was about to exit while a migration was running: nothing was left to wake it (no timer, socket
 * or pending I/O), so a promise the migration awaits can never settle — a data migration's forgotten
 * resolve, or an event that never fires. Rolled back and reported instead of exiting 0 (issue 8, item 3).
 */
export class MigrationNeverFinishedError extends SedimentError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('MigrationNeverFinished', message, details);
  }
}
