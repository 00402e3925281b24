import type { Connection } from '../base/connection.js';
import { COUNT_CAP } from '../base/backend.js';
import { quoteName } from './sql.js';

/**
 * Rows in a table, or rows with a value in one of its columns, counted up to COUNT_CAP + 1 — for the
 * data-loss announcement before a drop. Undefined when the table is not there (yet): a plan may
 * create and drop it in one run, and nothing here may fail the command.
 */
export async function countRows(connection: Connection, table: string, column?: string): Promise<number | undefined> {
  const where = column ? ` WHERE ${quoteName(column)} IS NOT NULL` : '';
  try {
    const { rows } = await connection.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM (SELECT 1 FROM ${quoteName(table)}${where} LIMIT ${COUNT_CAP + 1}) AS capped`,
    );
    return Number(rows[0].n);
  } catch {
    return undefined;
  }
}
