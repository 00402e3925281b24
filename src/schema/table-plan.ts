import { InvalidDefinitionError } from '../errors/index.js';
import type { Field, ForeignKeyField, ManyToManyField, OnDelete } from '../model/fields.js';
import { f, hasColumn, isForeignKey } from '../model/fields.js';
import type { Constraint, IndexDefinition } from '../model/model.js';
import type { Naming } from '../state/names.js';
import type { ModelState, ProjectState } from '../state/project-state.js';
import { getField } from '../state/project-state.js';
import { referencedField } from '../state/referenced-field.js';
import type {
  CheckSchema, ColumnSchema, ForeignKeySchema, IndexSchema, PrimaryKeySchema, ReferentialAction, TableSchema, UniqueSchema,
} from './types.js';
import type { ColumnType, ColumnTypes, SqlSpelling } from '../backends/base/backend.js';
import { objectNames } from './object-names.js';

/** What a plan needs of the backend: its column types and how it quotes and writes literals. */
export interface PlanDialect {
  readonly sql: SqlSpelling;
  readonly types: ColumnTypes;
}

/**
 * What a model means for its table, computed once from the state: the schema editor renders
 * DDL from these plans and `expectedSchema()` reads them, so what is created and what is expected can
 * never disagree.
 */
export interface ColumnPlan {
  readonly fieldName: string;
  readonly field: Field;
  readonly column: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly primaryKey: boolean;
  /** SQL of a `dbDefault` (kept on the column); null without one. */
  readonly dbDefault: string | null;
  readonly comment: string | null;
  /** The column's own UNIQUE constraint (`unique: true`, one-to-one), never for the primary key. */
  readonly unique: UniqueSchema | null;
  /** The column's own index (`dbIndex`, foreign keys) when no unique constraint already provides one. */
  readonly index: IndexSchema | null;
  /** The `>= 0` check of a positiveInteger. */
  readonly check: CheckSchema | null;
  /** The FOREIGN KEY constraint; null for scalars and for `dbConstraint: false`. */
  readonly foreignKey: ForeignKeySchema | null;
}

export interface IndexPlan extends IndexSchema {
  /** The key list as SQL, with DESC for fields written `-name`. */
  readonly keys: readonly string[];
}

export interface TablePlan {
  readonly table: string;
  readonly comment: string | null;
  readonly columns: readonly ColumnPlan[];
  readonly primaryKey: PrimaryKeySchema | null;
  /** Model-level objects (uniqueTogether, `constraints`, `indexes`); column-level ones sit on the columns. */
  readonly uniques: readonly UniqueSchema[];
  readonly indexes: readonly IndexPlan[];
  readonly checks: readonly CheckSchema[];
}

/**
 * How a foreign key's onDelete maps to the database. Sediment enforces it in PostgreSQL itself, so that
 * applications on any ORM or raw SQL get the behaviour the model declares; `protect` becomes RESTRICT
 * (refused at once, like Django's ProtectedError), `doNothing` leaves the default NO ACTION.
 */
export function referentialAction(onDelete: OnDelete): ReferentialAction {
  switch (onDelete) {
    case 'cascade':
      return 'cascade';
    case 'protect':
    case 'restrict':
      return 'restrict';
    case 'setNull':
      return 'set-null';
    case 'setDefault':
      return 'set-default';
    case 'doNothing':
      return 'no-action';
  }
}

export function isUniqueColumn(field: Field): boolean {
  if (field.kind === 'manyToMany' || field.primaryKey) return false;
  return field.unique === true || field.kind === 'oneToOne';
}

export function isIndexedColumn(field: Field): boolean {
  if (field.kind === 'manyToMany' || field.primaryKey || isUniqueColumn(field)) return false;
  // Foreign keys are indexed unless told otherwise (Django's ForeignKey has db_index=True).
  return isForeignKey(field) ? field.dbIndex !== false : field.dbIndex === true;
}

