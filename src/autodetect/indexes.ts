import type { Constraint, IndexDefinition } from '../model/model.js';
import { ops } from '../operations/ops.js';
import type { Operation } from '../operations/types.js';
import type { ModelPair } from './compare.js';
import { canonical } from './compare.js';
import type { OperationDependency, PlannedOperation } from './plan.js';
import { after, createdField, createdModel, planned } from './plan.js';

export interface IndexChanges {
  readonly removedConstraints: PlannedOperation[];
  readonly removedIndexes: PlannedOperation[];
  readonly renamedIndexes: PlannedOperation[];
  readonly addedIndexes: PlannedOperation[];
  readonly addedConstraints: PlannedOperation[];
  /** Removals of indexes/constraints on the model that involve `field` (every check: its SQL may). */
  precedingRemovals(app: string, model: string, field: string): Operation[];
}

/** A removal, with the fields it involved ('any' for a check constraint). */
interface Removal {
  readonly op: Operation;
  readonly fields: readonly string[] | 'any';
}

/**
 * Indexes and constraints of kept models, compared by name after renames were replayed. An index
 * that only changed its name (same fields and condition) is renamed; one whose definition changed
 * is removed and added again. Constraints have no rename operation: they are removed and added.
 */
export function planIndexChanges(pairs: readonly ModelPair[]): IndexChanges {
  const changes = {
    removedConstraints: [] as PlannedOperation[],
    removedIndexes: [] as PlannedOperation[],
    renamedIndexes: [] as PlannedOperation[],
    addedIndexes: [] as PlannedOperation[],
    addedConstraints: [] as PlannedOperation[],
  };
  const removalsByModel = new Map<string, Removal[]>();
  for (const pair of pairs) {
    const indexes = planIndexes(pair);
    const constraints = planConstraints(pair);
    changes.removedIndexes.push(...indexes.removed);
    changes.renamedIndexes.push(...indexes.renamed);
    changes.addedIndexes.push(...indexes.added);
    changes.removedConstraints.push(...constraints.removed);
    changes.addedConstraints.push(...constraints.added);
    removalsByModel.set(`${pair.app}.${pair.after.name.toLowerCase()}`, [...indexes.removals, ...constraints.removals]);
  }
  return {
    ...changes,
    precedingRemovals: (app, model, field) =>
      (removalsByModel.get(`${app}.${model.toLowerCase()}`) ?? [])
        .filter((r) => r.fields === 'any' || r.fields.includes(field))
        .map((r) => r.op),
  };
}

const withoutName = (value: IndexDefinition | Constraint) => canonical({ ...value, name: undefined });

function fieldsExist(app: string, model: string, fields: readonly string[]): OperationDependency[] {
  return [createdModel(app, model), ...fields.map((field) => createdField(app, model, field))];
}

function planIndexes({ app, before, after: model }: ModelPair) {
  const name = model.name;
  const { removed, added } = diffByName(before.options.indexes ?? [], model.options.indexes ?? []);
  // A rename: an index gone under a name no longer used, one added under a name not used before,
  // same definition otherwise.
  const oldNames = new Set((before.options.indexes ?? []).map((i) => i.name));
  const newNames = new Set((model.options.indexes ?? []).map((i) => i.name));
  const renamedFrom = new Map<IndexDefinition, IndexDefinition>();
  for (const index of added) {
    if (oldNames.has(index.name)) continue;
    const taken = new Set(renamedFrom.values());
    const match = removed.find((old) => !newNames.has(old.name) && !taken.has(old) && withoutName(old) === withoutName(index));
    if (match) renamedFrom.set(index, match);
  }
  const renamedOld = new Set(renamedFrom.values());
  const removals: Removal[] = removed
    .filter((old) => !renamedOld.has(old))
    .map((old) => ({ op: ops.removeIndex({ model: name, name: old.name! }), fields: old.fields }));
  const replaced = (indexName: string | undefined) => removals.find((r) => r.op.kind === 'removeIndex' && r.op.name === indexName);
  return {
    removals,
    removed: removals.map((r) => planned(app, r.op, [createdModel(app, name)])),
    renamed: [...renamedFrom].map(([index, old]) =>
      planned(app, ops.renameIndex({ model: name, oldName: old.name!, newName: index.name! }), [createdModel(app, name)]),
    ),
    added: added
      .filter((index) => !renamedFrom.has(index))
      .map((index) => {
        const previous = replaced(index.name);
        const dependencies = [...fieldsExist(app, name, index.fields), ...(previous ? [after(app, previous.op)] : [])];
        return planned(app, ops.addIndex({ model: name, index }), dependencies);
      }),
  };
}

function planConstraints({ app, before, after: model }: ModelPair) {
  const name = model.name;
  const { removed, added } = diffByName(before.options.constraints ?? [], model.options.constraints ?? []);
  const removals: Removal[] = removed.map((old) => ({
    op: ops.removeConstraint({ model: name, name: old.name! }),
    fields: old.kind === 'unique' ? old.fields : 'any',
  }));
  const replaced = (constraintName: string | undefined) =>
    removals.find((r) => r.op.kind === 'removeConstraint' && r.op.name === constraintName);
  return {
    removals,
    removed: removals.map((r) => planned(app, r.op, [createdModel(app, name)])),
    added: added.map((constraint) => {
      // A check's SQL may mention any column: wait for every field the model ends up with.
      const fields = constraint.kind === 'unique' ? constraint.fields : model.fields.map(([field]) => field);
      const previous = replaced(constraint.name);
      const dependencies = [...fieldsExist(app, name, fields), ...(previous ? [after(app, previous.op)] : [])];
      return planned(app, ops.addConstraint({ model: name, constraint }), dependencies);
    }),
  };
}

/** Entries whose name is new or whose definition changed (added), and the ones they replace or drop (removed). */
function diffByName<T extends IndexDefinition | Constraint>(before: readonly T[], after: readonly T[]): { removed: T[]; added: T[] } {
  const oldByName = new Map(before.map((item) => [item.name, canonical(item)]));
  const newByName = new Map(after.map((item) => [item.name, canonical(item)]));
  return {
    removed: before.filter((item) => newByName.get(item.name) !== canonical(item)),
    added: after.filter((item) => oldByName.get(item.name) !== canonical(item)),
  };
}
