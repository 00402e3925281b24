import type { Connection, QueryResult } from '../base/connection.js';
import { ConnectionError, databaseMessage } from '../../errors/index.js';

/** A PostgreSQL server connection through node-postgres: one dedicated client, never a pool. */
export async function connectPostgres(url: string): Promise<Connection> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  // Without a listener, a server-side termination would crash the process with an unhandled 'error'.
  client.on('error', () => {});
  const target = describeUrl(url);
  try {
    await client.connect();
  } catch (error) {
    throw new ConnectionError(`Could not connect to PostgreSQL at ${target}: ${databaseMessage(error)}`, {
      hint: 'Check that the server is running and that the URL (--database, DATABASE_URL or sediment.config) is right.',
      databaseState: 'unchanged (not connected)',
      cause: error,
    });
  }
  return {
    dialect: 'postgres',
    description: `PostgreSQL ${target}`,
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await client.query(sql, params as unknown[] | undefined);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
    },
    async script(sql: string): Promise<void> {
      await client.query(sql);
    },
    async close() {
      await client.end().catch(() => {});
    },
  };
}

/** host:port/database without the password. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
    return `${user}${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}
