import { compileCount, compileDelete, compileExists, compileSelect, compileUpdate } from './compile.js';
import { DoesNotExistError, InvalidValueError, MultipleObjectsReturnedError, UnsupportedQueryError } from './errors.js';
import { streamBatches } from './iterate.js';
import { parseFilter } from './lookups.js';
import type { FieldMeta, ModelMeta } from './model-meta.js';
import type { Codec } from './values.js';
import { quoteName } from '../backends/postgres/sql.js';
import { fieldOf } from './model-meta.js';
import type { OrderTerm, SelectNode } from './query.js';
import { QUERY_NODE } from './query.js';
import { Cohort, HistoricalRow, isRow, keyString, toColumnParam, type ModelContext } from './row-base.js';

/** A filter: `{ field: value, field__lookup: value }` (see lookups.ts for the lookups). */
export type Filter = Readonly<Record<string, unknown>>;

/** Values for create/update: fields by name (a foreign key takes a row, a key or null) or attribute. */
export type Values = Readonly<Record<string, unknown>>;

export interface BatchOptions {
  /** Rows per batch (and per statement). Default 1000. */
  readonly size?: number;
}

/** A row of `values(...)`: the fields asked for, by the names asked for. */
export type ValuesRow = Record<string, unknown>;

/**
 * Counting a relation for a whole fetched batch at once (see Cohort): rows of `table` whose `column`
 * holds the value of the row's `keyAttribute`.
 */
export interface CountPrefetch {
  /** Names the relation within the batch's cache. */
  readonly id: string;
  readonly table: string;
  readonly column: string;
  readonly castType: string;
  readonly codec: Codec;
  readonly keyAttribute: string;
  readonly row: HistoricalRow;
}

const DEFAULT_BATCH = 1000;

/**
 * A query over a historical model's table: immutable and lazy. `filter`, `exclude`, `orderBy` and
 * `values` return new query sets and run nothing; `count`, `first`, `get`, `toArray`, `update`,
 * `delete`, `batches` and `for await` run it. Set-based where SQL is: `update` and `delete` are one
 * statement each, whatever the number of rows.
 *
 * @example
 * const Client = apps.getModel('shop', 'Client');
 * await Client.objects.filter({ bought: null }).update({ bought: 0 });     // one UPDATE
 * for await (const c of Client.objects.filter({ name__startsWith: 'A' }).orderBy('-id')) { ... }
 * const names = await Client.objects.values('name').toArray();           // [{ name: 'Ada' }, ...]
 */
export class QuerySet<R = HistoricalRow> implements AsyncIterable<R> {
  /** @internal */
  constructor(
    protected readonly ctx: ModelContext,
    protected readonly node: SelectNode,
    /** The names values() was called with; null: whole rows. */
    protected readonly valueNames: readonly string[] | null = null,
    private readonly prefetch: CountPrefetch | null = null,
  ) {}

  protected get meta(): ModelMeta {
    return this.ctx.meta;
  }

  private derive<T = R>(node: SelectNode, valueNames: readonly string[] | null = this.valueNames): QuerySet<T> {
    return new QuerySet<T>(this.ctx, node, valueNames);
  }

  /** @internal the query as plain data (lets a query set be an `__in` value). */
  [QUERY_NODE](): SelectNode {
    return this.node;
  }

  /** The same query (a fresh copy, as Django's all()). */
  all(): QuerySet<R> {
    return this.derive(this.node);
  }

  /** Rows matching every key of `lookup`: `filter({ bought: null, name__in: ['Ada', 'Bob'] })`. */
  filter(lookup: Filter): QuerySet<R> {
    return this.derive({ ...this.node, where: [...this.node.where, ...parseFilter(this.meta, lookup, 'filter()')] });
  }

  /** Rows not matching all keys of `lookup` together (rows where it is NULL are kept, as in Django). */
  exclude(lookup: Filter): QuerySet<R> {
    const conditions = parseFilter(this.meta, lookup, 'exclude()');
    if (conditions.length === 0) return this.derive(this.node);
    return this.derive({ ...this.node, where: [...this.node.where, { kind: 'not', conditions }] });
  }

  /** Orders by fields, `-` for descending: `orderBy('name', '-id')`. No arguments: the default order. */
  orderBy(...fields: string[]): QuerySet<R> {
    const order = fields.map((name) => {
      const descending = name.startsWith('-');
      return { field: fieldOf(this.meta, descending ? name.slice(1) : name, 'orderBy()'), descending };
    });
    return this.derive({ ...this.node, order });
  }

