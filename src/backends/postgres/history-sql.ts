import type { HistorySql } from '../base/backend.js';
import { quoteLiteral, quoteName } from './sql.js';

/** The history table on PostgreSQL. */
export const postgresHistory: HistorySql = {
  async hasTable(connection, table) {
    const { rows } = await connection.query<{ found: string | null }>(`SELECT to_regclass(${quoteLiteral(quoteName(table))}) AS found`);
    return rows[0]?.found != null;
  },
  createTable: (table) => `CREATE TABLE IF NOT EXISTS ${quoteName(table)} (
  app text NOT NULL,
  name text NOT NULL,
  applied_at timestamp with time zone NOT NULL DEFAULT now(),
  checksum text,
  PRIMARY KEY (app, name)
)`,
  insert(table, app, name, checksum) {
    const value = checksum === null ? 'NULL' : quoteLiteral(checksum);
    return `INSERT INTO ${quoteName(table)} (app, name, checksum) VALUES (${quoteLiteral(app)}, ${quoteLiteral(name)}, ${value}) ` +
      'ON CONFLICT (app, name) DO UPDATE SET checksum = EXCLUDED.checksum';
  },
  delete: (table, app, name) => `DELETE FROM ${quoteName(table)} WHERE app = ${quoteLiteral(app)} AND name = ${quoteLiteral(name)}`,
  expectedColumns: '(app text, name text, applied_at timestamptz, checksum text) with primary key (app, name)',
};
