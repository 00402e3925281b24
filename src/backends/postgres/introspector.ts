import type { Connection } from '../base/connection.js';
import type {
  CheckSchema, ColumnSchema, DatabaseSchema, ForeignKeySchema, IndexSchema, PrimaryKeySchema, ReferentialAction,
  TableSchema, UniqueSchema,
} from '../../schema/types.js';

/**
 * Reads the tables of `current_schema()` from the PostgreSQL catalogs
 * (https://www.postgresql.org/docs/current/catalogs.html) into plain `DatabaseSchema` data. Works the
 * same on a server and on PGlite. Every query takes an optional table name, so the schema editor reuses
 * them to look up the constraints of one table.
 */
export interface IntrospectOptions {
  /** Tables to leave out; by default the migration history table. */
  readonly exclude?: readonly string[];
}

export const DEFAULT_EXCLUDED_TABLES: readonly string[] = ['sediment_migrations'];

export async function introspectPostgres(connection: Connection, options: IntrospectOptions = {}): Promise<DatabaseSchema> {
  const excluded = new Set(options.exclude ?? DEFAULT_EXCLUDED_TABLES);
  const tables = (await readTables(connection, null)).filter((table) => !excluded.has(table.name));
  return { dialect: 'postgres', tables };
}

/** One table of the current schema, or undefined when it does not exist. */
export async function introspectTable(connection: Connection, table: string): Promise<TableSchema | undefined> {
  const [found] = await readTables(connection, table);
  return found;
}

/** Foreign keys, anywhere in the current schema, that reference `table`. */
export async function foreignKeysReferencing(
  connection: Connection,
  table: string,
): Promise<{ readonly table: string; readonly foreignKey: ForeignKeySchema }[]> {
  const { rows } = await connection.query<ConstraintRow>(`${CONSTRAINTS_SQL} AND con.contype = 'f' AND r.relname = $2 ORDER BY c.relname, con.conname`, [null, table]);
  return rows.map((row) => ({ table: row.table, foreignKey: foreignKeyOf(row) }));
}

/** The identity/serial sequences owned by the columns of `table`. */
export async function ownedSequences(connection: Connection, table: string): Promise<{ readonly column: string; readonly sequence: string }[]> {
  const { rows } = await connection.query<{ column: string; sequence: string }>(
    `SELECT a.attname AS "column", s.relname AS "sequence"
       FROM pg_catalog.pg_class s
       JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = s.oid
        AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i')
       JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
       JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
      WHERE s.relkind = 'S' AND n.nspname = current_schema() AND t.relname = $1
      ORDER BY a.attnum`,
    [table],
  );
  return rows;
}

