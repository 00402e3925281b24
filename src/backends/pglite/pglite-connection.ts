import type { Connection, QueryResult } from '../base/connection.js';
import { ConnectionError, databaseMessage } from '../../errors/index.js';

/**
 * Embedded PostgreSQL (PGlite, WebAssembly). `path` is a data directory, or 'memory'. PGlite keeps
 * Node alive until closed, so callers must close it; it is loaded only when used (it is large).
 */
export async function connectPglite(path: string): Promise<Connection> {
  const { PGlite } = await import('@electric-sql/pglite');
  let db: InstanceType<typeof PGlite>;
  try {
    db = path === 'memory' ? new PGlite() : new PGlite(path);
    await db.waitReady;
  } catch (error) {
    throw new ConnectionError(`Could not open the embedded PGlite database at ${path}: ${databaseMessage(error)}`, {
      hint: 'Check that the directory is writable and not a data directory of another PostgreSQL version.',
      databaseState: 'unchanged (not opened)',
      cause: error,
    });
  }
  return wrapPglite(db, `PGlite ${path}`);
}

/** Wraps an already open PGlite instance (tests share one instance across many schemas). */
export function wrapPglite(
  db: {
    query: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[]; affectedRows?: number }>;
    exec: (sql: string) => Promise<unknown>;
    close: () => Promise<void>;
  },
  description: string,
  ownsInstance = true,
): Connection {
  return {
    dialect: 'postgres',
    description,
    // The process is the server: an asynchronous commit not yet flushed dies with it (issue 8, item 4).
    asyncCommitSurvivesExit: false,
    // A PGlite statement runs synchronously on this thread, so none is running when this is called.
    cancel: async () => false,
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await db.query(sql, params as unknown[] | undefined);
      return { rows: result.rows as Row[], rowCount: result.affectedRows ?? result.rows.length };
    },
    async script(sql: string): Promise<void> {
      await db.exec(sql);
    },
    async close() {
      if (ownsInstance) await db.close();
    },
  };
}
