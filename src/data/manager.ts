import { IntegrityError } from '../errors/index.js';
import { compileBulkInsert, compileBulkUpdate, compileInsert, integerKeyRange, type Conflict } from './compile.js';
import { InvalidValueError, UnsupportedQueryError } from './errors.js';
import type { FieldMeta, ModelMeta } from './model-meta.js';
import { fieldOf } from './model-meta.js';
import { QuerySet, checkDuplicates, type Filter, type Values } from './query-set.js';
import { HistoricalRow, isRow, toColumnParam } from './row-base.js';
import { defaultValue } from './values.js';

export interface BulkCreateOptions {
  /**
   * What a row that breaks a unique constraint does: 'error' (default) fails the statement;
   * 'ignore' skips the row (counted in `skipped`); 'update' updates the existing row
   * (`ON CONFLICT (uniqueFields) DO UPDATE`, counted in `updated`).
   */
  readonly onConflict?: 'error' | 'ignore' | 'update';
  /** Rows per INSERT statement. Default 1000. */
  readonly batchSize?: number;
  /** 'update': the fields the conflict is on. Default: the one unique set whose fields all rows give. */
  readonly uniqueFields?: readonly string[];
  /** 'update': the fields to overwrite. Default: every field given except uniqueFields and the primary key. */
  readonly updateFields?: readonly string[];
}

export interface BulkCreateResult {
  readonly inserted: number;
  readonly skipped: number;
  /** Rows that existed and were updated ('update' only; 0 otherwise). */
  readonly updated: number;
}

export interface GetOrCreateResult<R> {
  readonly row: R;
  readonly created: boolean;
}

const DEFAULT_BATCH = 1000;

/** Rows of bulkCreate that give the same keys, collected column by column until written. */
interface Shape {
  /** The keys given (as written) and their fields. */
  readonly given: readonly (readonly [string, FieldMeta])[];
  /** Fields not given that have a `default`. */
  readonly defaults: readonly FieldMeta[];
  readonly fields: readonly FieldMeta[];
  columns: unknown[][];
  /** The primary key's column, or -1. */
  readonly pkColumn: number;
  readonly conflict: Conflict;
}

/**
 * `Model.objects`: every row of the model as a query set, plus the ways to add rows.
 *
 * @example
 * const c = await Client.objects.create({ name: 'Ada' });
 * const { inserted, skipped } = await Event.objects.bulkCreate(rows, { onConflict: 'ignore' });
 * const { row, created } = await Template.objects.getOrCreate({ name: 'Accept/Reject' }, { body: '' });
 */
export class Manager extends QuerySet<HistoricalRow> {
  /**
   * Inserts one row (under a savepoint: a caught IntegrityError leaves the migration usable) and
   * returns it as stored, with its key and database defaults. Missing fields take their `default`.
   */
  async create(values: Values): Promise<HistoricalRow> {
    const { fields, params, explicitKey } = insertValues(this.meta, values, 'create()');
    const { sql, params: bound } = compileInsert(this.meta, fields, params);
    const result = await this.ctx.session.write(sql, bound, this.meta, `inserting into ${this.meta.label}`, [this.meta.table]);
    if (explicitKey) this.ctx.session.wroteExplicitKeys(this.meta);
    return this.ctx.makeRow(result.rows[0], null);
  }

  /**
   * Inserts many rows, `batchSize` per statement (each column as one array parameter), and counts what
   * happened to them. With `onConflict: 'ignore'` duplicates are skipped and counted, never raised.
   * Each statement runs under its own savepoint: when one fails (an IntegrityError in 'error' mode, a
   * value of the wrong kind), its rows are not kept and the batches written before it are.
   */
  async bulkCreate(rows: Iterable<Values>, options: BulkCreateOptions = {}): Promise<BulkCreateResult> {
    const mode = options.onConflict ?? 'error';
    if (mode !== 'error' && mode !== 'ignore' && mode !== 'update') {
      throw new InvalidValueError(`bulkCreate(): onConflict must be 'error', 'ignore' or 'update', got ${JSON.stringify(mode)}.`);
    }
    const batchSize = options.batchSize ?? DEFAULT_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidValueError(`bulkCreate(): batchSize must be a positive integer.`);
    const counts = { inserted: 0, skipped: 0, updated: 0 };
    // Rows giving the same fields (a "shape") share statements; most calls have one shape. Each
    // shape's values are collected column by column and written every `batchSize` rows, so `rows` may
    // be a generator over any number of rows.
    const shapes = new Map<string, Shape>();
    let explicitKey = false;
    for (const values of rows) {
      if (values === null || typeof values !== 'object' || Array.isArray(values)) {
        throw new InvalidValueError('bulkCreate() takes objects of field: value pairs.');
      }
      const source: Values = isRow(values) ? { ...values } : values;
      let shapeKey = '';
      for (const key in source) if (source[key] !== undefined) shapeKey += `${key}\u0000`;
      let shape = shapes.get(shapeKey);
      if (!shape) shapes.set(shapeKey, (shape = this.shape(source, mode, options)));
      const { given, defaults, columns } = shape;
      for (let i = 0; i < given.length; i++) {
        const [key, field] = given[i];
        columns[i].push(toColumnParam(field, source[key], `bulkCreate(): ${this.meta.label}.${key}`));
      }
      for (let i = 0; i < defaults.length; i++) {
        const field = defaults[i];
        columns[given.length + i].push(toColumnParam(field, defaultValue(field.field.default!), `bulkCreate(): default of ${this.meta.label}.${field.name}`));
      }
      if (shape.pkColumn !== -1 && columns[shape.pkColumn][columns[shape.pkColumn].length - 1] !== null) explicitKey = true;
      if (columns[0].length >= batchSize) await this.insertShape(shape, counts);
    }
    for (const shape of shapes.values()) if (shape.columns[0].length > 0) await this.insertShape(shape, counts);
    if (explicitKey) this.ctx.session.wroteExplicitKeys(this.meta);
    return counts;
  }

