import type { Connection } from '../backends/base/connection.js';

/**
 * A Kysely instance on Sediment's own connection, so the `db` that a data migration gets runs inside
 * that migration's transaction. `db.transaction()` inside a migration becomes a savepoint.
 * Kysely is imported lazily: only migrations that run code pay for it.
 */
export async function kyselyFor(connection: Connection): Promise<unknown> {
  const { Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } = await import('kysely');
  let savepoints = 0;
  const databaseConnection = {
    async executeQuery(compiled: { sql: string; parameters: readonly unknown[] }) {
      const result = await connection.query(compiled.sql, compiled.parameters);
      const isWrite = /^\s*(insert|update|delete|merge)/i.test(compiled.sql);
      return isWrite ? { rows: result.rows, numAffectedRows: BigInt(result.rowCount) } : { rows: result.rows };
    },
    // eslint-disable-next-line require-yield
    async *streamQuery(): AsyncIterableIterator<never> {
      throw new Error('Streaming queries through db are not supported; iterate in batches with limit/offset or keyset queries.');
    },
  };
  const driver = {
    async init() {},
    async acquireConnection() {
      return databaseConnection;
    },
    async beginTransaction() {
      savepoints += 1;
      await connection.query(`SAVEPOINT sediment_db_${savepoints}`);
    },
    async commitTransaction() {
      await connection.query(`RELEASE SAVEPOINT sediment_db_${savepoints}`);
      savepoints -= 1;
    },
    async rollbackTransaction() {
      await connection.query(`ROLLBACK TO SAVEPOINT sediment_db_${savepoints}`);
      await connection.query(`RELEASE SAVEPOINT sediment_db_${savepoints}`);
      savepoints -= 1;
    },
    async releaseConnection() {},
    async destroy() {},
  };
  return new Kysely<never>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver as never,
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}
