import { quoteName } from '../backends/postgres/sql.js';
import { Params } from './compile.js';
import { InvalidValueError, UnsupportedQueryError } from './errors.js';
import type { FieldMeta, ManyToManyRelation, ReverseForeignKeyRelation } from './model-meta.js';
import { Manager } from './manager.js';
import type { Condition, SelectNode } from './query.js';
import { QuerySet, type Values } from './query-set.js';
import { HistoricalRow, isRow, rowKeyFor, type ModelContext } from './row-base.js';
import { defaultValue } from './values.js';

/**
 * Managers for the relations of one row: `client.computers` (the rows whose foreign key points at
 * it) and `client.addresses` (many-to-many, through the automatic join table or a `through` model).
 * Both are query sets of the related model, so `all()`, `filter()`, `count()` and `for await` work;
 * `count()`/`exists()` on a row of a fetched batch are answered for the whole batch in one query.
 */

function keyCondition(field: FieldMeta, value: unknown, what: string): Condition {
  if (value === null || value === undefined) return { kind: 'never' };
  return { kind: 'compare', field, op: '=', value: field.codec.write(value, what) };
}

/** `client.computers`: the rows of the model with the foreign key, filtered to this row. */
export class ReverseForeignKeyManager extends QuerySet<HistoricalRow> {
  constructor(
    ctx: ModelContext,
    private readonly relation: ReverseForeignKeyRelation,
    private readonly owner: HistoricalRow,
  ) {
    const value = owner[relation.targetAttribute];
    const node: SelectNode = {
      meta: relation.model,
      where: [keyCondition(relation.field, value, `${relation.declaredBy}`)],
      order: [],
      columns: 'row',
    };
    super(ctx, node, null, {
      id: relation.declaredBy,
      table: relation.model.table,
      column: relation.field.column,
      castType: relation.field.castType,
      codec: relation.field.codec,
      keyAttribute: relation.targetAttribute,
      row: owner,
    });
  }

  /** A new related row pointing at this one: `client.computers.create({ brand: 'Dell' })`. */
  create(values: Values): Promise<HistoricalRow> {
    return new Manager(this.ctx, { meta: this.relation.model, where: [], order: [], columns: 'row' }).create({
      ...values,
      [this.relation.field.name]: this.owner,
    });
  }

  /** Points existing rows (or keys) at this row: one UPDATE. Returns the rows changed. */
  async add(...rows: unknown[]): Promise<number> {
    const { model, field } = this.relation;
    const keys = rows.map((row) => (isRow(row) ? row.pk : row)).map((key) => model.pk.codec.write(key, `${model.label}.${model.pk.name}`));
    if (keys.length === 0) return 0;
    return new QuerySet(this.ctx, { meta: model, where: [{ kind: 'in', field: model.pk, values: keys }], order: [], columns: 'row' }).update({
      [field.name]: this.owner,
    });
  }
}

/** `client.addresses`: the rows linked to this row through a join table. */
export class ManyToManyManager extends QuerySet<HistoricalRow> {
  private readonly sourceValue: unknown;

  constructor(
    ctx: ModelContext,
    private readonly relation: ManyToManyRelation,
    private readonly owner: HistoricalRow,
  ) {
    const { sourceKey, targetKey } = relation;
    const raw = owner[sourceKey.attribute];
    const sourceValue = raw === null || raw === undefined ? null : sourceKey.codec.write(raw, `${relation.source.label}.${sourceKey.name}`);
    const where: Condition[] = sourceValue === null
      ? [{ kind: 'never' }]
      : [{
          kind: 'joined', field: targetKey, table: relation.table, select: relation.targetColumn,
          where: relation.sourceColumn, whereCast: sourceKey.castType, value: sourceValue,
        }];
    super(ctx, { meta: relation.target, where, order: [], columns: 'row' }, null, sourceValue === null ? null : {
      id: `${relation.declaredBy}:${relation.sourceColumn}`,
      table: relation.table,
      column: relation.sourceColumn,
      castType: sourceKey.castType,
      codec: sourceKey.codec,
      keyAttribute: sourceKey.attribute,
      row: owner,
    });
    this.sourceValue = sourceValue;
  }

