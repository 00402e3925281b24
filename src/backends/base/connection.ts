import type { Backend } from './backend.js';

/**
 * The narrow interface everything above the drivers uses: one dedicated connection (never a pool, so
 * BEGIN/COMMIT, SET CONSTRAINTS and session locks all apply to the same session).
 */
export interface QueryResult<Row = Record<string, unknown>> {
  readonly rows: Row[];
  /** Rows affected by INSERT/UPDATE/DELETE; rows returned otherwise. */
  readonly rowCount: number;
}

export interface Connection {
  /** What this database can do and how it speaks: every dialect decision goes through it. */
  readonly backend: Backend;
  /** A one-line, password-free description for messages: "PostgreSQL test@127.0.0.1:5432". */
  readonly description: string;
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /**
   * Runs several statements, separated by ';', in one round trip (the simple query protocol), and
   * returns nothing. For fixed bookkeeping statements only: values must already be quoted literals.
   */
  script(sql: string): Promise<void>;
  /**
   * Whether a commit made with `synchronous_commit = off` still becomes durable if this process dies
   * right after it. True for a server: its WAL writer flushes asynchronous commits within a few hundred
   * milliseconds on its own (https://www.postgresql.org/docs/current/wal-async-commit.html). False for
   * an embedded database (PGlite), where the process is the server: an asynchronous commit that was not
   * flushed yet dies with the process, so every commit there must be synchronous (issue 8, item 4).
   */
  readonly asyncCommitSurvivesExit: boolean;
  /**
   * Asks the database to cancel the statement running on this connection, if any (Ctrl-C during
   * migrate); the statement then fails with SQLSTATE 57014 and the caller rolls back. Resolves once
   * the request was handled, with whether a running statement could be cancelled at all. It never
   * throws and never ends the session. PGlite runs each statement synchronously on this thread, so when
   * this can be called no statement is running: it resolves false, and the caller stops issuing
   * statements instead.
   */
  cancel(): Promise<boolean>;
  close(): Promise<void>;
}
