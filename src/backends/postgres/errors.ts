import type { DatabaseError, DatabaseErrorKind } from '../base/backend.js';
import { LOSSY_CHANGE_SQLSTATE } from './lossy-casts.js';

/** A PostgreSQL error as both drivers (node-postgres, PGlite) report it. */
interface DriverError {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly detail?: unknown;
  readonly constraint?: unknown;
  readonly table?: unknown;
  readonly column?: unknown;
}

/** SQLSTATE codes by kind, https://www.postgresql.org/docs/current/errcodes-appendix.html */
const KINDS: Record<string, DatabaseErrorKind> = {
  '23505': 'unique', // unique_violation
  '23503': 'foreign-key', // foreign_key_violation
  '23502': 'not-null', // not_null_violation
  '23514': 'check', // check_violation
  '23P01': 'exclusion', // exclusion_violation
  '23001': 'foreign-key', // restrict_violation
  '42P07': 'already-exists', // duplicate_table (tables, indexes, sequences)
  '42701': 'already-exists', // duplicate_column
  '42710': 'already-exists', // duplicate_object (constraints)
  '42P01': 'undefined-table',
  '42703': 'undefined-column',
  '55006': 'object-in-use', // "cannot ALTER TABLE because it has pending trigger events"
  '25001': 'not-in-transaction', // active_sql_transaction: e.g. CREATE INDEX CONCURRENTLY in a transaction
  '55P03': 'lock-not-available', // lock_timeout
  '57014': 'cancelled', // query_canceled
  [LOSSY_CHANGE_SQLSTATE]: 'lossy-change',
};

/**
 * What kind of failure a PostgreSQL error is. Anything with a five-character SQLSTATE is a database
 * error; other errors (a lost connection, a bug) are not classified.
 */
export function classifyPostgresError(error: unknown): DatabaseError | undefined {
  const e = error as DriverError | null;
  const code = typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
  if (!code) return undefined;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const detail = text(e!.detail);
  return {
    kind: KINDS[code] ?? (code.startsWith('23') ? 'integrity' : 'other'),
    code,
    message: text(e!.message) ?? code,
    detail,
    constraint: text(e!.constraint),
    table: text(e!.table),
    column: text(e!.column),
    key: parseKey(detail),
  };
}

/**
 * The key in a detail such as `Key (event_id)=(x) already exists.` or
 * `Key (brand, bought_by_id)=(Dell, 3) already exists.`: the column list and the whole `(...)=(...)`.
 */
export function parseKey(detail: string | undefined): { columns: string[]; text: string } | undefined {
  if (!detail) return undefined;
  const match = /^Key \((.*?)\)=\((.*)\) (?:already exists|is not present|is still referenced|conflicts with)/s.exec(detail);
  if (!match) return undefined;
  const columns = match[1].split(',').map((column) => column.trim().replace(/^"(.*)"$/, '$1'));
  return { columns, text: `(${match[1]})=(${match[2]})` };
}
