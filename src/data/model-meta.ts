import type { ForeignKeyField, ManyToManyField, ScalarField } from '../model/fields.js';
import { isAutoField, isForeignKey } from '../model/fields.js';
import { referencedField } from '../state/referenced-field.js';
import { postgresPlan } from '../backends/postgres/dialect.js';
import { joinModel, tablePlan } from '../schema/table-plan.js';
import { quoteName } from '../backends/postgres/sql.js';
import type { Naming } from '../state/names.js';
import type { ModelState, ProjectState } from '../state/project-state.js';
import { modelKey, resolveReference } from '../state/project-state.js';
import { UnknownNameError, listNames } from './errors.js';
import type { Codec, ValueKind } from './values.js';
import { codecFor, valueKind } from './values.js';

/**
 * What the data API needs to know about one historical model, computed once per (state, model) from
 * the ProjectState the executor passes: table and columns (through Naming, the one place names are
 * mapped), how each value is converted, and the relations in both directions. Plain data; the query
 * compiler and the row classes read it.
 */
export interface FieldMeta {
  /** The field's name as declared (`boughtBy`). */
  readonly name: string;
  /** The row property holding the column's value: the name, or `<name>Id` for a foreign key. */
  readonly attribute: string;
  readonly column: string;
  /** `quoteName(column)`, precomputed. */
  readonly quoted: string;
  readonly field: ScalarField | ForeignKeyField;
  readonly codec: Codec;
  /** The type to cast parameters to (no length or precision: an explicit cast would truncate). */
  readonly castType: string;
  readonly nullable: boolean;
  readonly primaryKey: boolean;
  /** An identity (auto) column: left out of inserts unless a value is given. */
  readonly auto: boolean;
  /** In a unique constraint, or the primary key. */
  readonly unique: boolean;
  /** Named by a check constraint (or the `>= 0` check of a positiveInteger). */
  readonly checked: boolean;
  readonly maxLength?: number;
  /** A foreign key's target: the model and the field its column refers to. */
  readonly relation: { readonly app: string; readonly model: string; readonly field: string } | null;
}

/** The many-to-many link between two models, seen from `source`. */
export interface ManyToManyRelation {
  readonly kind: 'manyToMany';
  /** The manager's name on the source's rows (`addresses`, or the relatedName on the other side). */
  readonly name: string;
  readonly source: ModelMeta;
  readonly target: ModelMeta;
  /** The join table (automatic, or the `through` model's table). */
  readonly table: string;
  readonly sourceColumn: string;
  readonly targetColumn: string;
  /** The fields of source and target that the join columns store (their primary keys, unless a through model's keys say otherwise). */
  readonly sourceKey: FieldMeta;
  readonly targetKey: FieldMeta;
  readonly through: ModelMeta | null;
  /** The field (`app.Model.field`) that declares the relation, for messages. */
  readonly declaredBy: string;
}

/** The rows of another model whose foreign key points at a row of this one. */
export interface ReverseForeignKeyRelation {
  readonly kind: 'reverseForeignKey';
  readonly name: string;
  /** The model with the foreign key. */
  readonly model: ModelMeta;
  /** The foreign key field on `model`. */
  readonly field: FieldMeta;
  /** The attribute of this model that the foreign key stores (usually the primary key). */
  readonly targetAttribute: string;
  readonly declaredBy: string;
}

export type Relation = ManyToManyRelation | ReverseForeignKeyRelation;

export interface ModelMeta {
  readonly app: string;
  readonly name: string;
  /** `app.Model` */
  readonly label: string;
  readonly state: ModelState;
  readonly table: string;
  readonly quotedTable: string;
  readonly pk: FieldMeta;
  /** Fields with a column, in declaration order. */
  readonly fields: readonly FieldMeta[];
  /** By declared name and by attribute (`boughtBy` and `boughtById` both find the foreign key). */
  readonly byName: ReadonlyMap<string, FieldMeta>;
  /** The select list that reads a whole row, aliased to attributes. */
  readonly selectList: string;
  /**
   * Sets of fields a row is unique by, without a condition (usable as ON CONFLICT targets): the primary
   * key, unique fields, uniqueTogether and unique constraints.
   */
  readonly uniqueSets: readonly (readonly FieldMeta[])[];
  /** The model's `ordering` option as order terms, if it has one. */
  readonly ordering: readonly string[] | null;
  readonly registry: MetaRegistry;
}

