import { InvalidDefinitionError } from '../errors/index.js';
import type { CheckConstraint, Constraint, IndexDefinition } from '../model/model.js';
import { snakeCase } from '../state/names.js';
import { compactOptions } from '../state/normalize.js';
import type { ModelState, ProjectState } from '../state/project-state.js';
import { withOptions } from '../state/project-state.js';
import { modelReduce } from './model-operations.js';
import type { DatabaseContext, OperationSpec } from './spec.js';
import { replaceWith } from './spec.js';
import { isManaged, sameName } from './shared.js';

function indexNamed(model: ModelState, name: string, what: string): IndexDefinition {
  const found = model.options.indexes?.find((index) => index.name === name);
  if (!found) {
    const known = (model.options.indexes ?? []).map((index) => index.name).join(', ') || 'none';
    throw new InvalidDefinitionError(`${what}: ${model.app}.${model.name} has no index named ${name} at this point in the history (indexes: ${known}).`);
  }
  return found;
}

function constraintNamed(model: ModelState, name: string, what: string): Constraint {
  const found = model.options.constraints?.find((constraint) => constraint.name === name);
  if (!found) {
    const known = (model.options.constraints ?? []).map((c) => c.name).join(', ') || 'none';
    throw new InvalidDefinitionError(`${what}: ${model.app}.${model.name} has no constraint named ${name} at this point in the history (constraints: ${known}).`);
  }
  return found;
}

function requireName(name: string | undefined, what: string): string {
  if (!name) throw new InvalidDefinitionError(`${what} needs a name: every index and constraint in a migration is named.`);
  return name;
}

function addIndexToState(state: ProjectState, app: string, modelName: string, index: IndexDefinition, what: string): ProjectState {
  const model = state.get(app, modelName, what);
  const name = requireName(index.name, what);
  if (model.options.indexes?.some((i) => i.name === name)) {
    throw new InvalidDefinitionError(`${what}: ${app}.${model.name} already has an index named ${name}.`);
  }
  return state.with(withOptions(model, { ...model.options, indexes: [...(model.options.indexes ?? []), index] }));
}

function removeIndexFromState(state: ProjectState, app: string, modelName: string, name: string, what: string): ProjectState {
  const model = state.get(app, modelName, what);
  indexNamed(model, name, what);
  const indexes = model.options.indexes!.filter((index) => index.name !== name);
  return state.with(withOptions(model, compactOptions({ ...model.options, indexes })));
}

function addConstraintToState(state: ProjectState, app: string, modelName: string, constraint: Constraint, what: string): ProjectState {
  const model = state.get(app, modelName, what);
  const name = requireName(constraint.name, what);
  if (model.options.constraints?.some((c) => c.name === name)) {
    throw new InvalidDefinitionError(`${what}: ${app}.${model.name} already has a constraint named ${name}.`);
  }
  return state.with(withOptions(model, { ...model.options, constraints: [...(model.options.constraints ?? []), constraint] }));
}

function removeConstraintFromState(state: ProjectState, app: string, modelName: string, name: string, what: string): ProjectState {
  const model = state.get(app, modelName, what);
  constraintNamed(model, name, what);
  const constraints = model.options.constraints!.filter((c) => c.name !== name);
  return state.with(withOptions(model, compactOptions({ ...model.options, constraints })));
}

function managed(ctx: DatabaseContext, state: ProjectState, name: string): ModelState | undefined {
  const model = state.get(ctx.app, name);
  return isManaged(model) ? model : undefined;
}

const sameModel = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * addIndex and addIndexConcurrently differ only in how PostgreSQL builds the index (CONCURRENTLY
 * takes no write lock but cannot run in a transaction): one spec serves both.
 */
function indexAddition<K extends 'addIndex' | 'addIndexConcurrently'>(concurrently: boolean): OperationSpec<K> {
  const what = concurrently ? 'addIndexConcurrently' : 'addIndex';
  const spec: OperationSpec<'addIndex' | 'addIndexConcurrently'> = {
    stateForwards: (state, app, op) => addIndexToState(state, app, op.model, op.index, what),
    async databaseForwards(ctx, op) {
      const model = managed(ctx, ctx.to, op.model);
      if (model) await ctx.editor.addIndex(model, op.index, { concurrently });
    },
    async databaseBackwards(ctx, op) {
      const model = managed(ctx, ctx.from, op.model);
      if (model) await ctx.editor.removeIndex(model, op.index, { concurrently });
    },
    reversible: () => true,
    describe: (op) =>
      `${concurrently ? 'Concurrently create' : 'Create'} index ${op.index.name} on field(s) ${op.index.fields.join(', ')} of model ${op.model}`,
    nameFragment: (op) => snakeCase(op.index.name ?? `${op.model}_index`),
    referencesModel: (op, app, model) => sameName(op.model, app, model),
    referencesField: (op, app, model, field) => sameName(op.model, app, model) && op.index.fields.includes(field),
    reduce(op, other, app) {
      if (!concurrently && other.kind === 'removeIndex' && sameModel(other.model, op.model) && other.name === op.index.name) {
        return replaceWith();
      }
      if (!concurrently && other.kind === 'renameIndex' && sameModel(other.model, op.model) && other.oldName === op.index.name) {
        return replaceWith({ ...op, kind: 'addIndex', index: { ...op.index, name: other.newName } });
      }
      return modelReduce(op, op.model, other, app);
    },
  };
  return spec as unknown as OperationSpec<K>;
}

