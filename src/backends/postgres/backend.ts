import type { Backend, BackendFeatures } from '../base/backend.js';
import { MAX_IDENTIFIER_BYTES } from '../../state/names.js';
import { postgresSql, postgresTypes } from './dialect.js';
import { classifyPostgresError } from './errors.js';
import { postgresHistory } from './history-sql.js';
import { introspectPostgres, introspectTable } from './introspector.js';
import { acquireMigrateLock } from './migrate-lock.js';
import { countRows } from './row-counts.js';
import { createPostgresSchemaEditor } from './schema-editor.js';
import { limitStatementLockWaits } from './statement-lock-timeout.js';
import { postgresTransactions } from './transactions.js';

const features: BackendFeatures = {
  transactionalDdl: true,
  deferrableConstraints: true,
  concurrentIndexes: true,
  extensions: true,
  notValidConstraints: true,
  rebuildsTableToAlter: false,
  maxIdentifierBytes: MAX_IDENTIFIER_BYTES,
  returning: true,
  savepoints: true,
  comments: true,
  sequences: true,
};

/** PostgreSQL servers (node-postgres). */
export const postgresBackend: Backend = {
  family: 'postgres',
  displayName: 'PostgreSQL',
  features,
  sql: postgresSql,
  types: postgresTypes,
  schemaEditor: (connection, naming, options) => createPostgresSchemaEditor(connection, naming, options),
  introspect: (connection, options) => introspectPostgres(connection, options),
  introspectTable,
  async existingColumns(connection, tables) {
    const out = new Map<string, Set<string>>();
    if (tables.length === 0) return out;
    const { rows } = await connection.query<{ table_name: string; column_name: string }>(
      'SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY($1)',
      [[...tables]],
    );
    for (const row of rows) {
      let columns = out.get(row.table_name);
      if (!columns) out.set(row.table_name, (columns = new Set()));
      columns.add(row.column_name);
    }
    return out;
  },
  history: postgresHistory,
  transactions: postgresTransactions,
  acquireMigrateLock,
  limitStatementLockWaits,
  classifyError: classifyPostgresError,
  countRows,
};

/**
 * PGlite: PostgreSQL compiled to WebAssembly, in this process. The same SQL; it runs in single-user
 * mode, where a concurrent index build fails ("tuple concurrently updated") and, with no other session
 * to lock out, a plain build achieves what CONCURRENTLY would.
 */
export const pgliteBackend: Backend = {
  ...postgresBackend,
  displayName: 'PGlite',
  features: { ...features, concurrentIndexes: false },
};
