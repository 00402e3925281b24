import type { Field } from '../model/fields.js';
import { isRelation } from '../model/fields.js';
import { ops } from '../operations/ops.js';
import { compactOptions } from '../state/normalize.js';
import type { ModelState } from '../state/project-state.js';
import type { OperationDependency, PlannedOperation } from './plan.js';
import { createdField, createdModel, planned, relationDependencies, removedModel } from './plan.js';

/**
 * Phase 3: created models. Each becomes a createModel without its relation fields (a primary key
 * that is a relation stays), followed by one addField per relation and then its indexes, constraints
 * and uniqueTogether. Splitting relations out is what lets models that point at each other — in one
 * app or across apps — be created at all; the optimizer folds them back where it can.
 *
 * `models` holds the createModel operations (which go first in their app's list, as in Django), `rest`
 * everything that follows them.
 */
export function planCreatedModels(created: readonly ModelState[]): { models: PlannedOperation[]; rest: PlannedOperation[] } {
  const models: PlannedOperation[] = [];
  const rest: PlannedOperation[] = [];
  for (const model of created) {
    const { app, name } = model;
    const isDeferred = ([, field]: readonly [string, Field]) => isRelation(field) && !(field.kind !== 'manyToMany' && field.primaryKey);
    const deferred = model.fields.filter(isDeferred);
    const kept = model.fields.filter((entry) => !isDeferred(entry));
    const { indexes, constraints, uniqueTogether, ...options } = model.options;
    // The name must be free: a model renamed away from it goes first.
    const dependencies: OperationDependency[] = [removedModel(app, name), ...kept.flatMap(([, field]) => relationDependencies(field))];
    const compact = compactOptions(options);
    models.push(
      planned(
        app,
        ops.createModel({ name, fields: Object.fromEntries(kept), ...(Object.keys(compact).length ? { options: compact } : {}) }),
        dependencies,
      ),
    );
    for (const [fieldName, field] of deferred) {
      rest.push(planned(app, ops.addField({ model: name, name: fieldName, field }), [...relationDependencies(field), createdModel(app, name)]));
    }
    const fieldsExist = (fields: readonly string[]) => [createdModel(app, name), ...fields.map((f) => createdField(app, name, f))];
    const allRelations = deferred.map(([fieldName]) => fieldName);
    for (const index of indexes ?? []) rest.push(planned(app, ops.addIndex({ model: name, index }), fieldsExist(index.fields)));
    for (const constraint of constraints ?? []) {
      // A check's SQL may mention any column: wait for all of them.
      const fields = constraint.kind === 'unique' ? constraint.fields : allRelations;
      rest.push(planned(app, ops.addConstraint({ model: name, constraint }), fieldsExist(fields)));
    }
    if (uniqueTogether?.length) {
      rest.push(planned(app, ops.alterUniqueTogether({ name, uniqueTogether }), fieldsExist(uniqueTogether.flat())));
    }
  }
  return { models, rest };
}
