import { UnplannableChangeError } from '../errors/index.js';
import { hasColumn, type ManyToManyField } from '../model/fields.js';
import { ops } from '../operations/ops.js';
import type { Operation } from '../operations/types.js';
import type { Questioner } from '../questioner/questioner.js';
import type { ModelPair } from './compare.js';
import { fieldOf, sameField } from './compare.js';
import { planAddition, planAlteration } from './not-null.js';
import type { PlannedOperation } from './plan.js';
import { after, createdModel, planned } from './plan.js';

/**
 * A many-to-many whose target or through model changes keeps its rows in a different table: altering
 * it in place would drop them (Django's AlterField fails at migrate time; seed 002 tells users to do it
 * by hand). Refuse at makemigrations, with the steps that keep the data.
 */
function checkManyToManyChange(
  app: string,
  model: string,
  name: string,
  old: ManyToManyField,
  next: ManyToManyField,
  modelExists: ModelExists,
): boolean {
  const sameTarget = old.to === next.to;
  const sameThrough = (old.through ?? null) === (next.through ?? null);
  if (sameTarget && sameThrough) return true;
  // When the old target or through model is deleted by the same change, its rows go with it anyway:
  // the field is removed and added again.
  if (!modelExists(String(old.to)) || (old.through !== undefined && !modelExists(String(old.through)))) return false;
  const what = !sameTarget ? `its target (${String(old.to)} -> ${String(next.to)})` : `its through model (${String(old.through ?? 'automatic join table')} -> ${String(next.through ?? 'automatic join table')})`;
  throw new UnplannableChangeError(
    `Cannot change ${what} of the many-to-many field ${app}.${model}.${name} in place: its rows live in a different table, and they would be lost.`,
    {
      hint:
        `Do it in steps, running makemigrations after each: (1) add the new relation as a new field (e.g. ${name}New) next to the old one; ` +
        `(2) copy the rows in a data migration (makemigrations --empty ${app}); (3) remove ${name}; (4) rename ${name}New to ${name} (--rename-field ${app}.${model}.${name}New=${name}).`,
    },
  );
}

/** Whether a qualified `'app.Model'` reference names a model of the new state. */
export type ModelExists = (reference: string) => boolean;

/** Operations on the same model that must run before `field` is dropped (indexes, constraints, sets using it). */
export type PrecedingRemovals = (app: string, model: string, field: string) => readonly Operation[];

/**
 * Phase 5: fields of kept models, compared after renames were replayed: removed, added (NOT NULL
 * question), altered (NOT NULL question). A change between a many-to-many and a column field cannot
 * be an alteration and becomes a removal plus an addition.
 */
export async function planFieldChanges(
  pairs: readonly ModelPair[],
  questioner: Questioner,
  precedingRemovals: PrecedingRemovals,
  modelExists: ModelExists,
): Promise<{ removed: PlannedOperation[]; added: PlannedOperation[]; altered: PlannedOperation[] }> {
  const removal = (app: string, model: string, name: string) =>
    planned(app, ops.removeField({ model, name }), [
      createdModel(app, model),
      ...precedingRemovals(app, model, name).map((op) => after(app, op)),
    ]);
  const removed: PlannedOperation[] = [];
  const added: PlannedOperation[] = [];
  const altered: PlannedOperation[] = [];
  for (const { app, before, after: model } of pairs) {
    for (const [name] of before.fields) if (!fieldOf(model, name)) removed.push(removal(app, model.name, name));
  }
  for (const { app, before, after: model } of pairs) {
    for (const [name, field] of model.fields) {
      if (!fieldOf(before, name)) added.push(await planAddition(app, model, name, field, questioner));
    }
  }
  for (const { app, before, after: model } of pairs) {
    for (const [name, field] of model.fields) {
      const old = fieldOf(before, name);
      if (!old || sameField(old, field)) continue;
      const alterable = old.kind === 'manyToMany' && field.kind === 'manyToMany'
        ? checkManyToManyChange(app, model.name, name, old, field, modelExists)
        : hasColumn(old) === hasColumn(field);
      if (alterable) {
        altered.push(await planAlteration(app, model, name, name, old, field, questioner));
      } else {
        altered.push(removal(app, model.name, name), await planAddition(app, model, name, field, questioner));
      }
    }
  }
  return { removed, added, altered };
}
