import { postgresPlan } from './dialect.js';
import type { Field } from '../../model/fields.js';
import type { ModelState, ProjectState } from '../../state/project-state.js';
import { modelKey, resolveReference } from '../../state/project-state.js';
import type { EditorContext } from './editor-context.js';
import { runAll } from './editor-context.js';
import { createTableStatements, tableCommentSql } from './ddl.js';
import { snapshotTable, updateGeneratedNames } from './generated-name-updates.js';
import { quoteName } from './sql.js';
import { declaredNames } from '../../schema/object-names.js';
import type { TablePlan } from '../../schema/table-plan.js';
import { joinModel, joinModels, tablePlan } from '../../schema/table-plan.js';

/** CREATE TABLE for the model, then the join tables of its many-to-many fields. */
export async function createModel(ctx: EditorContext, model: ModelState, state: ProjectState): Promise<void> {
  await runAll(ctx, createTableStatements(tablePlan(model, state, ctx.naming, postgresPlan)));
  for (const join of joinModels(model, state, ctx.naming)) {
    await runAll(ctx, createTableStatements(tablePlan(join.model, state, ctx.naming, postgresPlan)));
  }
}

/**
 * Drops the join tables, then the table. CASCADE (as Django does) also drops the foreign key
 * constraints of other tables that point here, so models that reference each other can be deleted
 * in any order.
 */
export async function deleteModel(ctx: EditorContext, model: ModelState): Promise<void> {
  for (const [name, field] of model.fields) {
    if (field.kind === 'manyToMany' && field.through === undefined) {
      await ctx.run(`DROP TABLE ${quoteName(ctx.naming.joinTable(model, name, field.dbTable))} CASCADE`);
    }
  }
  await ctx.run(`DROP TABLE ${quoteName(ctx.naming.table(model))} CASCADE`);
}

/**
 * ALTER TABLE ... RENAME TO, then the generated names that follow the table (`expected`: see
 * snapshotTable). `declared` are names the state records (see declaredNames): they are kept.
 */
export async function renameTable(
  ctx: EditorContext,
  oldTable: string,
  newTable: string,
  expected?: () => TablePlan,
  declared: ReadonlySet<string> = new Set(),
): Promise<void> {
  if (oldTable === newTable) return;
  const snapshot = await snapshotTable(ctx, oldTable, expected);
  await ctx.run(`ALTER TABLE ${quoteName(oldTable)} RENAME TO ${quoteName(newTable)}`);
  await updateGeneratedNames(ctx, snapshot, oldTable, newTable, new Map(), declared);
}

/** Renames a join table and/or its columns, and the generated names that follow them. */
async function renameJoinTable(
  ctx: EditorContext,
  oldTable: string,
  newTable: string,
  columnRenames: Map<string, string>,
  expected: () => TablePlan,
): Promise<void> {
  for (const [from, to] of [...columnRenames]) if (from === to) columnRenames.delete(from);
  if (oldTable === newTable && columnRenames.size === 0) return;
  const snapshot = await snapshotTable(ctx, oldTable, expected);
  if (oldTable !== newTable) await ctx.run(`ALTER TABLE ${quoteName(oldTable)} RENAME TO ${quoteName(newTable)}`);
  for (const [from, to] of columnRenames) {
    await ctx.run(`ALTER TABLE ${quoteName(newTable)} RENAME COLUMN ${quoteName(from)} TO ${quoteName(to)}`);
  }
  await updateGeneratedNames(ctx, snapshot, oldTable, newTable, columnRenames);
}

/** The declared name of the model a relation points at (the state's spelling when it is there). */
function targetName(field: Field & { to: unknown }, app: string, state: ProjectState): string {
  const reference = field.to as string;
  return state.resolve(reference, app)?.name ?? resolveReference(reference, app).name;
}

/**
 * A model rename (or a dbTable change): the table, the automatic join tables of its many-to-many fields
 * (named after the table, with columns named after the models), the join columns of other models'
 * many-to-many fields that point at it, and every generated name that follows them.
 */
export async function renameModel(
  ctx: EditorContext,
  from: ModelState,
  to: ModelState,
  fromState: ProjectState,
  toState: ProjectState,
): Promise<void> {
  const { naming } = ctx;
  await renameTable(ctx, naming.table(from), naming.table(to), () => tablePlan(from, fromState, naming, postgresPlan), declaredNames(from));

  for (const [name, field] of from.fields) {
    if (field.kind !== 'manyToMany' || field.through !== undefined) continue;
    const renamedField = to.fields.find(([n]) => n === name)?.[1] ?? field;
    const before = naming.joinColumns(from.name, targetName(field, from.app, fromState));
    const after = naming.joinColumns(to.name, targetName(renamedField as typeof field, to.app, toState));
    await renameJoinTable(
      ctx,
      naming.joinTable(from, name, field.dbTable),
      naming.joinTable(to, name, field.dbTable),
      new Map([[before.from, after.from], [before.to, after.to]]),
      () => tablePlan(joinModel(from, name, field, fromState, naming).model, fromState, naming, postgresPlan),
    );
  }

  if (from.name === to.name) return;
  const ownKey = modelKey(from.app, from.name);
  for (const [owner, name, field] of fromState.relationsTo(from.app, from.name)) {
    if (field.kind !== 'manyToMany' || field.through !== undefined) continue;
    if (modelKey(owner.app, owner.name) === ownKey || owner.options.managed === false) continue;
    const target = resolveReference(field.to as string, owner.app);
    if (modelKey(target.app, target.name) !== ownKey) continue;
    const before = naming.joinColumns(owner.name, from.name);
    const after = naming.joinColumns(owner.name, to.name);
    const table = naming.joinTable(owner, name, field.dbTable);
    // Both columns: when the owner and the target have the same model name (in two apps), the columns
    // are from_<m>_id / to_<m>_id, and a rename of the target renames the owner's column too (found by
    // the reliability round trip).
    await renameJoinTable(ctx, table, table, new Map([[before.from, after.from], [before.to, after.to]]), () =>
      tablePlan(joinModel(owner, name, field, fromState, naming).model, fromState, naming, postgresPlan));
  }
}

export async function alterTableComment(ctx: EditorContext, model: ModelState, comment: string | undefined): Promise<void> {
  await ctx.run(tableCommentSql(ctx.naming.table(model), comment ?? null));
}
