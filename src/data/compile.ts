import { quoteName } from '../backends/postgres/sql.js';
import { assertNever } from '../errors/index.js';
import type { FieldMeta, ModelMeta } from './model-meta.js';
import type { Condition, SelectNode } from './query.js';

/**
 * The PostgreSQL compiler of the data API (the server and PGlite share it): plain query nodes in,
 * `{ sql, params }` out. Every identifier goes through quoteName and every value is a `$n` parameter;
 * lists travel as one typed array parameter (`= ANY($1::bigint[])`, `unnest(...)`), so a statement's
 * text does not grow with the number of rows and stays within the protocol's parameter limit.
 */
export interface Compiled {
  readonly sql: string;
  readonly params: unknown[];
}

export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const column = (meta: ModelMeta, field: FieldMeta) => `${meta.quotedTable}.${field.quoted}`;

export function whereSql(meta: ModelMeta, conditions: readonly Condition[], params: Params): string {
  if (conditions.length === 0) return 'TRUE';
  return conditions.map((condition) => conditionSql(meta, condition, params)).join(' AND ');
}

function conditionSql(meta: ModelMeta, condition: Condition, params: Params): string {
  switch (condition.kind) {
    case 'compare':
      return `${column(meta, condition.field)} ${condition.op} ${params.add(condition.value)}`;
    case 'in':
      return `${column(meta, condition.field)} = ANY(${params.add(condition.values)}::${condition.field.castType}[])`;
    case 'inQuery':
      return `${column(meta, condition.field)} IN (${selectSql(condition.query, params)})`;
    case 'isNull':
      return `${column(meta, condition.field)} IS ${condition.isNull ? '' : 'NOT '}NULL`;
    case 'like':
      return `${column(meta, condition.field)} LIKE ${params.add(condition.pattern)}`;
    case 'jsonContains':
      return `${column(meta, condition.field)} @> ${params.add(condition.value)}::jsonb`;
    case 'joined': {
      const table = quoteName(condition.table);
      return `${column(meta, condition.field)} IN (SELECT ${table}.${quoteName(condition.select)} FROM ${table} WHERE ${table}.${quoteName(condition.where)} = ${params.add(condition.value)}::${condition.whereCast})`;
    }
    case 'not':
      return `(${whereSql(meta, condition.conditions, params)}) IS NOT TRUE`;
    case 'never':
      return 'FALSE';
    default:
      return assertNever(condition, 'condition');
  }
}

function selectListSql(node: SelectNode): string {
  if (node.columns === 'row') return node.meta.selectList;
  return node.columns.map((field) => `${field.codec.select(column(node.meta, field))} AS ${quoteName(field.attribute)}`).join(', ');
}

function selectSql(node: SelectNode, params: Params): string {
  const { meta } = node;
  let sql = `SELECT ${selectListSql(node)} FROM ${meta.quotedTable}`;
  if (node.where.length) sql += ` WHERE ${whereSql(meta, node.where, params)}`;
  if (node.order.length) sql += ` ORDER BY ${node.order.map((term) => `${column(meta, term.field)}${term.descending ? ' DESC' : ''}`).join(', ')}`;
  if (node.limit !== undefined) sql += ` LIMIT ${node.limit}`;
  return sql;
}

export function compileSelect(node: SelectNode): Compiled {
  const params = new Params();
  return { sql: selectSql(node, params), params: params.values };
}

export function compileCount(node: SelectNode): Compiled {
  const params = new Params();
  const inner = node.limit === undefined ? null : selectSql({ ...node, order: [], columns: [node.meta.pk] }, params);
  const sql = inner
    ? `SELECT count(*) AS n FROM (${inner}) AS limited`
    : `SELECT count(*) AS n FROM ${node.meta.quotedTable}${node.where.length ? ` WHERE ${whereSql(node.meta, node.where, params)}` : ''}`;
  return { sql, params: params.values };
}

export function compileExists(node: SelectNode): Compiled {
  const params = new Params();
  const inner = selectSql({ ...node, order: [], columns: [node.meta.pk], limit: 1 }, params);
  return { sql: `SELECT EXISTS (${inner}) AS e`, params: params.values };
}

/** `EXPLAIN` of the select, for a cheap row estimate (progress). */
export function compileEstimate(node: SelectNode): Compiled {
  const { sql, params } = compileSelect({ ...node, order: [], columns: [node.meta.pk], limit: undefined });
  return { sql: `EXPLAIN (FORMAT JSON) ${sql}`, params };
}

export function compileUpdate(meta: ModelMeta, where: readonly Condition[], sets: readonly (readonly [FieldMeta, unknown])[]): Compiled {
  const params = new Params();
  const assignments = sets.map(([field, value]) => `${field.quoted} = ${params.add(value)}`).join(', ');
  return { sql: `UPDATE ${meta.quotedTable} SET ${assignments} WHERE ${whereSql(meta, where, params)}`, params: params.values };
}

