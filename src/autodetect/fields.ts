import { hasColumn } from '../model/fields.js';
import { ops } from '../operations/ops.js';
import type { Operation } from '../operations/types.js';
import type { Questioner } from '../questioner/questioner.js';
import type { ModelPair } from './compare.js';
import { fieldOf, sameField } from './compare.js';
import { planAddition, planAlteration } from './not-null.js';
import type { PlannedOperation } from './plan.js';
import { after, createdModel, planned } from './plan.js';

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
      if (hasColumn(old) === hasColumn(field)) {
        altered.push(await planAlteration(app, model, name, name, old, field, questioner));
      } else {
        altered.push(removal(app, model.name, name), await planAddition(app, model, name, field, questioner));
      }
    }
  }
  return { removed, added, altered };
}
