import type { Connection } from '../backends/base/connection.js';
import { quoteLiteral, quoteName } from '../backends/postgres/sql.js';

/**
 * Key sequences — the sequences behind `serial` and identity columns — against the largest key their
 * table holds. A sequence falls behind when rows are written with explicit keys (a restored dump, a
 * data migration copying rows, a hand-written INSERT): the next insert then takes a key that exists and
 * fails with "duplicate key value violates unique constraint ..._pkey" (seed 004). Django's answer is
 * `sqlsequencereset`; this module finds them and moves them past the largest key.
 */
export interface KeySequence {
  readonly table: string;
  readonly column: string;
  readonly sequence: string;
  /** `serial` (a sequence owned by the column) or `identity` (GENERATED ... AS IDENTITY). */
  readonly kind: 'serial' | 'identity';
  /** The largest key in the table, as text (bigint does not fit a JS number); null for an empty table. */
  readonly maxKey: string | null;
  /** The value the next insert would take. */
  readonly nextValue: string;
  /** true: the next value is at or below the largest key, so the next insert fails. */
  readonly behind: boolean;
}

export interface SequenceOptions {
  /** Only sequences of these tables; all tables of the current schema when undefined. */
  readonly tables?: ReadonlySet<string>;
}

interface OwnedRow {
  table: string;
  column: string;
  sequence: string;
  deptype: string;
  increment: string;
}

interface ValueRow {
  i: number;
  max_key: string | null;
  last_value: string;
  is_called: boolean;
}

// A sequence belongs to a column through pg_depend: deptype 'a' for serial (OWNED BY), 'i' for identity
// (https://www.postgresql.org/docs/current/catalog-pg-depend.html).
const OWNED_SEQUENCES_SQL = `
SELECT t.relname AS "table", a.attname AS "column", s.relname AS "sequence", d.deptype::text AS deptype,
       q.seqincrement::text AS increment
  FROM pg_catalog.pg_class s
  JOIN pg_catalog.pg_sequence q ON q.seqrelid = s.oid
  JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = s.oid
   AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i')
  JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
  JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
 WHERE s.relkind = 'S' AND n.nspname = current_schema()
 ORDER BY t.relname, a.attnum`;

/** Statements per round trip when reading sequence values: one UNION ALL query per chunk. */
const CHUNK = 200;

/**
 * Every key sequence of the current schema (or of `options.tables`) with its table's largest key,
 * sorted by table and column. Reads max(key) through the key's index: cheap even on large tables.
 */
export async function keySequences(connection: Connection, options: SequenceOptions = {}): Promise<KeySequence[]> {
  const { rows } = await connection.query<OwnedRow>(OWNED_SEQUENCES_SQL);
  const owned = options.tables ? rows.filter((row) => options.tables!.has(row.table)) : rows;
  const out: KeySequence[] = [];
  for (let start = 0; start < owned.length; start += CHUNK) {
    const chunk = owned.slice(start, start + CHUNK);
    const sql = chunk
      .map((row, i) =>
        `SELECT ${i} AS i, (SELECT max(${quoteName(row.column)}) FROM ${quoteName(row.table)})::text AS max_key, ` +
        `last_value::text AS last_value, is_called FROM ${quoteName(row.sequence)}`,
      )
      .join('\nUNION ALL\n');
    const values = (await connection.query<ValueRow>(sql)).rows;
    for (const value of values) out.push(keySequence(chunk[Number(value.i)], value));
  }
  return out.sort((a, b) => compare(a.table, b.table) || compare(a.column, b.column));
}

function keySequence(row: OwnedRow, value: ValueRow): KeySequence {
  const increment = BigInt(row.increment);
  const last = BigInt(value.last_value);
  // Before the first nextval (is_called false) the next value is last_value itself.
  const next = value.is_called ? last + increment : last;
  // Descending sequences hand out ever smaller keys: they never collide with the largest one.
  const behind = value.max_key !== null && increment > 0n && next <= BigInt(value.max_key);
  return {
    table: row.table,
    column: row.column,
    sequence: row.sequence,
    kind: row.deptype === 'i' ? 'identity' : 'serial',
    maxKey: value.max_key,
    nextValue: String(next),
    behind,
  };
}

/** The statement that moves a sequence just past its table's largest key (next value = max + 1). */
export function resetSql(sequence: Pick<KeySequence, 'table' | 'column' | 'sequence'>): string {
  // The max is read in the same statement, so rows inserted since keySequences() ran are counted.
  return `SELECT setval(${quoteLiteral(quoteName(sequence.sequence))}, (SELECT max(${quoteName(sequence.column)}) FROM ${quoteName(sequence.table)}), true)`;
}

/** Resets each sequence (only if the table has rows); returns the next value each will hand out. */
export async function resetSequences(connection: Connection, sequences: readonly KeySequence[]): Promise<{ sequence: KeySequence; nextValue: string }[]> {
  const out: { sequence: KeySequence; nextValue: string }[] = [];
  for (const sequence of sequences) {
    const { rows } = await connection.query<{ value: string | null }>(`${resetSql(sequence)}::text AS value`);
    const value = rows[0]?.value;
    out.push({ sequence, nextValue: value == null ? sequence.nextValue : String(BigInt(value) + 1n) });
  }
  return out;
}

/** "shop_client.id (sequence shop_client_id_seq) would hand out 3 next, but the largest id is 25." */
export function describeSequence(sequence: KeySequence): string {
  const where = `${sequence.table}.${sequence.column}`;
  const kind = sequence.kind === 'identity' ? 'identity sequence' : 'sequence';
  if (!sequence.behind) {
    return `${where} (${kind} ${sequence.sequence}) hands out ${sequence.nextValue} next; the largest ${sequence.column} is ${sequence.maxKey ?? '(no rows)'}.`;
  }
  return (
    `${where} (${kind} ${sequence.sequence}) would hand out ${sequence.nextValue} next, but the largest ${sequence.column} is ${sequence.maxKey}: ` +
    `the next insert without an explicit ${sequence.column} fails with "duplicate key value violates unique constraint".`
  );
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
