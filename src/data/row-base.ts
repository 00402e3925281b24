import type { FieldMeta, ModelMeta } from './model-meta.js';
import type { DataSession } from './session.js';
import { UnknownNameError, UnsupportedQueryError } from './errors.js';
import { compileDelete, compileSelect, compileUpdate } from './compile.js';

/**
 * The base of every historical row. A row's own enumerable properties are exactly its columns, by
 * attribute (`id`, `name`, `boughtById`), so `console.log`, spreading and JSON show the data and
 * nothing else; what the data API needs to remember about the row lives in private fields.
 */

/** What rows and query sets of one model share within one runCode invocation. */
export interface ModelContext {
  readonly session: DataSession;
  readonly meta: ModelMeta;
  /** A row from a result row whose keys are attributes (raw driver values). */
  makeRow(raw: Record<string, unknown>, cohort: Cohort | null): HistoricalRow;
  /** The context of another model of the same state (relations). */
  contextOf(meta: ModelMeta): ModelContext;
}

/**
 * The rows fetched by one statement. A reverse relation's `count()` on one of them counts for all of
 * them in one grouped query and answers the others from that, as long as the related table has not
 * been written since (see DataSession.stamp): `c.computers.count()` in a loop costs one query per batch.
 */
export class Cohort {
  private readonly caches = new Map<string, { stamp: string; counts: Map<string, number> }>();

  constructor(
    readonly rows: readonly HistoricalRow[],
    /** true: rows of a streamed iteration, whose saves may be written in bulk. */
    readonly streaming: boolean,
  ) {}

  cached(relation: string, stamp: string): Map<string, number> | undefined {
    const entry = this.caches.get(relation);
    return entry && entry.stamp === stamp ? entry.counts : undefined;
  }

  remember(relation: string, stamp: string, counts: Map<string, number>): void {
    this.caches.set(relation, { stamp, counts });
  }
}

/** The key a row is known by in maps: its primary key as a string. */
export const keyString = (value: unknown): string => (value instanceof Date ? value.toISOString() : String(value));

export class HistoricalRow {
  // Columns are own properties named at run time: a data migration sees a schema no type describes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [attribute: string]: any;

  // Private fields live inside the object: a row costs one allocation beyond the driver's result row,
  // which doubles as the baseline for save()'s change detection.
  readonly #ctx: ModelContext;
  /** The row as the driver returned it (attributes → raw values). */
  readonly #raw: Record<string, unknown>;
  readonly #cohort: Cohort | null;
  /** Snapshots of values written since the row was read (save, bulkUpdate). */
  #written: Map<FieldMeta, unknown> | null = null;
  #loaded: Map<string, HistoricalRow | null> | null = null;

  constructor(ctx: ModelContext, raw: Record<string, unknown>, cohort: Cohort | null) {
    this.#ctx = ctx;
    this.#raw = raw;
    this.#cohort = cohort;
  }

  /**
   * @internal Snapshots the values the code could change in place (a json object, a Buffer, a Date are
   * shared with the driver's row): call after the row's attributes are set.
   */
  static snapshotMutable(row: HistoricalRow, fields: readonly FieldMeta[]): void {
    for (const field of fields) HistoricalRow.markWritten(row, field);
  }

  /** @internal */
  static contextOf(row: HistoricalRow): ModelContext {
    return row.#ctx;
  }

  /** @internal */
  static cohortOf(row: HistoricalRow): Cohort | null {
    return row.#cohort;
  }

  /** @internal the snapshot of a field's value as last read or written. */
  static baseline(row: HistoricalRow, field: FieldMeta): unknown {
    const written = row.#written;
    if (written !== null && written.has(field)) return written.get(field);
    const raw = row.#raw[field.attribute];
    return raw === null || raw === undefined ? null : field.codec.snapshot(field.codec.read(raw));
  }