/** The plan of one field's column in `model` (which must have a column). */
export function columnPlan(model: ModelState, fieldName: string, field: Field, state: ProjectState, naming: Naming, dialect: PlanDialect): ColumnPlan {
  if (!hasColumn(field) || field.kind === 'manyToMany') {
    throw new InvalidDefinitionError(`${model.app}.${model.name}.${fieldName} is a many-to-many field and has no column.`);
  }
  const table = naming.table(model);
  const column = naming.column(fieldName, field);
  const type = dialect.types.columnType(model, field, state);
  const primaryKey = field.primaryKey === true;
  return {
    fieldName,
    field,
    column,
    type,
    primaryKey,
    nullable: !primaryKey && field.null === true,
    dbDefault: field.dbDefault === undefined ? null : dialect.sql.literal(field.dbDefault, type.canonical),
    comment: field.dbComment ?? null,
    unique: isUniqueColumn(field)
      ? { name: objectNames.unique(table, [column]), generatedName: true, columns: [column], condition: null, form: 'constraint' }
      : null,
    index: isIndexedColumn(field)
      ? { name: objectNames.index(table, [column]), generatedName: true, columns: [column], condition: null, method: 'btree' }
      : null,
    check: field.kind === 'positiveInteger'
      ? { name: objectNames.positiveCheck(table, column), generatedName: true, expression: `${dialect.sql.quoteName(column)} >= 0`, validated: true }
      : null,
    foreignKey: isForeignKey(field) && field.dbConstraint !== false ? foreignKeyPlan(model, table, column, field, state, naming) : null,
  };
}

function foreignKeyPlan(
  model: ModelState,
  table: string,
  column: string,
  field: ForeignKeyField,
  state: ProjectState,
  naming: Naming,
): ForeignKeySchema {
  const target = referencedField(model, field, state);
  return {
    name: objectNames.foreignKey(table, column),
    generatedName: true,
    columns: [column],
    referencedTable: naming.table(target.model),
    referencedColumns: [naming.column(target.name, target.field)],
    onDelete: referentialAction(field.onDelete),
    // Django's choice: checked at commit, so rows may be written in any order inside a transaction.
    deferrable: true,
    initiallyDeferred: true,
    validated: true,
  };
}

/** The column of a field named in an index or constraint (`-name` means descending). */
function fieldColumn(model: ModelState, reference: string, naming: Naming, what: string): string {
  const name = reference.replace(/^-/, '');
  const field = getField(model, name);
  if (!field || !hasColumn(field)) {
    throw new InvalidDefinitionError(
      `${what} of ${model.app}.${model.name} names ${field ? 'the many-to-many field' : 'a field that does not exist:'} ${name}.`,
    );
  }
  const declared = model.fields.find(([n]) => n.toLowerCase() === name.toLowerCase())![0];
  return naming.column(declared, field);
}

/** The plan of a model-level index (`indexes: [index([...])]`). */
export function indexPlan(model: ModelState, index: IndexDefinition, naming: Naming, dialect: PlanDialect): IndexPlan {
  const table = naming.table(model);
  const columns = index.fields.map((reference) => fieldColumn(model, reference, naming, 'An index'));
  const keys = index.fields.map((reference, i) => `${dialect.sql.quoteName(columns[i])}${reference.startsWith('-') ? ' DESC' : ''}`);
  return {
    name: index.name ?? objectNames.index(table, columns),
    ...(index.name === undefined ? { generatedName: true } : {}),
    columns,
    condition: index.condition ?? null,
    method: 'btree',
    keys,
  };
}

/** The unique constraint of one uniqueTogether set (field names). */
export function uniqueTogetherPlan(model: ModelState, set: readonly string[], naming: Naming): UniqueSchema {
  const table = naming.table(model);
  const columns = set.map((name) => fieldColumn(model, name, naming, 'uniqueTogether'));
  return { name: objectNames.unique(table, columns), generatedName: true, columns, condition: null, form: 'constraint' };
}

/** The plan of a model-level constraint: a unique (a partial unique index with `condition`) or a check. */
export function constraintPlan(model: ModelState, constraint: Constraint, naming: Naming): UniqueSchema | CheckSchema {
  const table = naming.table(model);
  const generated = constraint.name === undefined ? { generatedName: true } : {};
  if (constraint.kind === 'check') {
    return { name: constraint.name ?? objectNames.check(table, constraint.check), ...generated, expression: constraint.check, validated: true };
  }
  const columns = constraint.fields.map((name) => fieldColumn(model, name, naming, `Constraint ${constraint.name ?? ''}`.trim()));
  return {
    name: constraint.name ?? objectNames.unique(table, columns),
    ...generated,
    columns,
    condition: constraint.condition ?? null,
    form: constraint.condition === undefined ? 'constraint' : 'index',
  };
}