  /** Plain objects of the named fields instead of rows (a foreign key gives its key). No names: all columns. */
  values(...names: string[]): QuerySet<ValuesRow> {
    const chosen = names.length ? names : this.meta.fields.map((f) => f.attribute);
    const columns = chosen.map((name) => fieldOf(this.meta, name, 'values()'));
    return this.derive<ValuesRow>({ ...this.node, columns }, chosen);
  }

  /** The first row in order (by primary key unless ordered otherwise), or null. */
  async first(): Promise<R | null> {
    const rows = await this.fetch({ ...this.node, order: this.order(), limit: 1 }, false);
    return rows[0] ?? null;
  }

  /**
   * Exactly one row matching `lookup` (and this query's filters); DoesNotExistError when none,
   * MultipleObjectsReturnedError when more.
   */
  async get(lookup: Filter = {}): Promise<R> {
    const qs = Object.keys(lookup).length ? this.filter(lookup) : this;
    const rows = await qs.fetch({ ...qs.node, order: [], limit: 21 }, false);
    if (rows.length === 1) return rows[0];
    const shown = describeFilter(lookup, this.node.where.length > 0);
    if (rows.length === 0) {
      throw new DoesNotExistError(this.meta.label, shown, {
        hint: `Check the lookup; to create the row when it is missing use ${this.meta.name}.objects.getOrCreate(lookup, defaults).`,
      });
    }
    throw new MultipleObjectsReturnedError(this.meta.label, shown, rows.length);
  }

  async count(): Promise<number> {
    if (this.prefetch) {
      const counted = await countForCohort(this.ctx, this.prefetch);
      if (counted !== undefined) return counted;
    }
    const { sql, params } = compileCount(this.node);
    const { rows } = await this.ctx.session.read<{ n: unknown }>(sql, params);
    return Number(rows[0].n);
  }

  async exists(): Promise<boolean> {
    if (this.prefetch) {
      const counted = await countForCohort(this.ctx, this.prefetch);
      if (counted !== undefined) return counted > 0;
    }
    const { sql, params } = compileExists(this.node);
    const { rows } = await this.ctx.session.read<{ e: boolean }>(sql, params);
    return rows[0].e === true;
  }

  /** @internal at most `n` rows, in order. */
  async take(n: number): Promise<R[]> {
    return this.fetch({ ...this.node, order: this.order(), limit: n }, false);
  }

  /** Every matching row in one array. Loads them all: for big tables iterate or use batches(). */
  async toArray(): Promise<R[]> {
    return this.fetch({ ...this.node, order: this.order() }, false);
  }

  /**
   * Sets fields on every matching row in ONE UPDATE statement; returns the number of rows changed.
   * A foreign key takes a row, a key or null: `update({ template: fallback })`.
   */
  async update(values: Values): Promise<number> {
    if (this.node.limit !== undefined) throw new UnsupportedQueryError('update() cannot run on a limited query.');
    const sets = Object.entries(values).map(([name, value]) => {
      const field = fieldOf(this.meta, name, 'update()');
      return [field, toColumnParam(field, value, `update(): ${this.meta.label}.${name}`)] as const;
    });
    if (sets.length === 0) return 0;
    checkDuplicates(sets.map(([field]) => field), this.meta, 'update()');
    const { sql, params } = compileUpdate(this.meta, this.node.where, sets);
    const result = await this.ctx.session.write(sql, params, this.meta, `updating ${this.meta.label} rows`, [this.meta.table]);
    return result.rowCount;
  }

  /**
   * Deletes every matching row in ONE DELETE statement (the database cascades along foreign keys as
   * they declare); returns the number of rows of this model deleted.
   */
  async delete(): Promise<number> {
    if (this.node.limit !== undefined) throw new UnsupportedQueryError('delete() cannot run on a limited query.');
    const { sql, params } = compileDelete(this.meta, this.node.where);
    const result = await this.ctx.session.write(sql, params, this.meta, `deleting ${this.meta.label} rows`, 'any');
    return result.rowCount;
  }

  /**
   * The rows in arrays of at most `size`, one query per batch (keyset pagination on the primary key;
   * a cursor for other orders), never the whole table in memory.
   *
   * @example
   * for await (const batch of Client.objects.batches({ size: 1000 })) {
   *   for (const c of batch) c.bought = 0;
   *   await Client.objects.bulkUpdate(batch, ['bought']);
   * }
   */
  batches(options: BatchOptions = {}): AsyncIterable<R[]> {
    const size = options.size ?? DEFAULT_BATCH;
    if (!Number.isInteger(size) || size < 1) throw new InvalidValueError(`batches({ size }) expects a positive integer, got ${String(size)}.`);
    return { [Symbol.asyncIterator]: () => this.stream(size) };
  }

