import { SedimentError } from '../../errors/index.js';
import { quoteLiteral, quoteName } from './sql.js';

/**
 * Type changes that can change what a row holds, and the check that refuses them before they do.
 *
 * `ALTER COLUMN … TYPE t USING col::t` converts with an explicit cast, and explicit casts are lenient:
 * to varchar(n) they truncate, to numeric(p,s) and to integers they round, timestamp to date drops the
 * time of day, 5::boolean is true (PostgreSQL docs, "Character Types", "Numeric Types", "Type
 * Conversion"). Some of these happen even without USING (numeric → numeric and double → integer round
 * under the assignment cast too), so leaving USING out is not enough: before such an ALTER the editor
 * counts the rows whose value would not survive, and refuses when there is any.
 *
 * Which pairs can narrow (anything not listed converts exactly, or the database refuses it by itself:
 * invalid input syntax, "cannot cast type", out of range). `v` is the column; a row is counted when:
 *
 * | from                          | to                 | counted when                                              |
 * |-------------------------------|--------------------|-----------------------------------------------------------|
 * | anything                      | text               | never (every value has its text form)                     |
 * | varchar(n ≤ m), uuid (m ≥ 36), boolean (m ≥ 5), smallint (m ≥ 6), integer (m ≥ 11), bigint (m ≥ 20), numeric(p,s) (m ≥ p+2) | varchar(m) | never |
 * | anything else                 | varchar(m)         | `length(v::text) > m` (also trailing spaces PostgreSQL would drop) |
 * | smallint, integer, bigint     | a narrower integer | out of its range                                          |
 * | smallint, integer, bigint     | numeric(p,s), too few integer digits | `abs(v) >= 10^(p-s)`                    |
 * | bigint                        | double precision   | `abs(v) > 2^53` (not every such integer is a double)      |
 * | integer                       | boolean            | `v NOT IN (0, 1)` (5 would become true)                   |
 * | numeric(p,s)                  | numeric(p2,s2), s2 < s or p2-s2 < p-s | rounding or overflow, NaN kept           |
 * | numeric(p,s), double          | an integer type    | a fraction, or out of range, or NaN / infinite            |
 * | numeric(p > 15, s)            | double precision   | does not come back the same                               |
 * | double precision              | numeric(p,s)       | rounding, overflow, infinite                              |
 * | text, varchar                 | numeric(p,s)       | the parsed number rounds or overflows                     |
 * | timestamp with time zone      | date               | a time of day other than midnight (in the session's zone) |
 * | timestamp with time zone      | time               | every non-NULL row (the date is dropped)                  |
 * | interval                      | time               | days, months or 24 hours and more                         |
 *
 * Widening pairs (int → bigint, varchar(10) → varchar(50), varchar → text, more decimal places) get no
 * predicate and so pay for no scan. Parsing from text (to integer, date, uuid, json) is not checked:
 * what does not parse is refused by the database; what parses is normalised (`'012'` → 12), which is the
 * point of such a change.
 */

/** A column type taken apart: `character varying(10)` → base `character varying`, length 10. */
export interface ColumnShape {
  readonly base: string;
  readonly length?: number;
  readonly precision?: number;
  readonly scale?: number;
}

/** Parses a canonical type (as `format_type()` prints it, see column-types.ts). */
export function columnShape(canonical: string): ColumnShape {
  const match = /^(.*?)\((\d+)(?:,\s*(\d+))?\)$/.exec(canonical.trim());
  if (!match) return { base: canonical.trim() };
  const base = match[1].trim();
  const first = Number(match[2]);
  if (base === 'numeric') return { base, precision: first, scale: match[3] === undefined ? 0 : Number(match[3]) };
  return { base, length: first };
}

/**
 * Whether `ALTER COLUMN … TYPE` needs `USING col::type`: only when the base type changes, as Django's
 * PostgreSQL schema editor decides (`_using_sql`, "Cast when data type changed"). Within one base type
 * (varchar(50) → varchar(10), numeric(10,4) → numeric(10,2)) the assignment cast applies, which refuses
 * a string that does not fit ("value too long for type character varying(10)") instead of truncating it.
 */
export function needsUsingCast(fromCanonical: string, toCanonical: string): boolean {
  return columnShape(fromCanonical).base !== columnShape(toCanonical).base;
}

