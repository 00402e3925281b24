import { InvalidDefinitionError } from '../errors/index.js';
import type { Field } from '../model/fields.js';
import { isRelation } from '../model/fields.js';
import { snakeCase } from '../state/names.js';
import { normalizeField, removeFieldFromOptions, renameFieldInOptions } from '../state/normalize.js';
import type { ModelState, ProjectState } from '../state/project-state.js';
import { getField, modelKey, resolveReference, withFields, withOptions } from '../state/project-state.js';
import { refersTo } from './model-operations.js';
import type { DatabaseContext, ModelRef, OperationSpec, Reduction } from './spec.js';
import { barrier, passThrough, replaceWith } from './spec.js';
import { crossesModelChange, elidableReduce, isManaged, sameName } from './shared.js';
import type { Operation } from './types.js';

function requireField(model: ModelState, name: string, what: string): Field {
  const field = getField(model, name);
  if (!field) {
    const known = model.fields.map(([n]) => n).join(', ');
    throw new InvalidDefinitionError(
      `${what}: field ${model.app}.${model.name}.${name} does not exist at this point in the history (fields: ${known}).`,
    );
  }
  return field;
}

/** The field as stored in the state: a one-off default (preserveDefault: false) is not kept. */
function storedField(field: Field, app: string, preserveDefault: boolean | undefined): Field {
  const normalized = normalizeField(field, app);
  if (preserveDefault !== false || normalized.kind === 'manyToMany' || normalized.default === undefined) return normalized;
  const { default: _oneOff, ...rest } = normalized;
  return rest as Field;
}

/** True if `field` (declared in `app`) is a relation pointing at `model`. Biased towards yes. */
function fieldPointsAt(field: Field | undefined, app: string, model: ModelRef): boolean {
  if (!field || !isRelation(field)) return false;
  if (refersTo(field.to as string, app, model)) return true;
  return field.kind === 'manyToMany' && refersTo(field.through as string | undefined, app, model);
}

function fieldReferences(
  opModel: string,
  opField: string,
  field: Field | undefined,
  app: string,
  model: ModelRef,
  name: string,
): boolean {
  if (sameName(opModel, app, model) && opField.toLowerCase() === name.toLowerCase()) return true;
  return fieldPointsAt(field, app, model);
}

/**
 * The default reduction of an operation on one field: pass through anything that does not reference
 * that field, stop at anything that does.
 */
function fieldReduce(op: Operation, modelName: string, names: readonly string[], other: Operation, app: string): Reduction {
  const elided = elidableReduce(op, other);
  if (elided) return elided;
  if (crossesModelChange(op, other, app, referencesModelOf)) return barrier;
  const model = { app, name: modelName };
  return names.some((name) => referencesField(other, app, model, name)) ? barrier : passThrough;
}

// Late-bound to avoid an import cycle with the registry.
let referencesModelOf: (op: Operation, app: string, model: ModelRef) => boolean = () => true;
let referencesField: (op: Operation, app: string, model: ModelRef, field: string) => boolean = () => true;
export function bindReferencesField(fn: typeof referencesField, modelFn: typeof referencesModelOf): void {
  referencesField = fn;
  referencesModelOf = modelFn;
}

const sameField = (a: { model: string; name: string }, model: string, name: string) =>
  a.model.toLowerCase() === model.toLowerCase() && a.name.toLowerCase() === name.toLowerCase();

function replaceField(state: ProjectState, model: ModelState, name: string, field: Field): ProjectState {
  return state.with(withFields(model, model.fields.map(([n, f]) => (n === name ? ([n, field] as const) : ([n, f] as const)))));
}

function managed(ctx: DatabaseContext, state: ProjectState, name: string): ModelState | undefined {
  const model = state.get(ctx.app, name);
  return isManaged(model) ? model : undefined;
}

