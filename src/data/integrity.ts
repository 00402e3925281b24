import { IntegrityError, databaseMessage, type IntegrityViolation } from '../errors/index.js';
import type { ModelMeta } from './model-meta.js';

/** A PostgreSQL error as both drivers (node-postgres, PGlite) report it. */
interface DriverError {
  readonly code?: string;
  readonly message?: string;
  readonly detail?: string;
  readonly constraint?: string;
  readonly table?: string;
  readonly column?: string;
}

/** SQLSTATE class 23, https://www.postgresql.org/docs/current/errcodes-appendix.html */
const VIOLATIONS: Record<string, IntegrityViolation> = {
  '23505': 'unique',
  '23503': 'foreign-key',
  '23502': 'not-null',
  '23514': 'check',
  '23P01': 'exclusion',
};

export function isIntegrityViolation(error: unknown): boolean {
  const code = (error as DriverError | null)?.code;
  return typeof code === 'string' && code.startsWith('23');
}

/**
 * The key in a detail such as `Key (event_id)=(x) already exists.` or
 * `Key (brand, bought_by_id)=(Dell, 3) already exists.`: the column list and the whole `(...)=(...)`.
 */
export function parseKey(detail: string | undefined): { columns: string[]; key: string } | undefined {
  if (!detail) return undefined;
  const match = /^Key \((.*?)\)=\((.*)\) (?:already exists|is not present|is still referenced|conflicts with)/s.exec(detail);
  if (!match) return undefined;
  const columns = match[1].split(',').map((column) => column.trim().replace(/^"(.*)"$/, '$1'));
  return { columns, key: `(${match[1]})=(${match[2]})` };
}

function hintFor(violation: IntegrityViolation, model: string): string {
  switch (violation) {
    case 'unique':
      return (
        'Each write in ops.runCode runs under a savepoint: catch IntegrityError around it and the migration goes on. ' +
        `To skip duplicates in bulk use ${model}.objects.bulkCreate(rows, { onConflict: 'ignore' }), or getOrCreate() for one row.`
      );
    case 'not-null':
      return 'Give the field a value (or a default) in the write, or fill the column in an earlier step.';
    case 'foreign-key':
      return 'The row points at (or is pointed at by) a row that does not exist: write the target first, or fix the key.';
    case 'check':
      return 'The row breaks the check constraint: change the values written, or the constraint.';
    default:
      return 'Change the values written so that they satisfy the constraint.';
  }
}

/**
 * Turns a driver's integrity violation into a typed IntegrityError that names the model, the
 * constraint and the key; `action` says what was being done ("inserting into generic.Event").
 */
export function integrityError(error: unknown, meta: ModelMeta | undefined, action: string, sql?: string): IntegrityError {
  const e = error as DriverError;
  const violation = VIOLATIONS[e.code ?? ''] ?? 'other';
  const parsed = parseKey(e.detail);
  const columns = parsed?.columns ?? (e.column ? [e.column] : []);
  const sameTable = meta !== undefined && (e.table === undefined || e.table === meta.table);
  const fields = sameTable ? columns.map((column) => meta.fields.find((f) => f.column === column)?.name ?? column) : [];
  const where = e.constraint ? ` (constraint ${e.constraint}${e.table ? ` on table ${e.table}` : ''})` : e.table ? ` (table ${e.table})` : '';
  const message = `IntegrityError while ${action}: ${databaseMessage(error)}${parsed ? '' : where}`;
  return new IntegrityError(message, {
    violation,
    ...(e.constraint ? { constraint: e.constraint } : {}),
    ...(e.table ? { table: e.table } : {}),
    columns,
    ...(parsed ? { key: parsed.key } : {}),
    ...(meta ? { model: meta.label } : {}),
    fields,
    databaseMessage: e.message ?? String(error),
    ...(e.detail ? { databaseDetail: e.detail } : {}),
    ...(e.code ? { sqlState: e.code } : {}),
    hint: hintFor(violation, meta?.name ?? 'Model'),
    sql,
    cause: error,
  });
}
