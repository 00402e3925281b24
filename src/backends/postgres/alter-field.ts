import { postgresPlan } from './dialect.js';
import { InvalidDefinitionError } from '../../errors/index.js';
import type { Field, ManyToManyField } from '../../model/fields.js';
import { isForeignKey } from '../../model/fields.js';
import type { ModelState, ProjectState } from '../../state/project-state.js';
import { modelKey, primaryKey } from '../../state/project-state.js';
import type { ForeignKeySchema, TableSchema } from '../../schema/types.js';
import { expressionKey } from '../../schema/sql-expression.js';
import type { EditorContext } from './editor-context.js';
import { namesToDrop } from './editor-context.js';
import { addConstraintSql, columnCommentSql, dropConstraintSql, dropIndexSql, foreignKeyClause } from './ddl.js';
import { addColumnObjects, fillValueSql } from './field-changes.js';
import { snapshotTable, updateGeneratedNames } from './generated-name-updates.js';
import { foreignKeysReferencing } from './introspector.js';
import { renameTable } from './model-changes.js';
import { declaredNames } from '../../schema/object-names.js';
import { objectNames } from '../../schema/object-names.js';
import { quoteLiteral, quoteName } from './sql.js';
import type { ColumnPlan } from '../../schema/table-plan.js';
import { columnPlan, joinModel, joinModels, tablePlan } from '../../schema/table-plan.js';
import { referencedField } from '../../state/referenced-field.js';
import { lossCheckSql, lossyChangeError, needsUsingCast } from './lossy-casts.js';

/** The arguments of SchemaEditor.alterField, as one value. */
export interface FieldChange {
  readonly fromModel: ModelState;
  readonly oldName: string;
  readonly oldField: Field;
  readonly toModel: ModelState;
  readonly newName: string;
  readonly newField: Field;
  readonly fromState: ProjectState;
  readonly toState: ProjectState;
}

/** One column change, computed once and handed to each phase explicitly. */
interface ColumnChange {
  readonly change: FieldChange;
  readonly table: string;
  readonly old: ColumnPlan;
  readonly next: ColumnPlan;
  /** The table as the catalogs show it before any statement of this change. */
  readonly current: TableSchema | undefined;
  readonly typeChanged: boolean;
  readonly foreignKeyChanged: boolean;
  /** Names dropped by this change: they no longer need renaming. */
  readonly dropped: Set<string>;
}

/**
 * Changes a column from what `oldField` means to what `newField` means, in the order that keeps every
 * statement valid: first drop what depends on the old definition (foreign keys, unique, index, check,
 * primary key), then rename, retype and change nullability and defaults, then add what the new
 * definition asks for. Existing names are read from the catalogs, never assumed.
 */
export async function alterField(ctx: EditorContext, change: FieldChange): Promise<void> {
  const { oldField, newField } = change;
  if (oldField.kind === 'manyToMany' || newField.kind === 'manyToMany') return alterManyToMany(ctx, change);
  const table = ctx.naming.table(change.toModel);
  const old = columnPlan(change.fromModel, change.oldName, oldField, change.fromState, ctx.naming, postgresPlan);
  const next = columnPlan(change.toModel, change.newName, newField, change.toState, ctx.naming, postgresPlan);
  const typeChanged = old.type.canonical !== next.type.canonical;
  const foreignKeyChanged = old.foreignKey !== null && (next.foreignKey === null || typeChanged || !sameForeignKey(old.foreignKey, next.foreignKey));
  // Reading the catalogs costs several queries; a plain change of type, nullability or default (the
  // most common alterField) needs no existing name, so it skips them.
  const snapshot = needsCatalog(change, old, next, foreignKeyChanged)
    ? await snapshotTable(ctx, table, () => tablePlan(change.fromModel, change.fromState, ctx.naming, postgresPlan))
    : undefined;
  const c: ColumnChange = {
    change, table, old, next, typeChanged, foreignKeyChanged,
    current: snapshot?.table,
    dropped: new Set(),
  };
  // Foreign keys elsewhere that point at this column cannot survive its type change: dropped, re-added.
  const incoming = typeChanged ? await incomingForeignKeys(ctx, table, old.column) : [];
  // First of all, so that a refusal leaves even a non-atomic migration's earlier statements unrun.
  if (typeChanged) await refuseLossyChange(ctx, c);
  await dropOldObjects(ctx, c);
  for (const { table: other, foreignKey } of incoming) await ctx.run(dropConstraintSql(other, foreignKey.name));
  await changeColumn(ctx, c);
  await addNewObjects(ctx, c);
  for (const { table: other, foreignKey } of incoming) {
    await ctx.run(addConstraintSql(other, foreignKeyClause({ ...foreignKey, referencedColumns: [next.column] })));
  }
  if (old.column !== next.column) {
    // Names the state declares (the model's indexes and constraints) are the user's: they keep them.
    const skip = new Set([...c.dropped, ...declaredNames(change.fromModel)]);
    await updateGeneratedNames(ctx, snapshot, table, table, new Map([[old.column, next.column]]), skip);
  }
}

