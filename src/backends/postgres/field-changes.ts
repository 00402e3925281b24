import { postgresPlan } from './dialect.js';
import type { Field } from '../../model/fields.js';
import type { ModelState, ProjectState } from '../../state/project-state.js';
import type { EditorContext } from './editor-context.js';
import { runAll } from './editor-context.js';
import {
  addConstraintSql, checkClause, columnCommentSql, columnDefinition, createIndexSql, createTableStatements, foreignKeyClause,
  primaryKeyClause, uniqueClause,
} from './ddl.js';
import { objectNames } from '../../schema/object-names.js';
import { defaultValueSql, quoteName } from './sql.js';
import type { ColumnPlan } from '../../schema/table-plan.js';
import { columnPlan, joinModel, tablePlan } from '../../schema/table-plan.js';

/**
 * The SQL expression that fills existing rows when a column is added or made NOT NULL: the field's
 * `default` (f.now -> now(), f.uuid4 -> gen_random_uuid(), evaluated per row), or null without one.
 */
export function fillValueSql(field: Field, plan: ColumnPlan): string | null {
  if (field.kind === 'manyToMany' || field.default === undefined || field.default === null || plan.type.identity) return null;
  return defaultValueSql(field.default, plan.type.canonical);
}

/**
 * Adds the column. A `default` fills the existing rows through a temporary DEFAULT that is dropped
 * right after (Django's behaviour: defaults live in the application); a `dbDefault` stays.
 * A many-to-many field gets its join table instead.
 */
export async function addField(ctx: EditorContext, model: ModelState, name: string, field: Field, state: ProjectState): Promise<void> {
  if (field.kind === 'manyToMany') {
    if (field.through === undefined) {
      await runAll(ctx, createTableStatements(tablePlan(joinModel(model, name, field, state, ctx.naming).model, state, ctx.naming, postgresPlan)));
    }
    return;
  }
  const table = ctx.naming.table(model);
  const plan = columnPlan(model, name, field, state, ctx.naming, postgresPlan);
  const fill = plan.dbDefault === null ? fillValueSql(field, plan) : null;
  await ctx.run(`ALTER TABLE ${quoteName(table)} ADD COLUMN ${columnDefinition(plan, plan.dbDefault ?? fill)}`);
  if (fill !== null) await ctx.run(`ALTER TABLE ${quoteName(table)} ALTER COLUMN ${quoteName(plan.column)} DROP DEFAULT`);
  await addColumnObjects(ctx, table, plan);
}

/** The constraints and index a column plan asks for, added to an existing column. */
export async function addColumnObjects(
  ctx: EditorContext,
  table: string,
  plan: ColumnPlan,
  which: { primaryKey?: boolean; unique?: boolean; check?: boolean; index?: boolean; foreignKey?: boolean; comment?: boolean } = {},
): Promise<void> {
  const all = Object.keys(which).length === 0;
  if ((all || which.primaryKey) && plan.primaryKey) {
    await ctx.run(addConstraintSql(table, primaryKeyClause(objectNames.primaryKey(table), [plan.column])));
  }
  if ((all || which.unique) && plan.unique) await ctx.run(addConstraintSql(table, uniqueClause(plan.unique)));
  if ((all || which.check) && plan.check) await ctx.run(addConstraintSql(table, checkClause(plan.check)));
  if ((all || which.index) && plan.index) await ctx.run(createIndexSql(table, plan.index));
  if ((all || which.foreignKey) && plan.foreignKey) await ctx.run(addConstraintSql(table, foreignKeyClause(plan.foreignKey)));
  if ((all || which.comment) && plan.comment !== null) await ctx.run(columnCommentSql(table, plan.column, plan.comment));
}

/**
 * Drops the column (its indexes and constraints go with it; CASCADE, as Django does, also drops
 * foreign keys of other tables that reference it), or a many-to-many field's join table.
 */
export async function removeField(ctx: EditorContext, model: ModelState, name: string, field: Field): Promise<void> {
  if (field.kind === 'manyToMany') {
    if (field.through === undefined) {
      await ctx.run(`DROP TABLE ${quoteName(ctx.naming.joinTable(model, name, field.dbTable))} CASCADE`);
    }
    return;
  }
  await ctx.run(`ALTER TABLE ${quoteName(ctx.naming.table(model))} DROP COLUMN ${quoteName(ctx.naming.column(name, field))} CASCADE`);
}