const CAST_TYPES: Record<ValueKind, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float: 'double precision',
  decimal: 'numeric',
  text: 'text',
  uuid: 'uuid',
  boolean: 'boolean',
  date: 'date',
  time: 'time',
  dateTime: 'timestamptz',
  duration: 'interval',
  json: 'jsonb',
  binary: 'bytea',
};

const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

/**
 * The metas of one ProjectState. States are immutable, so a registry is cached per state (and naming)
 * and shared by every runCode that sees that state.
 */
export class MetaRegistry {
  private readonly metas = new Map<string, ModelMeta>();
  private readonly relations = new Map<string, ReadonlyMap<string, Relation>>();

  private constructor(
    readonly state: ProjectState,
    readonly naming: Naming,
  ) {}

  private static readonly cache = new WeakMap<ProjectState, Map<string, MetaRegistry>>();

  static of(state: ProjectState, naming: Naming): MetaRegistry {
    let byNaming = MetaRegistry.cache.get(state);
    if (!byNaming) MetaRegistry.cache.set(state, (byNaming = new Map()));
    let registry = byNaming.get(naming.columnNaming);
    if (!registry) byNaming.set(naming.columnNaming, (registry = new MetaRegistry(state, naming)));
    return registry;
  }

  /** The model's meta; UnknownNameError naming the app's models when it has no such model. */
  get(app: string, name: string): ModelMeta {
    const key = modelKey(app, name);
    const cached = this.metas.get(key);
    if (cached) return cached;
    const model = this.state.find(app, name);
    if (!model) {
      const known = this.state.modelsOf(app).map((m) => m.name).sort();
      throw new UnknownNameError(
        `Model ${app}.${name} does not exist at this point in the migration history` +
          (known.length ? `; app ${app} has: ${known.join(', ')}.` : `; app ${app} has no models at this point.`),
      );
    }
    const meta = buildMeta(model, this);
    this.metas.set(key, meta);
    return meta;
  }

  /** The relations reachable from a row of `meta` by manager name: reverse foreign keys and many-to-many. */
  relationsOf(meta: ModelMeta): ReadonlyMap<string, Relation> {
    const key = modelKey(meta.app, meta.name);
    let found = this.relations.get(key);
    if (!found) this.relations.set(key, (found = buildRelations(meta, this)));
    return found;
  }
}