export const addField: OperationSpec<'addField'> = {
  stateForwards(state, app, op) {
    const model = state.get(app, op.model, 'addField');
    if (getField(model, op.name)) {
      throw new InvalidDefinitionError(`Cannot add field ${app}.${model.name}.${op.name}: it already exists at this point in the history.`);
    }
    return state.with(withFields(model, [...model.fields, [op.name, storedField(op.field, app, op.preserveDefault)]]));
  },
  async databaseForwards(ctx, op) {
    const model = managed(ctx, ctx.to, op.model);
    // The field as written, with a one-off default that fills the existing rows.
    if (model) await ctx.editor.addField(model, op.name, normalizeField(op.field, ctx.app), ctx.to);
  },
  async databaseBackwards(ctx, op) {
    const model = managed(ctx, ctx.to, op.model);
    if (model) await ctx.editor.removeField(model, op.name, requireField(model, op.name, 'addField'), ctx.to);
  },
  reversible: () => true,
  describe: (op) => `Add field ${op.name} to ${op.model}`,
  nameFragment: (op) => `${snakeCase(op.model)}_${snakeCase(op.name)}`,
  referencesModel: (op, app, model) => sameName(op.model, app, model) || fieldPointsAt(op.field, app, model),
  referencesField: (op, app, model, name) => fieldReferences(op.model, op.name, op.field, app, model, name),
  reduce(op, other, app) {
    if (other.kind === 'alterField' && sameField(other, op.model, op.name) && other.preserveDefault !== false) {
      return replaceWith({ ...op, field: other.field });
    }
    if (other.kind === 'removeField' && sameField(other, op.model, op.name)) return replaceWith();
    if (other.kind === 'renameField' && sameField({ model: other.model, name: other.oldName }, op.model, op.name)) {
      return replaceWith({ ...op, name: other.newName });
    }
    if (other.kind === 'deleteModel' && other.name.toLowerCase() === op.model.toLowerCase()) return replaceWith(other);
    return fieldReduce(op, op.model, [op.name], other, app);
  },
};

export const removeField: OperationSpec<'removeField'> = {
  stateForwards(state, app, op) {
    const model = state.get(app, op.model, 'removeField');
    const field = requireField(model, op.name, 'removeField');
    const fields = model.fields.filter(([n]) => n !== op.name && n.toLowerCase() !== op.name.toLowerCase());
    void field;
    return state.with(withOptions(withFields(model, fields), removeFieldFromOptions(model.options, op.name)));
  },
  async databaseForwards(ctx, op) {
    const model = managed(ctx, ctx.from, op.model);
    if (model) await ctx.editor.removeField(model, op.name, requireField(model, op.name, 'removeField'), ctx.from);
  },
  async databaseBackwards(ctx, op) {
    const model = managed(ctx, ctx.from, op.model);
    if (model) await ctx.editor.addField(model, op.name, requireField(model, op.name, 'removeField'), ctx.from);
  },
  reversible: () => true,
  describe: (op) => `Remove field ${op.name} from ${op.model}`,
  nameFragment: (op) => `remove_${snakeCase(op.model)}_${snakeCase(op.name)}`,
  // The removed field's definition is not in the operation: it may have been a relation to anything.
  referencesModel: () => true,
  referencesField: (op, app, model, name) =>
    !sameName(op.model, app, model) || op.name.toLowerCase() === name.toLowerCase(),
  reduce(op, other, app) {
    if (other.kind === 'deleteModel' && other.name.toLowerCase() === op.model.toLowerCase()) return replaceWith(other);
    return fieldReduce(op, op.model, [op.name], other, app);
  },
};

export const alterField: OperationSpec<'alterField'> = {
  stateForwards(state, app, op) {
    const model = state.get(app, op.model, 'alterField');
    const old = requireField(model, op.name, 'alterField');
    void old;
    const name = model.fields.find(([n]) => n.toLowerCase() === op.name.toLowerCase())![0];
    return replaceField(state, model, name, storedField(op.field, app, op.preserveDefault));
  },
  async databaseForwards(ctx, op) {
    const fromModel = ctx.from.get(ctx.app, op.model);
    const toModel = ctx.to.get(ctx.app, op.model);
    if (!isManaged(toModel)) return;
    const oldField = requireField(fromModel, op.name, 'alterField');
    await ctx.editor.alterField(fromModel, op.name, oldField, toModel, op.name, normalizeField(op.field, ctx.app), ctx.from, ctx.to);
  },
  async databaseBackwards(ctx, op) {
    const fromModel = ctx.to.get(ctx.app, op.model);
    const toModel = ctx.from.get(ctx.app, op.model);
    if (!isManaged(toModel)) return;
    const current = requireField(fromModel, op.name, 'alterField');
    const previous = requireField(toModel, op.name, 'alterField');
    await ctx.editor.alterField(fromModel, op.name, current, toModel, op.name, previous, ctx.to, ctx.from);
  },
  reversible: () => true,
  describe: (op) => `Alter field ${op.name} on ${op.model}`,
  nameFragment: (op) => `alter_${snakeCase(op.model)}_${snakeCase(op.name)}`,
  referencesModel: (op, app, model) => sameName(op.model, app, model) || fieldPointsAt(op.field, app, model),
  referencesField: (op, app, model, name) => fieldReferences(op.model, op.name, op.field, app, model, name),
  reduce(op, other, app) {
    if ((other.kind === 'alterField' || other.kind === 'removeField') && sameField(other, op.model, op.name)) {
      return replaceWith(other);
    }
    if (other.kind === 'renameField' && sameField({ model: other.model, name: other.oldName }, op.model, op.name)) {
      return replaceWith(other, { ...op, name: other.newName });
    }
    return fieldReduce(op, op.model, [op.name], other, app);
  },
};