export const addIndex = indexAddition<'addIndex'>(false);
export const addIndexConcurrently = indexAddition<'addIndexConcurrently'>(true);

/** removeIndex and removeIndexConcurrently: see indexAddition. */
function indexRemoval<K extends 'removeIndex' | 'removeIndexConcurrently'>(concurrently: boolean): OperationSpec<K> {
  const what = concurrently ? 'removeIndexConcurrently' : 'removeIndex';
  const spec: OperationSpec<'removeIndex' | 'removeIndexConcurrently'> = {
    stateForwards: (state, app, op) => removeIndexFromState(state, app, op.model, op.name, what),
    async databaseForwards(ctx, op) {
      const model = managed(ctx, ctx.from, op.model);
      if (model) await ctx.editor.removeIndex(model, indexNamed(model, op.name, what), { concurrently });
    },
    async databaseBackwards(ctx, op) {
      const model = managed(ctx, ctx.from, op.model);
      if (model) await ctx.editor.addIndex(model, indexNamed(model, op.name, what), { concurrently });
    },
    reversible: () => true,
    describe: (op) => `${concurrently ? 'Concurrently remove' : 'Remove'} index ${op.name} from ${op.model}`,
    nameFragment: (op) => `remove_${snakeCase(op.model)}_${snakeCase(op.name)}`,
    referencesModel: (op, app, model) => sameName(op.model, app, model),
    referencesField: (op, app, model) => sameName(op.model, app, model),
    reduce: (op, other, app) => modelReduce(op, op.model, other, app),
  };
  return spec as unknown as OperationSpec<K>;
}

export const removeIndex = indexRemoval<'removeIndex'>(false);
export const removeIndexConcurrently = indexRemoval<'removeIndexConcurrently'>(true);

export const renameIndex: OperationSpec<'renameIndex'> = {
  stateForwards(state, app, op) {
    const model = state.get(app, op.model, 'renameIndex');
    indexNamed(model, op.oldName, 'renameIndex');
    const indexes = model.options.indexes!.map((index) => (index.name === op.oldName ? { ...index, name: op.newName } : index));
    return state.with(withOptions(model, { ...model.options, indexes }));
  },
  async databaseForwards(ctx, op) {
    const model = managed(ctx, ctx.to, op.model);
    if (model) await ctx.editor.renameIndex(model, op.oldName, op.newName);
  },
  async databaseBackwards(ctx, op) {
    const model = managed(ctx, ctx.from, op.model);
    if (model) await ctx.editor.renameIndex(model, op.newName, op.oldName);
  },
  reversible: () => true,
  describe: (op) => `Rename index ${op.oldName} on ${op.model} to ${op.newName}`,
  nameFragment: (op) => `rename_${snakeCase(op.oldName)}_${snakeCase(op.newName)}`,
  referencesModel: (op, app, model) => sameName(op.model, app, model),
  referencesField: (op, app, model) => sameName(op.model, app, model),
  reduce(op, other, app) {
    if (other.kind === 'renameIndex' && sameModel(other.model, op.model) && other.oldName === op.newName) {
      return replaceWith({ ...op, newName: other.newName });
    }
    return modelReduce(op, op.model, other, app);
  },
};

function constraintFields(constraint: Constraint): readonly string[] {
  return constraint.kind === 'unique' ? constraint.fields : [];
}