/** The names among `names` already taken by a table, index, sequence or view in the current schema. */
export async function takenRelationNames(connection: Connection, names: readonly string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const { rows } = await connection.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relname IN (SELECT json_array_elements_text($1::json))`,
    [JSON.stringify(names)],
  );
  return new Set(rows.map((row) => row.name));
}

interface TableRow { name: string; comment: string | null }
interface ColumnRow {
  table: string; name: string; type: string; not_null: boolean; default: string | null; identity: string; comment: string | null;
}
interface ConstraintRow {
  table: string; name: string; type: string; columns: string[]; referenced_table: string | null; referenced_columns: string[];
  on_delete: string; deferrable: boolean; deferred: boolean; validated: boolean; expression: string | null;
}
interface IndexRow {
  table: string; name: string; unique: boolean; method: string; condition: string | null; columns: string[]; backs_constraint: boolean;
}

const TABLES_SQL = `
SELECT c.relname AS name, pg_catalog.obj_description(c.oid, 'pg_class') AS comment
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND ($1::text IS NULL OR c.relname = $1)
 ORDER BY c.relname`;

const COLUMNS_SQL = `
SELECT c.relname AS "table", a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null, pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS "default",
       a.attidentity::text AS identity, pg_catalog.col_description(c.oid, a.attnum) AS comment
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
   AND ($1::text IS NULL OR c.relname = $1)
 ORDER BY c.relname, a.attnum`;

// Column lists keep the constraint's own key order (WITH ORDINALITY).
const CONSTRAINTS_SQL = `
SELECT c.relname AS "table", con.conname AS name, con.contype::text AS type,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
       r.relname AS referenced_table,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS referenced_columns,
       con.confdeltype::text AS on_delete, con.condeferrable AS deferrable, con.condeferred AS deferred,
       con.convalidated AS validated, pg_catalog.pg_get_expr(con.conbin, con.conrelid) AS expression
  FROM pg_catalog.pg_constraint con
  JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_class r ON r.oid = con.confrelid
 WHERE n.nspname = current_schema() AND con.contype IN ('p', 'u', 'f', 'c')
   AND ($1::text IS NULL OR c.relname = $1)`;

// An index that backs a primary key or unique constraint is reported with its constraint instead.
const INDEXES_SQL = `
SELECT t.relname AS "table", i.relname AS name, ix.indisunique AS "unique", am.amname AS method,
       pg_catalog.pg_get_expr(ix.indpred, ix.indrelid) AS condition,
       ARRAY(SELECT CASE WHEN k.attnum = 0 THEN pg_catalog.pg_get_indexdef(ix.indexrelid, k.ord::int, true)
                         ELSE a.attname::text END
               FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
               LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum
              WHERE k.ord <= ix.indnkeyatts ORDER BY k.ord) AS columns,
       EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con
                WHERE con.conindid = ix.indexrelid AND con.conrelid = ix.indrelid AND con.contype IN ('p', 'u', 'x')) AS backs_constraint
  FROM pg_catalog.pg_index ix
  JOIN pg_catalog.pg_class i ON i.oid = ix.indexrelid
  JOIN pg_catalog.pg_class t ON t.oid = ix.indrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
  JOIN pg_catalog.pg_am am ON am.oid = i.relam
 WHERE n.nspname = current_schema() AND ($1::text IS NULL OR t.relname = $1)
 ORDER BY t.relname, i.relname`;

async function readTables(connection: Connection, only: string | null): Promise<TableSchema[]> {
  const tables = (await connection.query<TableRow>(TABLES_SQL, [only])).rows;
  if (tables.length === 0) return [];
  const columns = groupBy((await connection.query<ColumnRow>(COLUMNS_SQL, [only])).rows);
  const constraints = groupBy((await connection.query<ConstraintRow>(`${CONSTRAINTS_SQL} ORDER BY c.relname, con.conname`, [only])).rows);
  const indexes = groupBy((await connection.query<IndexRow>(INDEXES_SQL, [only])).rows);
  return tables.map((table) => assembleTable(table, columns.get(table.name) ?? [], constraints.get(table.name) ?? [], indexes.get(table.name) ?? []));
}

function groupBy<Row extends { table: string }>(rows: Row[]): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const row of rows) {
    const list = out.get(row.table);
    if (list) list.push(row);
    else out.set(row.table, [row]);
  }
  return out;
}

function assembleTable(table: TableRow, columns: ColumnRow[], constraints: ConstraintRow[], indexes: IndexRow[]): TableSchema {
  let primaryKey: PrimaryKeySchema | null = null;
  const foreignKeys: ForeignKeySchema[] = [];
  const uniques: UniqueSchema[] = [];
  const checks: CheckSchema[] = [];
  for (const row of constraints) {
    if (row.type === 'p') primaryKey = { name: row.name, columns: row.columns };
    else if (row.type === 'f') foreignKeys.push(foreignKeyOf(row));
    else if (row.type === 'u') uniques.push({ name: row.name, columns: row.columns, condition: null, form: 'constraint' });
    else if (row.type === 'c') checks.push({ name: row.name, expression: stripOuterParentheses(row.expression ?? ''), validated: row.validated });
  }
  const plainIndexes: IndexSchema[] = [];
  for (const row of indexes) {
    if (row.backs_constraint) continue;
    const condition = row.condition === null ? null : stripOuterParentheses(row.condition);
    if (row.unique) uniques.push({ name: row.name, columns: row.columns, condition, form: 'index' });
    else plainIndexes.push({ name: row.name, columns: row.columns, condition, method: row.method });
  }
  return {
    name: table.name,
    comment: table.comment,
    columns: columns.map(columnOf),
    primaryKey,
    foreignKeys,
    uniques: uniques.sort(byName),
    indexes: plainIndexes,
    checks,
  };
}

function columnOf(row: ColumnRow): ColumnSchema {
  return {
    name: row.name,
    type: row.type,
    nullable: !row.not_null,
    default: row.default,
    identity: row.identity === 'a' ? 'always' : row.identity === 'd' ? 'by-default' : null,
    comment: row.comment,
  };
}

const ACTIONS: Record<string, ReferentialAction> = {
  a: 'no-action', r: 'restrict', c: 'cascade', n: 'set-null', d: 'set-default',
};

function foreignKeyOf(row: ConstraintRow): ForeignKeySchema {
  return {
    name: row.name,
    columns: row.columns,
    referencedTable: row.referenced_table ?? '',
    referencedColumns: row.referenced_columns,
    onDelete: ACTIONS[row.on_delete] ?? 'no-action',
    deferrable: row.deferrable,
    initiallyDeferred: row.deferred,
    validated: row.validated,
  };
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** `(x >= 0)` -> `x >= 0`, only when the first parenthesis closes at the very end. */
export function stripOuterParentheses(sql: string): string {
  let text = sql.trim();
  while (text.startsWith('(') && text.endsWith(')') && closingParenthesis(text, 0) === text.length - 1) {
    text = text.slice(1, -1).trim();
  }
  return text;
}

function closingParenthesis(text: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = text[i + 1] === quote ? (i++, quote) : null;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return -1;
}
