import { resolve } from 'node:path';
import type { Connection } from '../backends/base/connection.js';
import type { LockWaitOptions } from '../backends/base/lock-holder.js';
import { ConfigError } from '../errors/index.js';
import { parseDatabaseUrl } from './url.js';

export interface OpenOptions {
  /** PGlite: how to wait while another process has the data folder open (it is opened by one at a time). */
  readonly lock?: LockWaitOptions;
}

/**
 * Opens the database a URL names. Drivers are imported only here and only for the scheme in use,
 * so a PostgreSQL user never loads PGlite's WebAssembly and vice versa.
 */
export async function openDatabase(url: string, projectRoot: string, options: OpenOptions = {}): Promise<Connection> {
  const connection = await connect(url, projectRoot, options);
  const log = process.env.SEDIMENT_SQL_LOG;
  return log ? await loggingConnection(connection, log) : connection;
}

/**
 * SEDIMENT_SQL_LOG=path appends every statement sent to the database to that file, one per line
 * block ending with ';' — for debugging, and for the benchmark's raw-SQL baseline.
 */
async function loggingConnection(connection: Connection, path: string): Promise<Connection> {
  const { appendFileSync } = await import('node:fs');
  return {
    ...connection,
    query(sql, params) {
      appendFileSync(path, `${sql.trimEnd()}${params?.length ? ` -- params: ${JSON.stringify(params)}` : ''};\n`);
      return connection.query(sql, params);
    },
    script(sql) {
      appendFileSync(path, `${sql.trimEnd()};\n`);
      return connection.script(sql);
    },
    close: () => connection.close(),
  };
}

async function connect(url: string, projectRoot: string, options: OpenOptions): Promise<Connection> {
  const target = parseDatabaseUrl(url);
  switch (target.kind) {
    case 'postgres': {
      const { connectPostgres } = await import('../backends/postgres/pg-connection.js');
      return connectPostgres(target.url);
    }
    case 'pglite': {
      const { connectPglite } = await import('../backends/pglite/pglite-connection.js');
      if (target.path === 'memory') return connectPglite('memory');
      return connectPglite(resolve(projectRoot, target.path), { lock: options.lock });
    }
    case 'sqlite':
    case 'mysql':
      throw new ConfigError(`The ${target.kind === 'sqlite' ? 'SQLite' : 'MySQL/MariaDB'} backend is not available in this version of Sediment.`, {
        hint: 'Use PostgreSQL (postgres://…) or the embedded PGlite (pglite:PATH) for now.',
      });
  }
}
