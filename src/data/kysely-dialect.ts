import type { Kysely } from 'kysely';
import type { DataSession } from './session.js';

/**
 * A Kysely instance on the runCode's DataSession, so the `db` a data migration gets runs on the
 * migration's own connection and transaction, after any pending bulk saves of the data API, and tells
 * the data API that it may have written anything. `db.transaction()` becomes a savepoint inside a
 * transaction, and a real transaction when the code runs without one (`atomic: false`).
 * Kysely is imported lazily: only migrations that run code pay for it.
 */
// Tables are untyped: a data migration sees the schema as of its point in history, which no generated type describes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function kyselyFor(session: DataSession): Promise<Kysely<any>> {
  const { Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } = await import('kysely');
  let depth = 0;
  // Inside a transaction (the migration's, or one of the code's own) a nested transaction is a savepoint.
  const nested = () => session.mode !== 'none' || depth > 1;
  const databaseConnection = {
    async executeQuery(compiled: { sql: string; parameters: readonly unknown[] }) {
      const result = await session.external(compiled.sql, compiled.parameters);
      const isWrite = /^\s*(insert|update|delete|merge)/i.test(compiled.sql);
      return isWrite ? { rows: result.rows, numAffectedRows: BigInt(result.rowCount) } : { rows: result.rows };
    },
    // eslint-disable-next-line require-yield
    async *streamQuery(): AsyncIterableIterator<never> {
      throw new Error("Streaming through db is not supported in a data migration; use apps.getModel(...).objects.batches({ size }) or keyset queries.");
    },
  };
  const driver = {
    async init() {},
    async acquireConnection() {
      return databaseConnection;
    },
    async beginTransaction() {
      depth += 1;
      await session.control(nested() ? `SAVEPOINT sediment_db_${depth}` : 'BEGIN');
    },
    async commitTransaction() {
      await session.control(nested() ? `RELEASE SAVEPOINT sediment_db_${depth}` : 'COMMIT');
      depth -= 1;
    },
    async rollbackTransaction() {
      if (nested()) {
        await session.control(`ROLLBACK TO SAVEPOINT sediment_db_${depth}`);
        await session.control(`RELEASE SAVEPOINT sediment_db_${depth}`);
      } else {
        await session.control('ROLLBACK');
      }
      depth -= 1;
    },
    async releaseConnection() {},
    async destroy() {},
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return new Kysely<any>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver as never,
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}
