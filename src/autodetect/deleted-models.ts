import { isRelation } from '../model/fields.js';
import { ops } from '../operations/ops.js';
import type { Operation } from '../operations/types.js';
import type { ModelState, ProjectState } from '../state/project-state.js';
import { modelKey, resolveReference } from '../state/project-state.js';
import type { OperationDependency, PlannedOperation } from './plan.js';
import { after, alteredField, planned, removedField, removedModel } from './plan.js';

/**
 * Phase 2: deleted models. A model is deleted once everything pointing at it is gone: fields of kept
 * models removed or re-pointed, deleted models that point at it deleted first. Models are visited
 * referrers first, so usually each deletion is one deleteModel; only where deleted models point at
 * each other in a circle is a relation field removed on its own first (Django removes them always),
 * together with the indexes, unique constraints and uniqueTogether sets that name it.
 */
export function planDeletedModels(state: ProjectState, deleted: readonly ModelState[]): PlannedOperation[] {
  const order = referrersFirst(state, deleted);
  const position = new Map(order.map((model, i) => [modelKey(model.app, model.name), i]));
  const out: PlannedOperation[] = [];
  const deletionNeeds = new Map<ModelState, OperationDependency[]>(order.map((m) => [m, []]));
  for (const model of order) {
    for (const [fieldName, field] of model.fields) {
      if (!isRelation(field)) continue;
      for (const reference of [field.to, field.kind === 'manyToMany' ? field.through : undefined]) {
        if (reference === undefined) continue;
        const { app, name } = resolveReference(reference as string, model.app);
        const targetAt = position.get(modelKey(app, name));
        const target = targetAt === undefined ? undefined : order[targetAt];
        if (!target || target === model) continue;
        if (targetAt! > position.get(modelKey(model.app, model.name))!) {
          deletionNeeds.get(target)!.push(removedModel(model.app, model.name));
        } else {
          // A circle: this field must go before the target, which is deleted before this model.
          out.push(...removeRelationField(model, fieldName));
          deletionNeeds.get(target)!.push(removedField(model.app, model.name, fieldName));
        }
      }
    }
  }
  for (const model of order) {
    const needs = [...deletionNeeds.get(model)!];
    for (const [source, fieldName] of state.relationsTo(model.app, model.name)) {
      if (position.has(modelKey(source.app, source.name))) continue;
      needs.push(removedField(source.app, source.name, fieldName), alteredField(source.app, source.name, fieldName));
    }
    out.push(planned(model.app, ops.deleteModel({ name: model.name }), needs));
  }
  return out;
}

/** removeField for a deleted model's relation, after whatever on the model names that field. */
function removeRelationField(model: ModelState, fieldName: string): PlannedOperation[] {
  const { app, name } = model;
  const first: Operation[] = [];
  for (const index of model.options.indexes ?? []) {
    if (index.fields.includes(fieldName)) first.push(ops.removeIndex({ model: name, name: index.name! }));
  }
  for (const constraint of model.options.constraints ?? []) {
    if (constraint.kind === 'unique' && constraint.fields.includes(fieldName)) {
      first.push(ops.removeConstraint({ model: name, name: constraint.name! }));
    }
  }
  const sets = model.options.uniqueTogether ?? [];
  if (sets.some((set) => set.includes(fieldName))) {
    first.push(ops.alterUniqueTogether({ name, uniqueTogether: sets.filter((set) => !set.includes(fieldName)) }));
  }
  return [
    ...first.map((op) => planned(app, op)),
    planned(app, ops.removeField({ model: name, name: fieldName }), first.map((op) => after(app, op))),
  ];
}

/** Deleted models ordered so that a model comes after the deleted models pointing at it, when there is no circle. */
function referrersFirst(state: ProjectState, deleted: readonly ModelState[]): ModelState[] {
  const keys = new Map(deleted.map((model) => [modelKey(model.app, model.name), model]));
  const out: ModelState[] = [];
  const seen = new Set<ModelState>();
  const visit = (model: ModelState) => {
    if (seen.has(model)) return;
    seen.add(model);
    for (const [source] of state.relationsTo(model.app, model.name)) {
      const referrer = keys.get(modelKey(source.app, source.name));
      if (referrer && referrer !== model) visit(referrer);
    }
    out.push(model);
  };
  for (const model of deleted) visit(model);
  return out;
}