/**
 * Whether the change must read existing names from the catalogs: to drop a constraint or index the
 * old definition had, or to rename the generated names of objects on a renamed column.
 */
function needsCatalog(change: FieldChange, old: ColumnPlan, next: ColumnPlan, foreignKeyChanged: boolean): boolean {
  const drops =
    foreignKeyChanged ||
    (old.unique !== null && next.unique === null) ||
    (old.index !== null && next.index === null) ||
    (old.check !== null && next.check === null) ||
    (old.primaryKey && !next.primaryKey);
  if (drops) return true;
  if (old.column === next.column) return false;
  const inUniqueTogether = (change.fromModel.options.uniqueTogether ?? []).some((set) => set.includes(change.oldName));
  return old.foreignKey !== null || old.unique !== null || old.index !== null || old.check !== null || old.primaryKey || old.type.identity || inUniqueTogether;
}

/** Phase 1: what depends on the old definition and does not fit the new one. */
async function dropOldObjects(ctx: EditorContext, c: ColumnChange): Promise<void> {
  const { table, old, next, current } = c;
  const column = old.column;
  const userNames = declaredNames(c.change.fromModel);
  const drop = async (names: readonly string[], sql: (name: string) => string) => {
    for (const name of names) {
      c.dropped.add(name);
      await ctx.run(sql(name));
    }
  };
  const dropConstraint = (name: string) => dropConstraintSql(table, name);
  const dropIndex = (name: string) => dropIndexSql(name);
  if (c.foreignKeyChanged) {
    const found = (current?.foreignKeys ?? []).filter((fk) => sameColumns(fk.columns, [column])).map((fk) => fk.name);
    await drop(namesToDrop(ctx, found, old.foreignKey!.name, `a foreign key constraint on ${table}.${column}`), dropConstraint);
  }
  if (old.unique && !next.unique) {
    const own = (current?.uniques ?? []).filter((u) => sameColumns(u.columns, [column]) && u.condition === null && !userNames.has(u.name));
    const constraints = own.filter((u) => u.form === 'constraint').map((u) => u.name);
    await drop(namesToDrop(ctx, constraints, old.unique.name, `a unique constraint on ${table}.${column}`), dropConstraint);
    await drop(own.filter((u) => u.form === 'index').map((u) => u.name), dropIndex);
  }
  if (old.index && !next.index) {
    const found = (current?.indexes ?? [])
      .filter((index) => sameColumns(index.columns, [column]) && index.condition === null && !userNames.has(index.name))
      .map((index) => index.name);
    await drop(namesToDrop(ctx, found, old.index.name, `an index on ${table}.${column}`), dropIndex);
  }
  if (old.check && !next.check) {
    const key = expressionKey(old.check.expression);
    const found = (current?.checks ?? []).filter((check) => expressionKey(check.expression) === key && !userNames.has(check.name));
    await drop(namesToDrop(ctx, found.map((check) => check.name), old.check.name, `the check ${old.check.expression} on ${table}`), dropConstraint);
  }
  if (old.primaryKey && !next.primaryKey) {
    const found = current?.primaryKey ? [current.primaryKey.name] : [];
    await drop(namesToDrop(ctx, found, objectNames.primaryKey(table), `a primary key on ${table}`), dropConstraint);
  }
}

