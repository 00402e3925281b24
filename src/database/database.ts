import { resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Connection } from '../backends/base/connection.js';
import { ConfigError } from '../errors/index.js';
import { parseDatabaseUrl } from './url.js';

/**
 * Opens the database a URL names. Drivers are imported only here and only for the scheme in use,
 * so a PostgreSQL user never loads PGlite's WebAssembly and vice versa.
 */
export async function openDatabase(url: string, projectRoot: string): Promise<Connection> {
  const target = parseDatabaseUrl(url);
  switch (target.kind) {
    case 'postgres': {
      const { connectPostgres } = await import('../backends/postgres/pg-connection.js');
      return connectPostgres(target.url);
    }
    case 'pglite': {
      const { connectPglite } = await import('../backends/pglite/pglite-connection.js');
      if (target.path === 'memory') return connectPglite('memory');
      const path = resolve(projectRoot, target.path);
      mkdirSync(path, { recursive: true });
      return connectPglite(path);
    }
    case 'sqlite':
    case 'mysql':
      throw new ConfigError(`The ${target.kind === 'sqlite' ? 'SQLite' : 'MySQL/MariaDB'} backend is not available in this version of Sediment.`, {
        hint: 'Use PostgreSQL (postgres://…) or the embedded PGlite (pglite:PATH) for now.',
      });
  }
}