const integerRange: Readonly<Record<string, { lo: string; hi: string; digits: number; textLength: number }>> = {
  smallint: { lo: '-32768', hi: '32767', digits: 5, textLength: 6 },
  integer: { lo: '-2147483648', hi: '2147483647', digits: 10, textLength: 11 },
  bigint: { lo: '-9223372036854775808', hi: '9223372036854775807', digits: 19, textLength: 20 },
};
const DOUBLE = 'double precision';
const TIMESTAMPTZ = 'timestamp with time zone';
const STRINGS = new Set(['text', 'character varying']);

/** The longest text form of a value of `shape`, when it is bounded. */
function longestText(shape: ColumnShape): number | undefined {
  if (shape.base === 'character varying') return shape.length;
  if (shape.base === 'uuid') return 36;
  if (shape.base === 'boolean') return 5;
  if (shape.base === 'numeric' && shape.precision !== undefined) return shape.precision + 2;
  return integerRange[shape.base]?.textLength;
}

/** `10^n` as a numeric literal. */
const power = (n: number) => `1e${n}`;

/** A value that is a whole number within an integer type's range (false for NaN and infinities). */
function fitsInteger(v: string, to: string): string {
  const { lo, hi } = integerRange[to];
  // NaN sorts above every number in PostgreSQL, so the upper bound also rules it out.
  return `(${v} >= ${lo} AND ${v} <= ${hi} AND ${v} = trunc(${v}))`;
}

/** Rounds or overflows when stored as numeric(p,s); `v` is numeric. NaN is kept as NaN. */
function changesAsNumeric(v: string, precision: number, scale: number): string {
  return `(CASE WHEN ${v} = 'NaN' THEN false ELSE round(${v}, ${scale}) <> ${v} OR abs(round(${v}, ${scale})) >= ${power(precision - scale)} END)`;
}

/**
 * The SQL condition, over the column expression `v`, that is true for a row whose value would not
 * survive the change from `from` to `to`; null when the pair cannot narrow (see the table above).
 */
export function lossPredicate(v: string, fromCanonical: string, toCanonical: string): string | null {
  if (fromCanonical === toCanonical) return null;
  const from = columnShape(fromCanonical);
  const to = columnShape(toCanonical);
  if (to.base === 'text') return null;
  if (to.base === 'character varying' && to.length !== undefined) {
    const longest = longestText(from);
    if (longest !== undefined && longest <= to.length) return null;
    return `length(${v}::text) > ${to.length}`;
  }
  const fromInteger = integerRange[from.base];
  const toInteger = integerRange[to.base];
  if (fromInteger && toInteger) {
    return fromInteger.digits <= toInteger.digits ? null : `(${v} < ${toInteger.lo} OR ${v} > ${toInteger.hi})`;
  }
  if (fromInteger && to.base === 'numeric') {
    return fromInteger.digits <= to.precision! - to.scale! ? null : `abs(${v}::numeric) >= ${power(to.precision! - to.scale!)}`;
  }
  if (from.base === 'bigint' && to.base === DOUBLE) return `abs(${v}) > 9007199254740992`;
  if (from.base === 'integer' && to.base === 'boolean') return `${v} NOT IN (0, 1)`;
  if (from.base === 'numeric' && to.base === 'numeric') {
    const narrower = to.scale! < from.scale! || to.precision! - to.scale! < from.precision! - from.scale!;
    return narrower ? changesAsNumeric(v, to.precision!, to.scale!) : null;
  }
  if ((from.base === 'numeric' || from.base === DOUBLE) && toInteger) {
    if (from.base === 'numeric' && from.scale === 0 && from.precision! < toInteger.digits) return null;
    return `NOT ${fitsInteger(v, to.base)}`;
  }
  if (from.base === 'numeric' && to.base === DOUBLE) {
    return from.precision! <= 15 ? null : `${v}::${DOUBLE}::numeric <> ${v}`;
  }
  if (from.base === DOUBLE && to.base === 'numeric') {
    return `(CASE WHEN ${v} = 'NaN' THEN false WHEN ${v} IN ('Infinity', '-Infinity') THEN true ` +
      `ELSE abs(round(${v}::numeric, ${to.scale})) >= ${power(to.precision! - to.scale!)} OR round(${v}::numeric, ${to.scale})::${DOUBLE} <> ${v} END)`;
  }
  if (STRINGS.has(from.base) && to.base === 'numeric') return changesAsNumeric(`${v}::numeric`, to.precision!, to.scale!);
  if (from.base === TIMESTAMPTZ && to.base === 'date') return `${v}::date::${TIMESTAMPTZ} IS DISTINCT FROM ${v}`;
  if (from.base === TIMESTAMPTZ && to.base === 'time without time zone') return `${v} IS NOT NULL`;
  if (from.base === 'interval' && to.base === 'time without time zone') return `${v}::time::interval IS DISTINCT FROM ${v}`;
  return null;
}