  /** The columns rows of one set of given keys write: the keys' fields, then every other field's default. */
  private shape(source: Values, mode: 'error' | 'ignore' | 'update', options: BulkCreateOptions): Shape {
    const given: (readonly [string, FieldMeta])[] = [];
    const seen = new Set<FieldMeta>();
    for (const key in source) {
      if (source[key] === undefined) continue;
      const field = fieldOf(this.meta, key, 'bulkCreate()');
      if (seen.has(field)) throw new InvalidValueError(`bulkCreate(): ${this.meta.label}.${field.name} is given twice (as ${field.name} and ${field.attribute}).`);
      seen.add(field);
      given.push([key, field]);
    }
    const defaults = this.meta.fields.filter((field) => !seen.has(field) && field.field.default !== undefined);
    const fields = [...given.map(([, field]) => field), ...defaults];
    if (fields.length === 0) throw new UnsupportedQueryError(`bulkCreate(): rows of ${this.meta.label} must give at least one field.`);
    return { given, defaults, fields, columns: fields.map(() => []), pkColumn: fields.indexOf(this.meta.pk), conflict: this.conflict(mode, fields, options) };
  }

  /** Writes the rows collected for a shape in one statement and counts what happened to them. */
  private async insertShape(shape: Shape, counts: { inserted: number; skipped: number; updated: number }): Promise<void> {
    const { fields, columns, conflict } = shape;
    const n = columns[0].length;
    shape.columns = fields.map(() => []);
    const { sql, params } = compileBulkInsert(this.meta, fields, columns, conflict);
    const result = await this.ctx.session.write<{ inserted?: boolean }>(
      sql, params, this.meta, `inserting ${n} row(s) into ${this.meta.label}`, [this.meta.table],
    );
    if (conflict.kind === 'update' && conflict.update.length) {
      const fresh = result.rows.filter((r) => r.inserted === true).length;
      counts.inserted += fresh;
      counts.updated += result.rows.length - fresh;
      counts.skipped += n - result.rows.length;
    } else {
      counts.inserted += result.rowCount;
      counts.skipped += n - result.rowCount;
    }
  }

  private conflict(mode: 'error' | 'ignore' | 'update', fields: readonly FieldMeta[], options: BulkCreateOptions): Conflict {
    if (mode !== 'update') return { kind: mode };
    const given = new Set(fields);
    let target: readonly FieldMeta[];
    if (options.uniqueFields) {
      target = options.uniqueFields.map((name) => fieldOf(this.meta, name, 'bulkCreate() uniqueFields'));
      const known = this.meta.uniqueSets.some((set) => set.length === target.length && set.every((f) => target.includes(f)));
      if (!known) {
        throw new InvalidValueError(
          `bulkCreate(): ${this.meta.label} has no unique constraint on exactly (${target.map((f) => f.name).join(', ')}); ` +
            `its unique sets are ${this.uniqueSetNames()}.`,
        );
      }
    } else {
      const candidates = this.meta.uniqueSets.filter((set) => set.every((f) => given.has(f)));
      if (candidates.length !== 1) {
        throw new InvalidValueError(
          `bulkCreate(..., { onConflict: 'update' }) on ${this.meta.label} needs uniqueFields: ` +
            `${candidates.length ? 'the rows give more than one' : 'the rows give no'} unique set of fields (unique sets: ${this.uniqueSetNames()}).`,
        );
      }
      target = candidates[0];
    }
    const update = options.updateFields
      ? options.updateFields.map((name) => fieldOf(this.meta, name, 'bulkCreate() updateFields'))
      : fields.filter((f) => !target.includes(f) && !f.primaryKey);
    for (const field of update) {
      if (!given.has(field)) throw new InvalidValueError(`bulkCreate(): updateFields names ${field.name}, which the rows do not give.`);
    }
    return { kind: 'update', target, update };
  }

