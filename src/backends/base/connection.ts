/**
 * The narrow interface everything above the drivers uses: one dedicated connection (never a pool, so
 * BEGIN/COMMIT, SET CONSTRAINTS and session locks all apply to the same session).
 */
export interface QueryResult<Row = Record<string, unknown>> {
  readonly rows: Row[];
  /** Rows affected by INSERT/UPDATE/DELETE; rows returned otherwise. */
  readonly rowCount: number;
}

export type Dialect = 'postgres' | 'sqlite' | 'mysql';

export interface Connection {
  readonly dialect: Dialect;
  /** A one-line, password-free description for messages: "PostgreSQL test@127.0.0.1:5432". */
  readonly description: string;
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /**
   * Runs several statements, separated by ';', in one round trip (the simple query protocol), and
   * returns nothing. For fixed bookkeeping statements only: values must already be quoted literals.
   */
  script(sql: string): Promise<void>;
  close(): Promise<void>;
}