  private targets(items: readonly unknown[], use: string): unknown[] {
    const { target, targetKey } = this.relation;
    const seen = new Set<string>();
    const out: unknown[] = [];
    for (const item of items) {
      if (item === null || item === undefined) throw new InvalidValueError(`${this.use(use)}: got ${String(item)}; pass ${target.label} rows or keys.`);
      const value = isRow(item)
        ? rowKeyFor({ ...targetKey, relation: { app: target.app, model: target.name, field: targetKey.name } }, item, this.use(use))
        : targetKey.codec.write(item, this.use(use));
      const key = String(value);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(value);
      }
    }
    return out;
  }

  private use(method: string): string {
    return `${this.relation.source.label}(${String(this.owner.pk)}).${this.relation.name}.${method}()`;
  }

  private source(method: string): unknown {
    if (this.sourceValue === null) throw new UnsupportedQueryError(`${this.use(method)}: the row has no ${this.relation.sourceKey.name}.`);
    return this.sourceValue;
  }

  /**
   * Links rows (or keys) of the other model to this row; links that exist already are left alone.
   * One INSERT ... SELECT, whatever the number of rows. Returns the links added.
   */
  async add(...items: unknown[]): Promise<number> {
    const source = this.source('add');
    const targets = this.targets(items, 'add');
    if (targets.length === 0) return 0;
    const { relation } = this;
    const table = quoteName(relation.table);
    const columns: string[] = [relation.sourceColumn, relation.targetColumn];
    const casts: string[] = [relation.sourceKey.castType, relation.targetKey.castType];
    const arrays: unknown[][] = [targets.map(() => source), targets];
    // A through model's other fields take their defaults (as Django's through_defaults would).
    for (const field of relation.through?.fields ?? []) {
      if (field.primaryKey || field.column === relation.sourceColumn || field.column === relation.targetColumn) continue;
      if (field.field.default === undefined) continue;
      columns.push(field.column);
      casts.push(field.castType);
      arrays.push(targets.map(() => {
        const value = defaultValue(field.field.default!);
        return value === null ? null : field.codec.write(value, `${relation.through!.label}.${field.name}`);
      }));
    }
    const params = new Params();
    const names = columns.map((_, i) => `c${i}`);
    const sql =
      `INSERT INTO ${table} (${columns.map(quoteName).join(', ')}) ` +
      `SELECT ${names.join(', ')} FROM unnest(${arrays.map((a, i) => `${params.add(a)}::${casts[i]}[]`).join(', ')}) AS v(${names.join(', ')}) ` +
      `WHERE NOT EXISTS (SELECT 1 FROM ${table} AS j WHERE j.${quoteName(relation.sourceColumn)} = v.c0 AND j.${quoteName(relation.targetColumn)} = v.c1)`;
    const result = await this.ctx.session.write(sql, params.values, relation.source, `adding to ${relation.source.label}.${relation.name}`, [relation.table]);
    return result.rowCount;
  }

  /** Unlinks rows (or keys) of the other model from this row (the rows themselves stay). Returns links removed. */
  async remove(...items: unknown[]): Promise<number> {
    const source = this.source('remove');
    const targets = this.targets(items, 'remove');
    if (targets.length === 0) return 0;
    const { relation } = this;
    const table = quoteName(relation.table);
    const result = await this.ctx.session.write(
      `DELETE FROM ${table} WHERE ${quoteName(relation.sourceColumn)} = $1::${relation.sourceKey.castType} AND ${quoteName(relation.targetColumn)} = ANY($2::${relation.targetKey.castType}[])`,
      [source, targets],
      relation.source,
      `removing from ${relation.source.label}.${relation.name}`,
      [relation.table],
    );
    return result.rowCount;
  }

  /** Unlinks every row of the other model from this row. Returns links removed. */
  async clear(): Promise<number> {
    const source = this.source('clear');
    const { relation } = this;
    const result = await this.ctx.session.write(
      `DELETE FROM ${quoteName(relation.table)} WHERE ${quoteName(relation.sourceColumn)} = $1::${relation.sourceKey.castType}`,
      [source],
      relation.source,
      `clearing ${relation.source.label}.${relation.name}`,
      [relation.table],
    );
    return result.rowCount;
  }
}