  private uniqueSetNames(): string {
    return this.meta.uniqueSets.map((set) => `(${set.map((f) => f.name).join(', ')})`).join(', ');
  }

  /**
   * Writes `fields` of many rows, each its own values, in one UPDATE per `batchSize` rows (Django's
   * bulk_update); the fast way to change rows read with batches(). Returns the rows updated.
   */
  async bulkUpdate(rows: readonly HistoricalRow[], fields: readonly string[], options: { readonly batchSize?: number } = {}): Promise<{ updated: number }> {
    const batchSize = options.batchSize ?? DEFAULT_BATCH;
    if (fields.length === 0) throw new InvalidValueError('bulkUpdate(): name the fields to write.');
    const metas = fields.map((name) => fieldOf(this.meta, name, 'bulkUpdate()'));
    checkDuplicates(metas, this.meta, 'bulkUpdate()');
    if (metas.some((f) => f.primaryKey)) throw new UnsupportedQueryError('bulkUpdate(): the primary key cannot be updated.');
    const pk = this.meta.pk;
    let updated = 0;
    for (let start = 0; start < rows.length; start += batchSize) {
      const chunk = rows.slice(start, start + batchSize);
      const keys = chunk.map((row) => {
        if (!isRow(row) || HistoricalRow.contextOf(row).meta !== this.meta) {
          throw new InvalidValueError(`bulkUpdate() takes rows of ${this.meta.label} (read through this model).`);
        }
        return pk.codec.write(row.pk, `${this.meta.label}.${pk.name}`);
      });
      const columns = metas.map((field) => chunk.map((row) => toColumnParam(field, valueOf(row, field), `${this.meta.label}.${field.name}`)));
      const { sql, params } = compileBulkUpdate(this.meta, metas, keys, columns, integerKeyRange(pk, keys));
      const result = await this.ctx.session.write(sql, params, this.meta, `updating ${chunk.length} ${this.meta.label} row(s)`, [this.meta.table]);
      updated += result.rowCount;
      for (const row of chunk) {
        for (const field of metas) HistoricalRow.markWritten(row, field);
      }
    }
    return { updated };
  }

  /**
   * The row matching `lookup`, or a new one made of the lookup's equalities and `defaults`. A race
   * (another writer creating it first) is handled as Django does: the unique violation is caught under
   * the savepoint and the row read again.
   */
  async getOrCreate(lookup: Filter, defaults: Values = {}): Promise<GetOrCreateResult<HistoricalRow>> {
    const existing = await this.filter(lookup).take(2);
    if (existing.length === 1) return { row: existing[0], created: false };
    if (existing.length > 1) await this.get(lookup); // throws MultipleObjectsReturnedError
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(lookup)) if (!key.includes('__')) values[key] = value;
    Object.assign(values, defaults);
    try {
      return { row: await this.create(values), created: true };
    } catch (error) {
      if (error instanceof IntegrityError && error.violation === 'unique') {
        const again = await this.filter(lookup).take(2);
        if (again.length === 1) return { row: again[0], created: false };
      }
      throw error;
    }
  }
}

function valueOf(row: HistoricalRow, field: FieldMeta): unknown {
  const value = row[field.attribute];
  return value === undefined ? null : value;
}

/**
 * The columns and parameters of one new row: the values given (each field once), then the `default`
 * of each field not given. Fields without either are left to the database (its DEFAULT, NULL, an
 * identity value, or a not-null error).
 */
export function insertValues(meta: ModelMeta, values: Values, use: string): { fields: FieldMeta[]; params: unknown[]; explicitKey: boolean } {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new InvalidValueError(`${use} takes an object of field: value pairs.`);
  }
  const fields: FieldMeta[] = [];
  const params: unknown[] = [];
  const given = new Set<FieldMeta>();
  const source = isRow(values) ? { ...values } : values;
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const field = fieldOf(meta, name, use);
    if (given.has(field)) throw new InvalidValueError(`${use}: ${meta.label}.${field.name} is given twice (as ${field.name} and ${field.attribute}).`);
    given.add(field);
    fields.push(field);
    params.push(toColumnParam(field, value, `${use}: ${meta.label}.${name}`));
  }
  for (const field of meta.fields) {
    if (given.has(field)) continue;
    const declared = field.field.default;
    if (declared === undefined) continue;
    fields.push(field);
    params.push(toColumnParam(field, defaultValue(declared), `${use}: default of ${meta.label}.${field.name}`));
  }
  const pkIndex = fields.indexOf(meta.pk);
  const explicitKey = pkIndex !== -1 && params[pkIndex] !== null;
  return { fields, params, explicitKey };
}