/** The SQLSTATE the check raises: class 22 (data exception), a code of Sediment's own. */
export const LOSSY_CHANGE_SQLSTATE = '22SD1';

export interface LossCheck {
  /** `app.Model.field`, for the messages. */
  readonly field: string;
  readonly table: string;
  readonly column: string;
  readonly fromCanonical: string;
  readonly toCanonical: string;
  /** The type as DDL writes it (`varchar(10)`), for the message and the example's cast. */
  readonly toSql: string;
}

const HINT =
  'Clean the data first in a data migration before this one (ops.runCode or ops.runSql), or keep a type wide enough ' +
  'for every row. Nothing was converted: no row was changed.';

/**
 * The check, as one statement that fails by itself: a DO block that counts the rows whose value would
 * not survive, and raises an exception with the count and two examples (the value and what it would
 * become) when there is any. One statement rather than a SELECT whose answer Sediment inspects, so that
 * what `sqlmigrate` prints stays what migrate sends (SPEC §5) and still refuses when pasted into psql.
 * It runs in the migration's transaction, just before the ALTER, so the ALTER sees the rows it checked.
 * Null when the change cannot narrow: widening pays for no scan.
 */
export function lossCheckSql(check: LossCheck): string | null {
  const v = quoteName(check.column);
  const predicate = lossPredicate(v, check.fromCanonical, check.toCanonical);
  if (predicate === null) return null;
  const table = quoteName(check.table);
  const shown = (value: string) => `CASE WHEN length(${value}) > 40 THEN quote_literal(left(${value}, 40)) || '…' ELSE quote_literal(${value}) END`;
  const message = quoteLiteral(
    `${check.field} (column ${check.table}.${check.column}): %s row(s) would change when the column becomes ${check.toSql}, e.g. %s; the migration is refused`,
  );
  const body = [
    'DECLARE changed bigint; examples text := \'\'; became text; r record;',
    'BEGIN',
    `  FOR r IN SELECT ${v} AS v FROM ${table} WHERE ${predicate} LIMIT 2 LOOP`,
    `    BEGIN became := r.v::${check.toSql}::text; became := ${shown('became')};`,
    "    EXCEPTION WHEN others THEN became := 'an error (' || SQLERRM || ')'; END;",
    `    examples := examples || CASE WHEN examples = '' THEN '' ELSE ', ' END || ${shown('r.v::text')} || ' → ' || became;`,
    '  END LOOP;',
    `  IF examples <> '' THEN`,
    `    SELECT count(*) INTO changed FROM ${table} WHERE ${predicate};`,
    `    RAISE EXCEPTION USING ERRCODE = ${quoteLiteral(LOSSY_CHANGE_SQLSTATE)}, MESSAGE = format(${message}, changed, examples), HINT = ${quoteLiteral(HINT)};`,
    '  END IF;',
    'END',
  ].join('\n');
  let tag = '$sediment_check$';
  for (let i = 1; body.includes(tag); i++) tag = `$sediment_check${i}$`;
  return `DO ${tag}\n${body}\n${tag}`;
}

/** The check's failure, as Sediment reports it: the database's message and hint, without a stack. */
export function lossyChangeError(error: unknown, sql: string): SedimentError | undefined {
  const e = error as { code?: unknown; message?: unknown; hint?: unknown } | null;
  if (e?.code !== LOSSY_CHANGE_SQLSTATE || typeof e.message !== 'string') return undefined;
  return new SedimentError('LossyChange', e.message, {
    hint: typeof e.hint === 'string' ? e.hint : HINT,
    sql,
    cause: error,
  });
}