  /** `for await (const row of qs)`: streams in batches of 1000 (see batches()). */
  async *[Symbol.asyncIterator](): AsyncIterator<R> {
    for await (const batch of this.stream(DEFAULT_BATCH)) yield* batch;
  }

  private stream(size: number): AsyncGenerator<R[]> {
    return streamBatches(this.ctx.session, this.node, this.order(), size, (raw) => this.build(raw, true), this.meta.label);
  }

  /** The order rows come in: as asked, else the model's `ordering` option, else the primary key. */
  protected order(): readonly OrderTerm[] {
    if (this.node.order.length) return this.node.order;
    if (this.meta.ordering) {
      return this.meta.ordering.map((name) => {
        const descending = name.startsWith('-');
        return { field: fieldOf(this.meta, descending ? name.slice(1) : name, `${this.meta.label} ordering`), descending };
      });
    }
    return [{ field: this.meta.pk, descending: false }];
  }

  private async fetch(node: SelectNode, streaming: boolean): Promise<R[]> {
    const { sql, params } = compileSelect(node);
    const { rows } = await this.ctx.session.read(sql, params);
    return this.build(rows, streaming);
  }

  private build(raw: Record<string, unknown>[], streaming: boolean): R[] {
    if (this.valueNames) {
      const columns = this.node.columns as readonly FieldMeta[];
      const names = this.valueNames;
      return raw.map((row) => {
        const out: ValuesRow = {};
        columns.forEach((field, i) => {
          const value = row[field.attribute];
          out[names[i]] = value === null ? null : field.codec.read(value);
        });
        return out as R;
      });
    }
    const rows: HistoricalRow[] = [];
    const cohort = new Cohort(rows, streaming);
    for (const row of raw) rows.push(this.ctx.makeRow(row, cohort));
    return rows as R[];
  }
}

/** A query set that starts from a relation of one row (see related.ts); count()/exists() may use the batch. */
export function relationQuerySet<R>(ctx: ModelContext, node: SelectNode, prefetch: CountPrefetch | null): QuerySet<R> {
  return new QuerySet<R>(ctx, node, null, prefetch);
}

/**
 * `c.computers.count()` for a row of a fetched batch: counts for every row of the batch in one grouped
 * query, remembered until the related table is written again. Undefined: no batch to share.
 */
async function countForCohort(ctx: ModelContext, spec: CountPrefetch): Promise<number | undefined> {
  const cohort = HistoricalRow.cohortOf(spec.row);
  if (!cohort || cohort.rows.length < 2) return undefined;
  const { session } = ctx;
  // Saves waiting to be written bump the stamp of their table, so a cache hit never misses one.
  let counts = cohort.cached(spec.id, session.stamp(spec.table));
  if (!counts) {
    const keys: unknown[] = [];
    for (const member of cohort.rows) {
      const value = member[spec.keyAttribute];
      if (value !== null && value !== undefined) keys.push(spec.codec.write(value, spec.keyAttribute));
    }
    const table = quoteName(spec.table);
    const column = `${table}.${quoteName(spec.column)}`;
    const { rows } = await session.read<{ k: unknown; n: unknown }>(
      `SELECT ${column} AS k, count(*) AS n FROM ${table} WHERE ${column} = ANY($1::${spec.castType}[]) GROUP BY 1`,
      [keys],
    );
    counts = new Map(rows.map((r) => [keyString(spec.codec.read(r.k)), Number(r.n)]));
    // Stamped after the read, which wrote any pending saves first: the counts are as of this stamp.
    cohort.remember(spec.id, session.stamp(spec.table), counts);
  }
  const own = spec.row[spec.keyAttribute];
  return own === null || own === undefined ? 0 : counts.get(keyString(own)) ?? 0;
}

export function checkDuplicates(fields: readonly FieldMeta[], meta: ModelMeta, use: string): void {
  const seen = new Set<FieldMeta>();
  for (const field of fields) {
    if (seen.has(field)) throw new InvalidValueError(`${use}: ${meta.label}.${field.name} is given twice (as ${field.name} and ${field.attribute}).`);
    seen.add(field);
  }
}

/** A lookup for messages: `{ name: 'Accept/Reject' }`, rows shown as `shop.Client(id=3)`. */
export function describeFilter(lookup: Filter, narrowed = false): string {
  const parts = Object.entries(lookup).map(([key, value]) => `${key}: ${describeValue(value)}`);
  const text = parts.length ? `{ ${parts.join(', ')} }` : '{}';
  return narrowed ? `${text} (within a filtered query)` : text;
}

function describeValue(value: unknown): string {
  if (isRow(value)) {
    const { meta } = HistoricalRow.contextOf(value);
    return `${meta.label}(${meta.pk.attribute}=${String(value.pk)})`;
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}