function buildMeta(model: ModelState, registry: MetaRegistry): ModelMeta {
  const { state, naming } = registry;
  const plan = tablePlan(model, state, naming, postgresPlan);
  const uniqueColumns = new Set<string>();
  for (const unique of plan.uniques) for (const column of unique.columns) uniqueColumns.add(column);
  const checks = plan.checks.map((check) => check.expression.toLowerCase());
  const fields: FieldMeta[] = [];
  for (const columnPlan of plan.columns) {
    const field = columnPlan.field as ScalarField | ForeignKeyField;
    const fk = isForeignKey(field);
    let scalarKind = field.kind as ScalarField['kind'];
    let relation: FieldMeta['relation'] = null;
    if (fk) {
      const target = referencedField(model, field, state);
      relation = { app: target.model.app, model: target.model.name, field: target.name };
      scalarKind = resolveScalarKind(target.field as ScalarField | ForeignKeyField, target.model, state);
    }
    const kind = valueKind(scalarKind);
    const column = columnPlan.column;
    const columnPattern = new RegExp(`(^|[^a-z0-9_])"?${column.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?($|[^a-z0-9_])`);
    fields.push({
      name: columnPlan.fieldName,
      attribute: fk ? `${columnPlan.fieldName}Id` : columnPlan.fieldName,
      column,
      quoted: quoteName(column),
      field,
      codec: codecFor(kind),
      castType: CAST_TYPES[kind],
      nullable: columnPlan.nullable,
      primaryKey: columnPlan.primaryKey,
      auto: isAutoField(field),
      unique: columnPlan.primaryKey || columnPlan.unique !== null || uniqueColumns.has(column),
      checked: columnPlan.check !== null || checks.some((check) => columnPattern.test(check)),
      ...(!fk && (field as ScalarField).maxLength !== undefined ? { maxLength: (field as ScalarField).maxLength } : {}),
      relation,
    });
  }
  const pk = fields.find((field) => field.primaryKey);
  if (!pk) throw new UnknownNameError(`Model ${model.app}.${model.name} has no primary key field.`);
  const byName = new Map<string, FieldMeta>();
  for (const field of fields) {
    byName.set(field.name, field);
    byName.set(field.attribute, field);
  }
  const table = plan.table;
  const byColumn = new Map(fields.map((field) => [field.column, field]));
  const uniqueSets: FieldMeta[][] = [[pk]];
  for (const field of fields) if (field.unique && !field.primaryKey && plan.columns.find((c) => c.column === field.column)?.unique) uniqueSets.push([field]);
  for (const unique of plan.uniques) {
    if (unique.condition !== null) continue;
    const set = unique.columns.map((column) => byColumn.get(column));
    if (set.every((field): field is FieldMeta => field !== undefined)) uniqueSets.push(set);
  }
  return {
    app: model.app,
    name: model.name,
    label: `${model.app}.${model.name}`,
    state: model,
    table,
    quotedTable: quoteName(table),
    pk,
    fields,
    byName,
    selectList: fields.map((field) => `${field.codec.select(`${quoteName(table)}.${field.quoted}`)} AS ${quoteName(field.attribute)}`).join(', '),
    uniqueSets,
    ordering: model.options.ordering && model.options.ordering.length > 0 ? [...model.options.ordering] : null,
    registry,
  };
}

/** The scalar kind a foreign key's column holds: that of the field it points at (through chains of keys). */
function resolveScalarKind(field: ScalarField | ForeignKeyField, model: ModelState, state: ProjectState, depth = 0): ScalarField['kind'] {
  if (!isForeignKey(field)) return field.kind;
  if (depth > 16) throw new UnknownNameError(`The foreign keys from ${model.app}.${model.name} point at each other in a loop.`);
  const target = referencedField(model, field, state);
  return resolveScalarKind(target.field as ScalarField | ForeignKeyField, target.model, state, depth + 1);
}

function buildRelations(meta: ModelMeta, registry: MetaRegistry): ReadonlyMap<string, Relation> {
  const { state, naming } = registry;
  const relations = new Map<string, Relation>();
  const add = (relation: Relation) => {
    // A name already taken (by a field or an earlier relation) keeps its first meaning, as in Django.
    if (!meta.byName.has(relation.name) && !relations.has(relation.name)) relations.set(relation.name, relation);
  };
  // Many-to-many fields declared on this model.
  for (const [fieldName, field] of meta.state.fields) {
    if (field.kind !== 'manyToMany') continue;
    const target = state.resolve(field.to as string, meta.app);
    if (!target) continue;
    add(manyToMany(meta, fieldName, field, registry.get(target.app, target.name), registry, 'forward'));
  }
  // Relations declared on other models that point here.
  for (const [other, fieldName, field] of state.relationsTo(meta.app, meta.name)) {
    const relatedName = (field as ForeignKeyField | ManyToManyField).relatedName;
    if (relatedName === '+' || relatedName?.endsWith('+')) continue;
    const name = relatedName ?? `${lowerFirst(other.name)}Set`;
    if (field.kind === 'manyToMany') {
      const target = state.resolve(field.to as string, other.app);
      // relationsTo also lists a many-to-many whose `through` is this model: that link is a plain foreign key.
      if (!target || modelKey(target.app, target.name) !== modelKey(meta.app, meta.name)) continue;
      const owner = registry.get(other.app, other.name);
      add({ ...manyToMany(owner, fieldName, field, meta, registry, 'reverse'), name });
      continue;
    }
    const otherMeta = registry.get(other.app, other.name);
    const fk = otherMeta.byName.get(fieldName);
    if (!fk || !fk.relation) continue;
    const targetField = meta.byName.get(fk.relation.field);
    add({
      kind: 'reverseForeignKey',
      name,
      model: otherMeta,
      field: fk,
      targetAttribute: targetField ? targetField.attribute : meta.pk.attribute,
      declaredBy: `${other.app}.${other.name}.${fieldName}`,
    });
  }
  return relations;
}