  /** @internal the row's current value of `field` is now in the database. */
  static markWritten(row: HistoricalRow, field: FieldMeta): void {
    const value = row[field.attribute];
    (row.#written ??= new Map()).set(field, value === null || value === undefined ? null : field.codec.snapshot(value));
  }

  /** The primary key's value, whatever the key field is called. */
  get pk(): unknown {
    return this[this.#ctx.meta.pk.attribute];
  }

  /**
   * Writes the fields changed since the row was read (one UPDATE of this row). Inside
   * `for await (... of Model.objects...)`, changes that cannot break a constraint are written in bulk
   * with the other rows of the batch, before any other statement runs.
   */
  async save(): Promise<void> {
    const { session, meta } = this.#ctx;
    const changed: FieldMeta[] = [];
    const values: unknown[] = [];
    let deferrable = this.#cohort?.streaming === true;
    meta.fields.forEach((field) => {
      const value = this[field.attribute];
      const before = HistoricalRow.baseline(this, field);
      if ((value === null || value === undefined ? null : field.codec.snapshot(value)) === before) return;
      if (field.primaryKey) {
        throw new UnsupportedQueryError(
          `save(): the primary key of a ${meta.label} row cannot be changed (${field.name} ${String(before)} → ${String(value)}); ` +
            'create a new row with objects.create() and delete the old one.',
        );
      }
      const param = toColumnParam(field, value, `${meta.label}.${field.name}`);
      changed.push(field);
      values.push(param);
      if (deferrable && !safeToDefer(field, value, param)) deferrable = false;
    });
    if (changed.length === 0) return;
    const pkParam = meta.pk.codec.write(this.pk, `${meta.label}.${meta.pk.name}`);
    const key = keyString(this.pk);
    if (deferrable && !session.isPending(meta, key)) {
      await session.deferSave(meta, key, pkParam, changed, values);
    } else {
      const { sql, params } = compileUpdate(meta, [{ kind: 'compare', field: meta.pk, op: '=', value: pkParam }], changed.map((f, i) => [f, values[i]] as const));
      await session.write(sql, params, meta, `saving ${meta.label} ${meta.pk.name}=${key}`, [meta.table]);
    }
    for (const field of changed) HistoricalRow.markWritten(this, field);
  }

  /** Deletes this row (one DELETE; the database cascades as the foreign keys say). Returns rows deleted. */
  async delete(): Promise<number> {
    const { meta, session } = this.#ctx;
    const pkParam = meta.pk.codec.write(this.pk, `${meta.label}.${meta.pk.name}`);
    const { sql, params } = compileDelete(meta, [{ kind: 'compare', field: meta.pk, op: '=', value: pkParam }]);
    const result = await session.write(sql, params, meta, `deleting ${meta.label} ${meta.pk.name}=${keyString(this.pk)}`, 'any');
    return result.rowCount;
  }

  /**
   * The row a foreign key points at, read now (one SELECT) and remembered: afterwards `row.<field>`
   * gives it without a query. Null when the key is null.
   *
   * @example
   * const owner = await computer.related('boughtBy');   // a shop.Client row, or null
   */
  async related(name: string): Promise<HistoricalRow | null> {
    const { meta } = this.#ctx;
    const field = meta.byName.get(name);
    if (!field || !field.relation) {
      const keys = meta.fields.filter((f) => f.relation).map((f) => f.name);
      throw new UnknownNameError(
        `related('${name}'): ${meta.label} has no foreign key ${name}; its foreign keys are ${keys.length ? keys.join(', ') : 'none'}.` +
          (meta.registry.relationsOf(meta).has(name) ? ` ${name} is a relation manager: use row.${name}.all().` : ''),
      );
    }
    const value = this[field.attribute];
    let target: HistoricalRow | null = null;
    if (value !== null && value !== undefined) {
      const targetMeta = meta.registry.get(field.relation.app, field.relation.model);
      const targetField = targetMeta.byName.get(field.relation.field) ?? targetMeta.pk;
      const targetCtx = this.#ctx.contextOf(targetMeta);
      const param = targetField.codec.write(value, `${meta.label}.${field.attribute}`);
      const { sql, params } = compileSelect({
        meta: targetMeta, where: [{ kind: 'compare', field: targetField, op: '=', value: param }], order: [], columns: 'row', limit: 1,
      });
      const result = await this.#ctx.session.read(sql, params);
      target = result.rows.length ? targetCtx.makeRow(result.rows[0], null) : null;
    }
    (this.#loaded ??= new Map()).set(field.name, target);
    return target;
  }

  /** @internal the row `related()` loaded for a foreign key, or undefined when it was not loaded. */
  static loadedRelation(row: HistoricalRow, name: string): HistoricalRow | null | undefined {
    return row.#loaded?.get(name);
  }

  /** @internal */
  static setLoadedRelation(row: HistoricalRow, name: string, target: HistoricalRow | null): void {
    (row.#loaded ??= new Map()).set(name, target);
  }
}

export function isRow(value: unknown): value is HistoricalRow {
  return value instanceof HistoricalRow;
}

/**
 * A value for a field's column as a query parameter: null stays null, a foreign key takes a row of
 * its target model (its key) or the key itself.
 */
export function toColumnParam(field: FieldMeta, value: unknown, what: string): unknown {
  if (value === null) return null;
  if (value === undefined) throw new UnsupportedQueryError(`${what} is undefined; pass null for SQL NULL.`);
  if (field.relation && isRow(value)) return rowKeyFor(field, value, what);
  return field.codec.write(value, what);
}

/** The value a foreign key stores for a row of its target model; an error for a row of another model. */
export function rowKeyFor(field: FieldMeta, row: HistoricalRow, what: string): unknown {
  const relation = field.relation!;
  const rowMeta = HistoricalRow.contextOf(row).meta;
  if (rowMeta.app !== relation.app || rowMeta.name.toLowerCase() !== relation.model.toLowerCase()) {
    throw new UnsupportedQueryError(`${what} points at ${relation.app}.${relation.model}, but was given a ${rowMeta.label} row.`);
  }
  const target = rowMeta.byName.get(relation.field) ?? rowMeta.pk;
  const value = row[target.attribute];
  if (value === null || value === undefined) throw new UnsupportedQueryError(`${what}: the ${rowMeta.label} row given has no ${target.name}.`);
  return field.codec.write(value, what);
}

/**
 * Whether a changed value can be written later in bulk without changing what the code observes: it
 * cannot break a constraint the state knows of (not a key, not unique, not checked, fits the column).
 * Anything else is written at once, so its error surfaces at the `save()` that caused it.
 */
function safeToDefer(field: FieldMeta, value: unknown, param: unknown): boolean {
  if (field.primaryKey || field.unique || field.relation || field.checked) return false;
  if (param === null) return field.nullable;
  switch (field.codec.kind) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'float':
    case 'boolean':
    case 'uuid':
    case 'json':
    case 'binary':
      return true;
    case 'text':
      return typeof value === 'string' && (field.maxLength === undefined || value.length <= field.maxLength);
    case 'date':
    case 'dateTime':
      return value instanceof Date;
    default:
      return false;
  }
}