/** Phase 2: the column itself: name, type (and identity), the columns that follow its type, NULL, DEFAULT. */
async function changeColumn(ctx: EditorContext, c: ColumnChange): Promise<void> {
  const { table, old, next, typeChanged } = c;
  const q = quoteName(table);
  const alter = (clause: string) => ctx.run(`ALTER TABLE ${q} ALTER COLUMN ${quoteName(next.column)} ${clause}`);
  if (old.column !== next.column) {
    await ctx.run(`ALTER TABLE ${q} RENAME COLUMN ${quoteName(old.column)} TO ${quoteName(next.column)}`);
  }
  if (old.type.identity && !next.type.identity) await alter('DROP IDENTITY IF EXISTS');
  // The old default may not cast to the new type; the new one is set below.
  const defaultDropped = typeChanged && old.dbDefault !== null;
  if (defaultDropped) await alter('DROP DEFAULT');
  if (typeChanged) {
    // USING only when the base type changes (lossy-casts.ts): within one, the assignment cast refuses
    // what does not fit instead of truncating it. The same for the columns that follow this one.
    const using = (column: string) => (needsUsingCast(old.type.canonical, next.type.canonical) ? ` USING ${quoteName(column)}::${next.type.sql}` : '');
    await alter(`TYPE ${next.type.sql}${using(next.column)}`);
    for (const ref of referencingColumns(ctx, c.change, next)) {
      // Their values are values of this column (or NULL), which the check above has already vetted.
      await ctx.run(`ALTER TABLE ${quoteName(ref.table)} ALTER COLUMN ${quoteName(ref.column)} TYPE ${next.type.sql}${using(ref.column)}`);
    }
  }
  if (!old.type.identity && next.type.identity) {
    await alter('ADD GENERATED BY DEFAULT AS IDENTITY');
    await ctx.run(restartIdentitySql(table, next.column));
  }
  if (old.nullable && !next.nullable) {
    // NULLs take the field's default, else its dbDefault: makemigrations asks for no one-off value when
    // the field has a dbDefault, so SET NOT NULL failed on every NULL row (found by the reliability round trip).
    const fill = fillValueSql(c.change.newField, next) ?? next.dbDefault;
    if (fill !== null) {
      await ctx.run(`UPDATE ${q} SET ${quoteName(next.column)} = ${fill} WHERE ${quoteName(next.column)} IS NULL`);
      // Filling a foreign key column queues the checks of its deferred constraint (still there unless
      // phase 1 dropped it), and PostgreSQL refuses any ALTER TABLE of the table while they are pending
      // ("cannot ALTER TABLE ... because it has pending trigger events", seed 001; found by the
      // reliability round trip): run them now.
      if (old.foreignKey !== null && !c.foreignKeyChanged) {
        await ctx.run('SET CONSTRAINTS ALL IMMEDIATE');
        await ctx.run('SET CONSTRAINTS ALL DEFERRED');
      }
    }
    await alter('SET NOT NULL');
  } else if (!old.nullable && next.nullable) {
    await alter('DROP NOT NULL');
  }
  if (next.dbDefault !== null && (next.dbDefault !== old.dbDefault || defaultDropped)) await alter(`SET DEFAULT ${next.dbDefault}`);
  else if (next.dbDefault === null && old.dbDefault !== null && !defaultDropped) await alter('DROP DEFAULT');
}

/**
 * Before a type change that can alter what rows hold (lossy-casts.ts has the table of such pairs):
 * counts the rows whose value would not survive and refuses the migration if there is any, so nothing
 * is truncated, rounded or cut silently. Widening changes run no check.
 */
async function refuseLossyChange(ctx: EditorContext, c: ColumnChange): Promise<void> {
  const { change, table, old, next } = c;
  const sql = lossCheckSql({
    field: `${change.toModel.app}.${change.toModel.name}.${change.newName}`,
    table,
    // It runs before any statement of this change, so the column still has its old name.
    column: old.column,
    fromCanonical: old.type.canonical,
    toCanonical: next.type.canonical,
    toSql: next.type.sql,
  });
  if (sql === null) return;
  try {
    await ctx.run(sql);
  } catch (error) {
    throw lossyChangeError(error, sql) ?? error;
  }
}

/** Phase 3: what the new definition asks for and the old one did not have. */
async function addNewObjects(ctx: EditorContext, c: ColumnChange): Promise<void> {
  const { table, old, next } = c;
  await addColumnObjects(ctx, table, next, {
    primaryKey: next.primaryKey && !old.primaryKey,
    unique: next.unique !== null && old.unique === null,
    check: next.check !== null && old.check === null,
    index: next.index !== null && old.index === null,
  });
  if (next.foreignKey && (c.foreignKeyChanged || !old.foreignKey)) await ctx.run(addConstraintSql(table, foreignKeyClause(next.foreignKey)));
  if (old.comment !== next.comment) await ctx.run(columnCommentSql(table, next.column, next.comment));
}

/** `SELECT setval(...)`: a new identity continues after the largest existing key, never below it. */
function restartIdentitySql(table: string, column: string): string {
  return `SELECT setval(pg_get_serial_sequence(${quoteLiteral(quoteName(table))}, ${quoteLiteral(column)}), ` +
    `coalesce(max(${quoteName(column)}), 0) + 1, false) FROM ${quoteName(table)}`;
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((column, i) => column === b[i]);
}