export function compileDelete(meta: ModelMeta, where: readonly Condition[]): Compiled {
  const params = new Params();
  return { sql: `DELETE FROM ${meta.quotedTable} WHERE ${whereSql(meta, where, params)}`, params: params.values };
}

/** One row; the new row comes back whole (database defaults and identity values included). */
export function compileInsert(meta: ModelMeta, fields: readonly FieldMeta[], values: readonly unknown[]): Compiled {
  const params = new Params();
  const body = fields.length
    ? `(${fields.map((f) => f.quoted).join(', ')}) VALUES (${values.map((v) => params.add(v)).join(', ')})`
    : 'DEFAULT VALUES';
  return { sql: `INSERT INTO ${meta.quotedTable} ${body} RETURNING ${meta.selectList}`, params: params.values };
}

export type Conflict =
  | { readonly kind: 'error' }
  | { readonly kind: 'ignore' }
  | { readonly kind: 'update'; readonly target: readonly FieldMeta[]; readonly update: readonly FieldMeta[] };

const alias = (i: number) => `c${i}`;

/**
 * Many rows in one statement: each column travels as one array parameter and `unnest` turns them back
 * into rows. With 'update' each returned row says whether it was inserted (`xmax = 0`: no earlier
 * version, https://www.postgresql.org/docs/current/ddl-system-columns.html) or updated.
 */
export function compileBulkInsert(meta: ModelMeta, fields: readonly FieldMeta[], columns: readonly (readonly unknown[])[], conflict: Conflict): Compiled {
  const params = new Params();
  const arrays = fields.map((field, i) => `${params.add(columns[i])}::${field.castType}[]`).join(', ');
  const names = fields.map((_, i) => alias(i)).join(', ');
  let sql = `INSERT INTO ${meta.quotedTable} (${fields.map((f) => f.quoted).join(', ')}) SELECT ${names} FROM unnest(${arrays}) AS v(${names})`;
  switch (conflict.kind) {
    case 'error':
      break;
    case 'ignore':
      sql += ' ON CONFLICT DO NOTHING';
      break;
    case 'update': {
      const target = conflict.target.map((f) => f.quoted).join(', ');
      sql += conflict.update.length
        ? ` ON CONFLICT (${target}) DO UPDATE SET ${conflict.update.map((f) => `${f.quoted} = EXCLUDED.${f.quoted}`).join(', ')} RETURNING (xmax = 0) AS inserted`
        : ` ON CONFLICT (${target}) DO NOTHING`;
      break;
    }
    default:
      assertNever(conflict, 'conflict mode');
  }
  return { sql, params: params.values };
}

/**
 * Sets `fields` of many rows, each to its own value, in one statement:
 * `UPDATE t SET a = v.c1 FROM unnest($1::bigint[], $2::integer[]) AS v(c0, c1) WHERE t.id = v.c0`.
 */
export function compileBulkUpdate(
  meta: ModelMeta,
  fields: readonly FieldMeta[],
  keys: readonly unknown[],
  columns: readonly (readonly unknown[])[],
  range?: { readonly low: unknown; readonly high: unknown },
): Compiled {
  const params = new Params();
  const arrays = [`${params.add(keys)}::${meta.pk.castType}[]`, ...fields.map((field, i) => `${params.add(columns[i])}::${field.castType}[]`)].join(', ');
  const names = ['k', ...fields.map((_, i) => alias(i))].join(', ');
  const sets = fields.map((field, i) => `${field.quoted} = v.${alias(i)}`).join(', ');
  const key = `${meta.quotedTable}.${meta.pk.quoted}`;
  // The keys' range is redundant for the result, but lets the planner read the table's rows for a
  // batch of neighbouring keys in one index range scan instead of one index probe per row.
  const within = range ? ` AND ${key} BETWEEN ${params.add(range.low)} AND ${params.add(range.high)}` : '';
  return {
    sql: `UPDATE ${meta.quotedTable} SET ${sets} FROM unnest(${arrays}) AS v(${names}) WHERE ${key} = v.k${within}`,
    params: params.values,
  };
}

/** The smallest and largest of integer keys (as parameters), for compileBulkUpdate; undefined for other keys. */
export function integerKeyRange(pk: FieldMeta, keys: readonly unknown[]): { low: unknown; high: unknown } | undefined {
  const kind = pk.codec.kind;
  if ((kind !== 'int2' && kind !== 'int4' && kind !== 'int8') || keys.length < 2) return undefined;
  let low = Infinity;
  let high = -Infinity;
  for (const key of keys) {
    const n = typeof key === 'number' ? key : typeof key === 'string' ? Number(key) : NaN;
    if (!Number.isSafeInteger(n)) return undefined;
    if (n < low) low = n;
    if (n > high) high = n;
  }
  return { low: pk.codec.write(low, pk.name), high: pk.codec.write(high, pk.name) };
}
