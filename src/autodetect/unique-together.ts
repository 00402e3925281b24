import { ops } from '../operations/ops.js';
import type { Operation } from '../operations/types.js';
import type { ModelPair } from './compare.js';
import type { OperationDependency, PlannedOperation } from './plan.js';
import { after, createdField, createdModel, planned } from './plan.js';

/**
 * uniqueTogether changes in two steps, as Django does: before fields are removed, drop the sets that
 * go away (keeping the ones that stay), and after fields are added, set the final value. Removing a
 * field that is still in a set would otherwise change the set instead of dropping it.
 */
export function planUniqueTogether(pairs: readonly ModelPair[]): {
  removals: PlannedOperation[];
  finals: PlannedOperation[];
  precedingRemovals: (app: string, model: string, field: string) => Operation[];
} {
  const removals: PlannedOperation[] = [];
  const finals: PlannedOperation[] = [];
  const removalOf = new Map<string, { op: Operation; fields: Set<string> }>();
  for (const { app, before, after: model } of pairs) {
    const name = model.name;
    const oldSets = before.options.uniqueTogether ?? [];
    const newSets = model.options.uniqueTogether ?? [];
    const key = (set: readonly string[]) => JSON.stringify(set);
    const oldKeys = new Set(oldSets.map(key));
    const newKeys = new Set(newSets.map(key));
    const staying = newSets.filter((set) => oldKeys.has(key(set)));
    let removal: Operation | undefined;
    if (oldSets.some((set) => !newKeys.has(key(set)))) {
      removal = ops.alterUniqueTogether({ name, uniqueTogether: staying });
      removals.push(planned(app, removal, [createdModel(app, name)]));
      removalOf.set(`${app}.${name.toLowerCase()}`, { op: removal, fields: new Set(oldSets.flat()) });
    }
    if (newSets.some((set) => !oldKeys.has(key(set)))) {
      const dependencies: OperationDependency[] = [createdModel(app, name), ...newSets.flat().map((f) => createdField(app, name, f))];
      if (removal) dependencies.push(after(app, removal));
      finals.push(planned(app, ops.alterUniqueTogether({ name, uniqueTogether: newSets }), dependencies));
    }
  }
  return {
    removals,
    finals,
    precedingRemovals: (app, model, field) => {
      const removal = removalOf.get(`${app}.${model.toLowerCase()}`);
      return removal && removal.fields.has(field) ? [removal.op] : [];
    },
  };
}
