import { postgresPlan } from './dialect.js';
import { InvalidDefinitionError, SedimentError } from '../../errors/index.js';
import type { CheckConstraint, Constraint, IndexDefinition } from '../../model/model.js';
import type { ModelState } from '../../state/project-state.js';
import type { UniqueSchema } from '../../schema/types.js';
import type { EditorContext } from './editor-context.js';
import { namesToDrop } from './editor-context.js';
import { addConstraintSql, checkClause, createIndexSql, dropConstraintSql, dropIndexSql, uniqueClause, uniqueIndexSql } from './ddl.js';
import { introspectTable } from './introspector.js';
import { quoteName } from './sql.js';
import { constraintPlan, indexPlan, uniqueTogetherPlan } from '../../schema/table-plan.js';

/**
 * Model-level indexes and constraints. Their names are the user's (migrations name every index and
 * constraint), so they are used as they are; look-ups are needed only to tell whether a unique is a
 * table constraint or an index, and for uniqueTogether, whose names Sediment generates.
 */
export async function addIndex(ctx: EditorContext, model: ModelState, index: IndexDefinition, concurrently = false): Promise<void> {
  const plan = indexPlan(model, index, ctx.naming, postgresPlan);
  await ctx.run(createIndexSql(ctx.naming.table(model), plan, { keys: plan.keys, concurrently }));
}

export async function removeIndex(ctx: EditorContext, model: ModelState, index: IndexDefinition, concurrently = false): Promise<void> {
  await ctx.run(dropIndexSql(indexPlan(model, index, ctx.naming, postgresPlan).name, { concurrently }));
}

export async function renameIndex(ctx: EditorContext, oldName: string, newName: string): Promise<void> {
  await ctx.run(`ALTER INDEX ${quoteName(oldName)} RENAME TO ${quoteName(newName)}`);
}

/**
 * A unique becomes a UNIQUE table constraint, or a partial unique index when it has a condition
 * (a constraint cannot have a WHERE). `notValid` (ADD CONSTRAINT ... NOT VALID: existing rows are not
 * checked until validateConstraint) applies to checks only; a unique constraint is refused, since its
 * index is built, and so validated, at once.
 */
export async function addConstraint(ctx: EditorContext, model: ModelState, constraint: Constraint, notValid = false): Promise<void> {
  const table = ctx.naming.table(model);
  const plan = constraintPlan(model, constraint, ctx.naming);
  if (notValid && !('expression' in plan)) {
    throw new InvalidDefinitionError(
      `Cannot add the unique constraint ${plan.name} on ${model.app}.${model.name} as NOT VALID: PostgreSQL validates a unique constraint while building its index.`,
      { hint: 'Use addConstraint for unique constraints; addConstraintNotValid is for check constraints.' },
    );
  }
  if ('expression' in plan) await ctx.run(addConstraintSql(table, checkClause(plan), { notValid }));
  else if (plan.form === 'index') await ctx.run(uniqueIndexSql(table, plan));
  else await ctx.run(addConstraintSql(table, uniqueClause(plan)));
}

/** Drops a constraint by its name, as a constraint or as an index, whichever the catalogs show. */
export async function removeConstraint(ctx: EditorContext, model: ModelState, constraint: Constraint): Promise<void> {
  const table = ctx.naming.table(model);
  const plan = constraintPlan(model, constraint, ctx.naming);
  const current = await introspectTable(ctx.connection, table);
  const constraintNames = new Set([
    ...(current?.checks ?? []).map((c) => c.name),
    ...(current?.uniques ?? []).filter((u) => u.form === 'constraint').map((u) => u.name),
  ]);
  const indexNames = new Set((current?.uniques ?? []).filter((u) => u.form === 'index').map((u) => u.name));
  if (constraintNames.has(plan.name)) return ctx.run(dropConstraintSql(table, plan.name));
  if (indexNames.has(plan.name)) return ctx.run(dropIndexSql(plan.name));
  if (!ctx.collecting) {
    throw new SedimentError('SchemaDrift', `Expected the constraint ${plan.name} on ${table} in the database, but there is none.`, {
      hint: "The database no longer matches the migration history; 'sediment doctor' lists the differences.",
      databaseState: 'unchanged by this statement',
    });
  }
  const asIndex = 'form' in plan && plan.form === 'index';
  await ctx.run(asIndex ? dropIndexSql(plan.name) : dropConstraintSql(table, plan.name));
}

export async function validateConstraint(ctx: EditorContext, model: ModelState, constraint: CheckConstraint): Promise<void> {
  const table = ctx.naming.table(model);
  await ctx.run(`ALTER TABLE ${quoteName(table)} VALIDATE CONSTRAINT ${quoteName(constraintPlan(model, constraint, ctx.naming).name)}`);
}

/** Drops the unique constraints of sets that went away and adds those of new sets (compared by columns). */
export async function alterUniqueTogether(
  ctx: EditorContext,
  model: ModelState,
  oldSets: readonly (readonly string[])[],
  newSets: readonly (readonly string[])[],
): Promise<void> {
  const table = ctx.naming.table(model);
  const key = (unique: UniqueSchema) => unique.columns.join('\u0000');
  const before = oldSets.map((set) => uniqueTogetherPlan(model, set, ctx.naming));
  const after = newSets.map((set) => uniqueTogetherPlan(model, set, ctx.naming));
  const afterKeys = new Set(after.map(key));
  const beforeKeys = new Set(before.map(key));
  const removed = before.filter((unique) => !afterKeys.has(key(unique)));
  if (removed.length > 0) {
    const current = await introspectTable(ctx.connection, table);
    const userNames = new Set((model.options.constraints ?? []).map((c) => c.name));
    for (const unique of removed) {
      const found = (current?.uniques ?? [])
        .filter((u) => u.form === 'constraint' && key(u) === key(unique) && !userNames.has(u.name))
        .map((u) => u.name);
      const names = namesToDrop(ctx, found, unique.name, `a unique constraint on ${table} (${unique.columns.join(', ')})`);
      for (const name of names) await ctx.run(dropConstraintSql(table, name));
    }
  }
  for (const unique of after) if (!beforeKeys.has(key(unique))) await ctx.run(addConstraintSql(table, uniqueClause(unique)));
}