function sameForeignKey(a: ForeignKeySchema, b: ForeignKeySchema): boolean {
  return a.referencedTable === b.referencedTable && sameColumns(a.referencedColumns, b.referencedColumns) &&
    a.onDelete === b.onDelete && a.deferrable === b.deferrable && a.initiallyDeferred === b.initiallyDeferred;
}

/** Names the user gave to indexes and constraints: never mistaken for a column's own objects. */
async function incomingForeignKeys(ctx: EditorContext, table: string, column: string) {
  const all = await foreignKeysReferencing(ctx.connection, table);
  return all.filter(({ foreignKey }) => sameColumns(foreignKey.referencedColumns, [column]));
}

/**
 * Columns elsewhere that hold this field's values and so must follow a type change: foreign keys that
 * point at it (toField, or the primary key) and, for a primary key, the join table columns of
 * many-to-many fields on either side.
 */
function referencingColumns(ctx: EditorContext, change: FieldChange, next: ColumnPlan): { table: string; column: string }[] {
  const { toModel, toState, newName } = change;
  const { naming } = ctx;
  const key = modelKey(toModel.app, toModel.name);
  const isPrimaryKey = next.primaryKey && primaryKey(toModel)[0] === newName;
  const out: { table: string; column: string }[] = [];
  for (const model of toState.models()) {
    if (model.options.managed === false) continue;
    for (const [name, field] of model.fields) {
      if (!isForeignKey(field)) continue;
      const target = toState.resolve(field.to as string, model.app);
      if (!target || modelKey(target.app, target.name) !== key) continue;
      if (referencedField(model, field, toState).name === newName) {
        out.push({ table: naming.table(model), column: naming.column(name, field) });
      }
    }
    if (!isPrimaryKey) continue;
    for (const join of joinModels(model, toState, naming)) {
      const target = toState.resolve(join.field.to as string, model.app);
      const joinTable = naming.table(join.model);
      if (modelKey(model.app, model.name) === key) out.push({ table: joinTable, column: join.fromColumn });
      if (target && modelKey(target.app, target.name) === key) out.push({ table: joinTable, column: join.toColumn });
    }
  }
  return out;
}

function referenceKey(reference: string | undefined, app: string, state: ProjectState): string | undefined {
  if (reference === undefined) return undefined;
  const model = state.resolve(reference, app);
  return model ? modelKey(model.app, model.name) : reference.toLowerCase();
}

/**
 * A many-to-many field can only be renamed (its join table follows) or changed in ways that do not
 * touch the database. A new target or `through` would need the join rows moved: that is a remove and an
 * add, which the user must choose knowingly (the rows are lost, or moved by a data migration).
 */
async function alterManyToMany(ctx: EditorContext, change: FieldChange): Promise<void> {
  const { fromModel, toModel, oldField, newField } = change;
  const qualified = `${toModel.app}.${toModel.name}.${change.newName}`;
  if (oldField.kind !== 'manyToMany' || newField.kind !== 'manyToMany') {
    throw new InvalidDefinitionError(
      `Cannot alter ${qualified} between a many-to-many field and a field with a column: they are stored in different tables.`,
      { hint: 'Remove the field and add the new one (with a data migration in between if the data must be kept).' },
    );
  }
  const old = oldField as ManyToManyField;
  const next = newField as ManyToManyField;
  const sameTarget = referenceKey(old.to as string, fromModel.app, change.fromState) === referenceKey(next.to as string, toModel.app, change.toState);
  const sameThrough = referenceKey(old.through as string | undefined, fromModel.app, change.fromState) ===
    referenceKey(next.through as string | undefined, toModel.app, change.toState);
  if (!sameTarget || !sameThrough) {
    throw new InvalidDefinitionError(
      `Cannot alter the many-to-many field ${qualified}: its ${sameTarget ? 'through model' : 'target model'} changed, which cannot be altered in place.`,
      { hint: 'Remove the field and add it again with the new definition (a data migration can carry the join rows across).' },
    );
  }
  if (next.through !== undefined) return;
  await renameTable(
    ctx,
    ctx.naming.joinTable(fromModel, change.oldName, old.dbTable),
    ctx.naming.joinTable(toModel, change.newName, next.dbTable),
    () => tablePlan(joinModel(fromModel, change.oldName, old, change.fromState, ctx.naming).model, change.fromState, ctx.naming, postgresPlan),
  );
}