export const addConstraint: OperationSpec<'addConstraint'> = {
  stateForwards: (state, app, op) => addConstraintToState(state, app, op.model, op.constraint, 'addConstraint'),
  async databaseForwards(ctx, op) {
    const model = managed(ctx, ctx.to, op.model);
    if (model) await ctx.editor.addConstraint(model, op.constraint);
  },
  async databaseBackwards(ctx, op) {
    const model = managed(ctx, ctx.from, op.model);
    if (model) await ctx.editor.removeConstraint(model, op.constraint);
  },
  reversible: () => true,
  describe: (op) => `Create constraint ${op.constraint.name} on model ${op.model}`,
  nameFragment: (op) => snakeCase(op.constraint.name ?? `${op.model}_constraint`),
  referencesModel: (op, app, model) => sameName(op.model, app, model),
  // A check constraint's SQL may mention any column: when in doubt, say it references the field.
  referencesField: (op, app, model, field) =>
    sameName(op.model, app, model) && (op.constraint.kind === 'check' || constraintFields(op.constraint).includes(field)),
  reduce(op, other, app) {
    if (other.kind === 'removeConstraint' && sameModel(other.model, op.model) && other.name === op.constraint.name) {
      return replaceWith();
    }
    return modelReduce(op, op.model, other, app);
  },
};

export const removeConstraint: OperationSpec<'removeConstraint'> = {
  stateForwards: (state, app, op) => removeConstraintFromState(state, app, op.model, op.name, 'removeConstraint'),
  async databaseForwards(ctx, op) {
    const model = managed(ctx, ctx.from, op.model);
    if (model) await ctx.editor.removeConstraint(model, constraintNamed(model, op.name, 'removeConstraint'));
  },
  async databaseBackwards(ctx, op) {
    const model = managed(ctx, ctx.from, op.model);
    if (model) await ctx.editor.addConstraint(model, constraintNamed(model, op.name, 'removeConstraint'));
  },
  reversible: () => true,
  describe: (op) => `Remove constraint ${op.name} from model ${op.model}`,
  nameFragment: (op) => `remove_${snakeCase(op.model)}_${snakeCase(op.name)}`,
  referencesModel: (op, app, model) => sameName(op.model, app, model),
  referencesField: (op, app, model) => sameName(op.model, app, model),
  reduce: (op, other, app) => modelReduce(op, op.model, other, app),
};

export const addConstraintNotValid: OperationSpec<'addConstraintNotValid'> = {
  stateForwards: (state, app, op) => addConstraintToState(state, app, op.model, op.constraint, 'addConstraintNotValid'),
  async databaseForwards(ctx, op) {
    const model = managed(ctx, ctx.to, op.model);
    if (model) await ctx.editor.addConstraint(model, op.constraint, { notValid: true });
  },
  async databaseBackwards(ctx, op) {
    const model = managed(ctx, ctx.from, op.model);
    if (model) await ctx.editor.removeConstraint(model, op.constraint);
  },
  reversible: () => true,
  describe: (op) => `Create not-valid constraint ${op.constraint.name} on model ${op.model}`,
  nameFragment: (op) => snakeCase(op.constraint.name ?? `${op.model}_constraint`),
  referencesModel: (op, app, model) => sameName(op.model, app, model),
  referencesField: (op, app, model) => sameName(op.model, app, model),
  reduce: (op, other, app) => modelReduce(op, op.model, other, app),
};

export const validateConstraint: OperationSpec<'validateConstraint'> = {
  stateForwards(state, app, op) {
    constraintNamed(state.get(app, op.model, 'validateConstraint'), op.name, 'validateConstraint');
    return state;
  },
  async databaseForwards(ctx, op) {
    const model = managed(ctx, ctx.to, op.model);
    if (!model) return;
    const constraint = constraintNamed(model, op.name, 'validateConstraint');
    if (constraint.kind === 'check') await ctx.editor.validateConstraint(model, constraint as CheckConstraint);
  },
  // Validation only checks existing rows; there is nothing to undo.
  async databaseBackwards() {},
  reversible: () => true,
  describe: (op) => `Validate constraint ${op.name} on model ${op.model}`,
  nameFragment: (op) => `validate_${snakeCase(op.name)}`,
  referencesModel: (op, app, model) => sameName(op.model, app, model),
  referencesField: (op, app, model) => sameName(op.model, app, model),
  reduce: (op, other, app) => modelReduce(op, op.model, other, app),
};

export const createExtension: OperationSpec<'createExtension'> = {
  stateForwards: (state) => state,
  async databaseForwards(ctx, op) {
    await ctx.editor.createExtension(op.name);
  },
  async databaseBackwards(ctx, op) {
    await ctx.editor.dropExtension(op.name);
  },
  reversible: () => true,
  describe: (op) => `Create extension ${op.name}`,
  nameFragment: (op) => `create_extension_${snakeCase(op.name)}`,
  referencesModel: () => false,
  referencesField: () => false,
  reduce: () => ({ kind: 'barrier' }),
};
