import { hasColumn, isRelation } from '../model/fields.js';
import type { Field } from '../model/fields.js';
import { ops } from '../operations/ops.js';
import type { Questioner } from '../questioner/questioner.js';
import type { Naming } from '../state/names.js';
import type { ModelPair } from './compare.js';
import { fieldOf, sameField } from './compare.js';
import { planAlteration } from './not-null.js';
import type { OperationDependency, PlannedOperation } from './plan.js';
import { after, createdModel, planned } from './plan.js';
import type { ModelRename } from './renamed-models.js';

/**
 * Phase 4: a field removed and a field added on the same model may be one field renamed. Pairs with
 * the same definition — or that differ only by a `dbColumn` that keeps the old column — are
 * "similar"; every pair is put to the questioner (see planRenamedModels), and so are pairs whose old
 * name a new field reuses (never similar: only `--rename-field` confirms those). When a confirmed rename
 * also changed the column or join table name (dbColumn, dbTable), or what a relation points at, an
 * alterField under the old name comes first, so that the rename itself changes nothing else (and a
 * kept column is never renamed twice); other changes of definition are planned after the rename, like
 * those of any kept field.
 */
export async function planRenamedFields(
  pairs: readonly ModelPair[],
  modelRenames: readonly ModelRename[],
  questioner: Questioner,
  naming: Naming,
): Promise<PlannedOperation[]> {
  const out: PlannedOperation[] = [];
  for (const { app, before, after: model } of pairs) {
    const added = model.fields.filter(([name]) => !fieldOf(before, name));
    const taken = new Set<string>();
    const oldModel = modelRenames.find((r) => r.app === app && r.newName === model.name)?.oldName ?? model.name;
    for (const [newName, newField] of added) {
      // Old names still in use are candidates too, but never "similar": only a declared rename
      // (a field renamed while a new field takes its old name) can confirm them.
      for (const [oldName, oldField] of before.fields) {
        if (taken.has(oldName) || hasColumn(oldField) !== hasColumn(newField)) continue;
        const removed = !fieldOf(model, oldName);
        const similar = removed && (sameField(oldField, newField) || keepsColumn(oldName, oldField, newField, naming));
        const question = { app, model: model.name, oldModel, oldName, newName, oldField, newField, similar };
        if (!(await questioner.askRenameField(question))) continue;
        taken.add(oldName);
        const dependencies: OperationDependency[] = [createdModel(app, model.name)];
        // Only a change of the column's (or join table's) name, or of what a relation points at (a deleted
        // model waits for an alterField under the old name), is made before the rename; any other change
        // is an alterField under the new name, in the altered-fields phase, after the uniqueTogether and
        // index removals. Made before the rename, a field turned unique collided with the uniqueTogether
        // constraint on the same column that a later operation drops (both are named table_column_uniq;
        // found by the reliability round trip).
        if (!sameField(oldField, newField) && (changesStorageName(oldField, newField) || pointsElsewhere(oldField, newField))) {
          const alteration = await planAlteration(app, model, oldName, newName, oldField, newField, questioner);
          out.push(alteration);
          dependencies.push(after(app, alteration.operation));
        }
        out.push(planned(app, ops.renameField({ model: model.name, oldName, newName }), dependencies));
        break;
      }
    }
  }
  return out;
}

/** The new definition names the column (dbColumn) or the join table (dbTable) differently. */
function changesStorageName(oldField: Field, newField: Field): boolean {
  const name = (field: Field) => (field.kind === 'manyToMany' ? field.dbTable : field.dbColumn);
  return name(oldField) !== name(newField);
}

/** The old field is a relation, and the new one is not, or points at another model. */
function pointsElsewhere(oldField: Field, newField: Field): boolean {
  if (!isRelation(oldField)) return false;
  return !isRelation(newField) || String(newField.to).toLowerCase() !== String(oldField.to).toLowerCase();
}

/** Django's special case: the new field sets `dbColumn` to the old field's column, nothing else changed. */
function keepsColumn(oldName: string, oldField: Field, newField: Field, naming: Naming): boolean {
  if (newField.kind === 'manyToMany' || oldField.kind === 'manyToMany') return false;
  const column = naming.column(oldName, oldField);
  return newField.dbColumn === column && sameField({ ...oldField, dbColumn: column }, newField);
}