/** A many-to-many relation from `owner.fieldName`, as seen from the owner ('forward') or the target ('reverse'). */
function manyToMany(
  owner: ModelMeta,
  fieldName: string,
  field: ManyToManyField,
  target: ModelMeta,
  registry: MetaRegistry,
  side: 'forward' | 'reverse',
): ManyToManyRelation {
  const declaredBy = `${owner.label}.${fieldName}`;
  let table: string;
  let ownerColumn: string;
  let targetColumn: string;
  let through: ModelMeta | null = null;
  let ownerKeyField = owner.pk;
  let targetKeyField = target.pk;
  if (field.through === undefined) {
    const join = joinModel(owner.state, fieldName, field, registry.state, registry.naming);
    table = join.model.options.dbTable as string;
    ownerColumn = join.fromColumn;
    targetColumn = join.toColumn;
  } else {
    const ref = resolveReference(field.through as string, owner.app);
    through = registry.get(ref.app, ref.name);
    const keys = through.fields.filter((f) => f.relation);
    const pointsAt = (f: FieldMeta, m: ModelMeta) => f.relation !== null && modelKey(f.relation.app, f.relation.model) === modelKey(m.app, m.name);
    const ownerKey = keys.find((f) => pointsAt(f, owner));
    const targetKey = keys.find((f) => f !== ownerKey && pointsAt(f, target));
    if (!ownerKey || !targetKey) {
      throw new UnknownNameError(
        `${declaredBy} goes through ${through.label}, which needs a foreign key to ${owner.label} and one to ${target.label}; ` +
          `it has foreign keys ${listNames(keys.map((f) => f.name))}.`,
      );
    }
    table = through.table;
    ownerColumn = ownerKey.column;
    targetColumn = targetKey.column;
    ownerKeyField = owner.byName.get(ownerKey.relation!.field) ?? owner.pk;
    targetKeyField = target.byName.get(targetKey.relation!.field) ?? target.pk;
  }
  return side === 'forward'
    ? {
        kind: 'manyToMany', name: fieldName, source: owner, target, table, sourceColumn: ownerColumn, targetColumn,
        sourceKey: ownerKeyField, targetKey: targetKeyField, through, declaredBy,
      }
    : {
        kind: 'manyToMany', name: fieldName, source: target, target: owner, table, sourceColumn: targetColumn, targetColumn: ownerColumn,
        sourceKey: targetKeyField, targetKey: ownerKeyField, through, declaredBy,
      };
}

/** The field of `meta` a filter/create/update key names (declared name or attribute), or an error listing them. */
export function fieldOf(meta: ModelMeta, name: string, use: string): FieldMeta {
  const field = meta.byName.get(name) ?? (name === 'pk' ? meta.pk : undefined);
  if (field) return field;
  const relation = meta.registry.relationsOf(meta).get(name);
  if (relation) {
    throw new UnknownNameError(
      `${use}: ${meta.label}.${name} is a ${relation.kind === 'manyToMany' ? 'many-to-many' : 'reverse foreign key'} relation, not a column; ` +
        `use the row's manager instead (row.${name}.all(), .add(...)).`,
    );
  }
  throw new UnknownNameError(
    `${use}: ${meta.label} has no field ${name} at this point in the migration history; its fields are ${listNames(
      meta.fields.map((f) => (f.relation ? `${f.name} (${f.attribute})` : f.name)),
    )}.`,
  );
}