/** The plan of a model's table (not its join tables: see joinModels). */
export function tablePlan(model: ModelState, state: ProjectState, naming: Naming, dialect: PlanDialect): TablePlan {
  const table = naming.table(model);
  const columns = model.fields.filter(([, field]) => hasColumn(field)).map(([name, field]) => columnPlan(model, name, field, state, naming, dialect));
  const keyColumns = columns.filter((c) => c.primaryKey).map((c) => c.column);
  const uniques: UniqueSchema[] = (model.options.uniqueTogether ?? []).map((set) => uniqueTogetherPlan(model, set, naming));
  const checks: CheckSchema[] = [];
  for (const constraint of model.options.constraints ?? []) {
    const planned = constraintPlan(model, constraint, naming);
    if (constraint.kind === 'unique') uniques.push(planned as UniqueSchema);
    else checks.push(planned as CheckSchema);
  }
  return {
    table,
    comment: model.options.dbComment ?? null,
    columns,
    primaryKey: keyColumns.length ? { name: objectNames.primaryKey(table), generatedName: true, columns: keyColumns } : null,
    uniques,
    indexes: (model.options.indexes ?? []).map((index) => indexPlan(model, index, naming, dialect)),
    checks,
  };
}

/** An automatic join table, as the model Sediment makes up for it (Django's auto-created through model). */
export interface JoinModel {
  readonly fieldName: string;
  readonly field: ManyToManyField;
  readonly model: ModelState;
  readonly fromColumn: string;
  readonly toColumn: string;
}

/**
 * The join model of a many-to-many field without `through`: `id` bigint identity, a foreign key to each
 * side (cascading, so join rows go with either end), and UNIQUE(from, to).
 */
export function joinModel(owner: ModelState, fieldName: string, field: ManyToManyField, state: ProjectState, naming: Naming): JoinModel {
  const target = state.resolve(field.to as string, owner.app);
  if (!target) {
    throw new InvalidDefinitionError(
      `${owner.app}.${owner.name}.${fieldName} relates to ${String(field.to)}, which does not exist at this point in the migration history.`,
    );
  }
  const { from, to } = naming.joinColumns(owner.name, target.name);
  const side = (model: ModelState, column: string): Field =>
    f.foreignKey(`${model.app}.${model.name}`, { onDelete: 'cascade', dbColumn: column });
  const model: ModelState = {
    app: owner.app,
    name: `${owner.name}_${fieldName}`,
    fields: [
      ['id', f.bigAuto({ primaryKey: true })],
      [from, side(owner, from)],
      [to, side(target, to)],
    ],
    options: { dbTable: naming.joinTable(owner, fieldName, field.dbTable), uniqueTogether: [[from, to]] },
  };
  return { fieldName, field, model, fromColumn: from, toColumn: to };
}

/** The join models of a model's many-to-many fields that have no `through` model. */
export function joinModels(owner: ModelState, state: ProjectState, naming: Naming): JoinModel[] {
  const out: JoinModel[] = [];
  for (const [name, field] of owner.fields) {
    if (field.kind === 'manyToMany' && field.through === undefined) out.push(joinModel(owner, name, field, state, naming));
  }
  return out;
}

/** The schema a plan implies: column-level uniques, indexes, checks and foreign keys join the table's. */
export function planSchema(plan: TablePlan): TableSchema {
  const byName = <T extends { name: string }>(items: T[]) => items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const present = <T>(items: (T | null)[]) => items.filter((item): item is T => item !== null);
  const columns: ColumnSchema[] = plan.columns.map((c) => ({
    name: c.column,
    type: c.type.canonical,
    nullable: c.nullable,
    default: c.dbDefault,
    identity: c.type.identity ? 'by-default' : null,
    comment: c.comment,
  }));
  return {
    name: plan.table,
    comment: plan.comment,
    columns,
    primaryKey: plan.primaryKey,
    foreignKeys: byName(present(plan.columns.map((c) => c.foreignKey))),
    uniques: byName([...present(plan.columns.map((c) => c.unique)), ...plan.uniques]),
    indexes: byName([
      ...present(plan.columns.map((c) => c.index)),
      ...plan.indexes.map(({ keys: _keys, ...index }) => index),
    ]),
    checks: byName([...present(plan.columns.map((c) => c.check)), ...plan.checks]),
  };
}