export const renameField: OperationSpec<'renameField'> = {
  stateForwards(state, app, op) {
    const model = state.get(app, op.model, 'renameField');
    requireField(model, op.oldName, 'renameField');
    if (getField(model, op.newName) && op.oldName.toLowerCase() !== op.newName.toLowerCase()) {
      throw new InvalidDefinitionError(`Cannot rename ${app}.${model.name}.${op.oldName} to ${op.newName}: that field already exists.`);
    }
    const fields = model.fields.map(([n, f]) =>
      n.toLowerCase() === op.oldName.toLowerCase() ? ([op.newName, f] as const) : ([n, f] as const),
    );
    let next = state.with(withOptions(withFields(model, fields), renameFieldInOptions(model.options, op.oldName, op.newName)));
    // Foreign keys elsewhere that target the renamed field by `toField` follow it.
    const key = modelKey(app, model.name);
    next = next.mapModels((other) => {
      let changed = false;
      const updated = other.fields.map(([n, f]) => {
        if ((f.kind === 'foreignKey' || f.kind === 'oneToOne') && f.toField === op.oldName) {
          const to = resolveReference(f.to as string, other.app);
          if (modelKey(to.app, to.name) === key) {
            changed = true;
            return [n, { ...f, toField: op.newName }] as const;
          }
        }
        return [n, f] as const;
      });
      return changed ? withFields(other, updated) : other;
    });
    return next;
  },
  async databaseForwards(ctx, op) {
    const fromModel = ctx.from.get(ctx.app, op.model);
    const toModel = ctx.to.get(ctx.app, op.model);
    if (!isManaged(toModel)) return;
    const field = requireField(fromModel, op.oldName, 'renameField');
    const renamed = requireField(toModel, op.newName, 'renameField');
    await ctx.editor.alterField(fromModel, op.oldName, field, toModel, op.newName, renamed, ctx.from, ctx.to);
  },
  async databaseBackwards(ctx, op) {
    const fromModel = ctx.to.get(ctx.app, op.model);
    const toModel = ctx.from.get(ctx.app, op.model);
    if (!isManaged(toModel)) return;
    const field = requireField(fromModel, op.newName, 'renameField');
    const renamed = requireField(toModel, op.oldName, 'renameField');
    await ctx.editor.alterField(fromModel, op.newName, field, toModel, op.oldName, renamed, ctx.to, ctx.from);
  },
  reversible: () => true,
  describe: (op) => `Rename field ${op.oldName} on ${op.model} to ${op.newName}`,
  nameFragment: (op) => `rename_${snakeCase(op.oldName)}_${snakeCase(op.model)}_${snakeCase(op.newName)}`,
  referencesModel: (op, app, model) => sameName(op.model, app, model),
  referencesField: (op, app, model, name) =>
    sameName(op.model, app, model) &&
    [op.oldName, op.newName].some((n) => n.toLowerCase() === name.toLowerCase()),
  reduce(op, other, app) {
    if (
      other.kind === 'renameField' &&
      other.model.toLowerCase() === op.model.toLowerCase() &&
      other.oldName.toLowerCase() === op.newName.toLowerCase()
    ) {
      return replaceWith({ ...op, newName: other.newName });
    }
    return fieldReduce(op, op.model, [op.oldName, op.newName], other, app);
  },
};
