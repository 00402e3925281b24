import { InvalidDefinitionError } from '../errors/index.js';
import type { Field } from '../model/fields.js';
import { isRelation } from '../model/fields.js';
import type { ModelOptions } from '../model/model.js';
import { snakeCase } from '../state/names.js';
import { compactOptions, normalizeField, removeFieldFromOptions, renameFieldInOptions } from '../state/normalize.js';
import type { ModelState, ProjectState } from '../state/project-state.js';
import { modelKey, resolveReference, withFields, withOptions } from '../state/project-state.js';
import type { DatabaseContext, ModelRef, OperationSpec, Reduction } from './spec.js';
import { barrier, passThrough, replaceWith } from './spec.js';
import type { CreateModel, Operation } from './types.js';
import { crossesModelChange, elidableReduce, isManaged, sameName } from './shared.js';

export function refersTo(reference: string | undefined, app: string, model: ModelRef): boolean {
  if (reference === undefined) return false;
  const resolved = resolveReference(reference, app);
  return resolved.app === model.app && resolved.name.toLowerCase() === model.name.toLowerCase();
}

/** True if any relation field in `fields` points at (or through) `model`. */
function fieldsReference(fields: Iterable<Field>, app: string, model: ModelRef): boolean {
  for (const field of fields) {
    if (!isRelation(field)) continue;
    if (refersTo(field.to as string, app, model)) return true;
    if (field.kind === 'manyToMany' && refersTo(field.through as string | undefined, app, model)) return true;
  }
  return false;
}

/**
 * The default reduction of an operation on one model: pass through anything that does not reference
 * the same model, stop at anything that does.
 */
export function modelReduce(op: Operation, name: string, other: Operation, app: string): Reduction {
  const elided = elidableReduce(op, other);
  if (elided) return elided;
  if (crossesModelChange(op, other, app, referencesModel)) return barrier;
  return referencesModel(other, app, { app, name }) ? barrier : passThrough;
}

// Late-bound to avoid an import cycle with the registry.
let referencesModel: (op: Operation, app: string, model: ModelRef) => boolean = () => true;
export function bindReferencesModel(fn: typeof referencesModel): void {
  referencesModel = fn;
}

function buildModel(app: string, op: CreateModel): ModelState {
  const fields = Object.entries(op.fields).map(([name, field]) => [name, normalizeField(field, app)] as const);
  return { app, name: op.name, fields, options: compactOptions(op.options ?? {}) };
}

/** The fields of a created model with relations to itself pointed at its new name. */
function repointSelf(op: CreateModel, app: string, newName: string): Readonly<Record<string, Field>> {
  const self = { app, name: op.name };
  const newReference = `${app}.${newName}`;
  return Object.fromEntries(
    Object.entries(op.fields).map(([name, field]) => {
      if (!isRelation(field)) return [name, field];
      let updated: Field = field;
      if (refersTo(field.to as string, app, self)) updated = { ...updated, to: newReference } as Field;
      if (field.kind === 'manyToMany' && refersTo(field.through as string | undefined, app, self)) {
        updated = { ...updated, through: newReference } as Field;
      }
      return [name, updated];
    }),
  );
}

function managedModel(ctx: DatabaseContext, state: ProjectState, name: string): ModelState | undefined {
  const model = state.get(ctx.app, name);
  return isManaged(model) ? model : undefined;
}

export const createModel: OperationSpec<'createModel'> = {
  stateForwards(state, app, op) {
    if (state.find(app, op.name)) {
      throw new InvalidDefinitionError(`Cannot create model ${app}.${op.name}: it already exists at this point in the history.`);
    }
    return state.with(buildModel(app, op));
  },
  async databaseForwards(ctx, op) {
    const model = managedModel(ctx, ctx.to, op.name);
    if (model) await ctx.editor.createModel(model, ctx.to);
  },
  async databaseBackwards(ctx, op) {
    const model = managedModel(ctx, ctx.to, op.name);
    if (model) await ctx.editor.deleteModel(model, ctx.to);
  },
  reversible: () => true,
  describe: (op) => `Create model ${op.name}`,
  nameFragment: (op) => snakeCase(op.name),
  referencesModel: (op, app, model) =>
    sameName(op.name, app, model) || fieldsReference(Object.values(op.fields), app, model),
  referencesField: (op, app, model) => createModel.referencesModel(op, app, model),
  reduce(op, other, app) {
    const mine = (name: string) => name.toLowerCase() === op.name.toLowerCase();
    switch (other.kind) {
      case 'deleteModel':
        if (mine(other.name)) return replaceWith();
        break;
      case 'renameModel':
        if (mine(other.oldName)) return replaceWith({ ...op, name: other.newName, fields: repointSelf(op, app, other.newName) });
        break;
      case 'alterModelOptions':
        if (mine(other.name)) return replaceWith({ ...op, options: compactOptions({ ...op.options, ...other.options }) });
        break;
      case 'alterUniqueTogether':
        if (mine(other.name)) {
          return replaceWith({ ...op, options: compactOptions({ ...op.options, uniqueTogether: other.uniqueTogether }) });
        }
        break;
      case 'alterModelTable':
        if (mine(other.name)) {
          return replaceWith({ ...op, options: compactOptions({ ...op.options, dbTable: other.table ?? undefined }) });
        }
        break;
      case 'addField':
        if (mine(other.model) && other.preserveDefault !== false) {
          return replaceWith({ ...op, fields: { ...op.fields, [other.name]: other.field } });
        }
        break;
      case 'alterField':
        if (mine(other.model) && other.preserveDefault !== false && other.name in op.fields) {
          return replaceWith({ ...op, fields: { ...op.fields, [other.name]: other.field } });
        }
        break;
      case 'removeField':
        if (mine(other.model) && other.name in op.fields) {
          const fields = Object.fromEntries(Object.entries(op.fields).filter(([name]) => name !== other.name));
          return replaceWith({ ...op, fields, options: removeFieldFromOptions(op.options ?? {}, other.name) });
        }
        break;
      case 'renameField':
        if (mine(other.model) && other.oldName in op.fields) {
          const fields = Object.fromEntries(
            Object.entries(op.fields).map(([name, field]) => [name === other.oldName ? other.newName : name, field]),
          );
          return replaceWith({ ...op, fields, options: renameFieldInOptions(op.options ?? {}, other.oldName, other.newName) });
        }
        break;
      case 'addIndex':
        if (mine(other.model)) {
          return replaceWith({ ...op, options: { ...op.options, indexes: [...(op.options?.indexes ?? []), other.index] } });
        }
        break;
      case 'addConstraint':
        if (mine(other.model)) {
          const constraints = [...(op.options?.constraints ?? []), other.constraint];
          return replaceWith({ ...op, options: { ...op.options, constraints } });
        }
        break;
      default:
        break;
    }
    return modelReduce(op, op.name, other, app);
  },
};

export const deleteModel: OperationSpec<'deleteModel'> = {
  stateForwards(state, app, op) {
    state.get(app, op.name, 'deleteModel');
    return state.without(app, op.name);
  },
  async databaseForwards(ctx, op) {
    const model = managedModel(ctx, ctx.from, op.name);
    if (model) await ctx.editor.deleteModel(model, ctx.from);
  },
  async databaseBackwards(ctx, op) {
    const model = managedModel(ctx, ctx.from, op.name);
    if (model) await ctx.editor.createModel(model, ctx.from);
  },
  reversible: () => true,
  describe: (op) => `Delete model ${op.name}`,
  nameFragment: (op) => `delete_${snakeCase(op.name)}`,
  // A deleted model may be referenced by anything that pointed at it; say yes when in doubt.
  referencesModel: () => true,
  referencesField: () => true,
  reduce: (op, other, app) => modelReduce(op, op.name, other, app),
};

export const renameModel: OperationSpec<'renameModel'> = {
  stateForwards(state, app, op) {
    const old = state.get(app, op.oldName, 'renameModel');
    if (state.find(app, op.newName) && op.oldName.toLowerCase() !== op.newName.toLowerCase()) {
      throw new InvalidDefinitionError(`Cannot rename ${app}.${op.oldName} to ${op.newName}: ${app}.${op.newName} already exists.`);
    }
    let next = state.replace(app, op.oldName, { ...old, name: op.newName });
    const oldKey = modelKey(app, op.oldName);
    const newReference = `${app}.${op.newName}`;
    // Repoint every relation at the renamed model.
    next = next.mapModels((model) => {
      let changed = false;
      const fields = model.fields.map(([name, field]) => {
        if (!isRelation(field)) return [name, field] as const;
        let updated: Field = field;
        const to = resolveReference(field.to as string, model.app);
        if (modelKey(to.app, to.name) === oldKey) updated = { ...updated, to: newReference } as Field;
        if (field.kind === 'manyToMany' && field.through) {
          const through = resolveReference(field.through as string, model.app);
          if (modelKey(through.app, through.name) === oldKey) updated = { ...updated, through: newReference } as Field;
        }
        if (updated !== field) changed = true;
        return [name, updated] as const;
      });
      return changed ? withFields(model, fields) : model;
    });
    return next;
  },
  async databaseForwards(ctx, op) {
    const from = ctx.from.get(ctx.app, op.oldName);
    const to = ctx.to.get(ctx.app, op.newName);
    if (isManaged(to)) await ctx.editor.renameModel(from, to, ctx.from, ctx.to);
  },
  async databaseBackwards(ctx, op) {
    const from = ctx.to.get(ctx.app, op.newName);
    const to = ctx.from.get(ctx.app, op.oldName);
    if (isManaged(to)) await ctx.editor.renameModel(from, to, ctx.to, ctx.from);
  },
  reversible: () => true,
  describe: (op) => `Rename model ${op.oldName} to ${op.newName}`,
  nameFragment: (op) => `rename_${snakeCase(op.oldName)}_${snakeCase(op.newName)}`,
  referencesModel: (op, app, model) => sameName(op.oldName, app, model) || sameName(op.newName, app, model),
  referencesField: (op, app, model) => renameModel.referencesModel(op, app, model),
  reduce(op, other, app) {
    if (other.kind === 'renameModel' && other.oldName.toLowerCase() === op.newName.toLowerCase()) {
      return replaceWith({ ...op, newName: other.newName });
    }
    // A rename can be optimized through anything that does not mention either name.
    const elided = elidableReduce(op, other);
    if (elided) return elided;
    return referencesModel(other, app, { app, name: op.oldName }) || referencesModel(other, app, { app, name: op.newName })
      ? barrier
      : passThrough;
  },
};

export const alterModelTable: OperationSpec<'alterModelTable'> = {
  stateForwards(state, app, op) {
    const model = state.get(app, op.name, 'alterModelTable');
    return state.with(withOptions(model, compactOptions({ ...model.options, dbTable: op.table ?? undefined })));
  },
  async databaseForwards(ctx, op) {
    const from = ctx.from.get(ctx.app, op.name);
    const to = ctx.to.get(ctx.app, op.name);
    if (isManaged(to)) await ctx.editor.renameModel(from, to, ctx.from, ctx.to);
  },
  async databaseBackwards(ctx, op) {
    const from = ctx.to.get(ctx.app, op.name);
    const to = ctx.from.get(ctx.app, op.name);
    if (isManaged(to)) await ctx.editor.renameModel(from, to, ctx.to, ctx.from);
  },
  reversible: () => true,
  describe: (op) => `Rename table for ${op.name} to ${op.table ?? '(default)'}`,
  nameFragment: (op) => `alter_${snakeCase(op.name)}_table`,
  referencesModel: (op, app, model) => sameName(op.name, app, model),
  referencesField: (op, app, model) => sameName(op.name, app, model),
  reduce(op, other, app) {
    if ((other.kind === 'alterModelTable' || other.kind === 'deleteModel') && other.name.toLowerCase() === op.name.toLowerCase()) {
      return replaceWith(other);
    }
    return modelReduce(op, op.name, other, app);
  },
};

/** Options alterModelOptions may carry: everything but what has its own operation. */
const OWNED_ELSEWHERE = ['dbTable', 'indexes', 'constraints', 'uniqueTogether'] as const;

export function optionsWithoutOwned(options: ModelOptions): ModelOptions {
  const out: Record<string, unknown> = { ...options };
  for (const key of OWNED_ELSEWHERE) delete out[key];
  return compactOptions(out);
}

export const alterModelOptions: OperationSpec<'alterModelOptions'> = {
  stateForwards(state, app, op) {
    const model = state.get(app, op.name, 'alterModelOptions');
    const kept: Record<string, unknown> = {};
    for (const key of OWNED_ELSEWHERE) if (model.options[key] !== undefined) kept[key] = model.options[key];
    return state.with(withOptions(model, compactOptions({ ...kept, ...optionsWithoutOwned(op.options) })));
  },
  async databaseForwards(ctx, op) {
    const from = ctx.from.get(ctx.app, op.name);
    const to = ctx.to.get(ctx.app, op.name);
    if (isManaged(to) && from.options.dbComment !== to.options.dbComment) {
      await ctx.editor.alterTableComment(to, from.options.dbComment, to.options.dbComment);
    }
  },
  async databaseBackwards(ctx, op) {
    const from = ctx.to.get(ctx.app, op.name);
    const to = ctx.from.get(ctx.app, op.name);
    if (isManaged(to) && from.options.dbComment !== to.options.dbComment) {
      await ctx.editor.alterTableComment(to, from.options.dbComment, to.options.dbComment);
    }
  },
  reversible: () => true,
  describe: (op) => `Change options on ${op.name}`,
  nameFragment: (op) => `alter_${snakeCase(op.name)}_options`,
  referencesModel: (op, app, model) => sameName(op.name, app, model),
  referencesField: (op, app, model) => sameName(op.name, app, model),
  reduce(op, other, app) {
    if ((other.kind === 'alterModelOptions' || other.kind === 'deleteModel') && other.name.toLowerCase() === op.name.toLowerCase()) {
      return replaceWith(other);
    }
    return modelReduce(op, op.name, other, app);
  },
};

export const alterUniqueTogether: OperationSpec<'alterUniqueTogether'> = {
  stateForwards(state, app, op) {
    const model = state.get(app, op.name, 'alterUniqueTogether');
    return state.with(withOptions(model, compactOptions({ ...model.options, uniqueTogether: op.uniqueTogether })));
  },
  async databaseForwards(ctx, op) {
    const from = ctx.from.get(ctx.app, op.name);
    const to = ctx.to.get(ctx.app, op.name);
    if (isManaged(to)) await ctx.editor.alterUniqueTogether(to, from.options.uniqueTogether ?? [], to.options.uniqueTogether ?? []);
  },
  async databaseBackwards(ctx, op) {
    const from = ctx.to.get(ctx.app, op.name);
    const to = ctx.from.get(ctx.app, op.name);
    if (isManaged(to)) await ctx.editor.alterUniqueTogether(to, from.options.uniqueTogether ?? [], to.options.uniqueTogether ?? []);
  },
  reversible: () => true,
  describe: (op) => `Alter unique together for ${op.name} (${op.uniqueTogether.length} constraint(s))`,
  nameFragment: (op) => `alter_${snakeCase(op.name)}_unique_together`,
  referencesModel: (op, app, model) => sameName(op.name, app, model),
  referencesField: (op, app, model, field) =>
    sameName(op.name, app, model) && op.uniqueTogether.some((set) => set.includes(field)),
  reduce(op, other, app) {
    if ((other.kind === 'alterUniqueTogether' || other.kind === 'deleteModel') && other.name.toLowerCase() === op.name.toLowerCase()) {
      return replaceWith(other);
    }
    const elided = elidableReduce(op, other);
    if (elided) return elided;
    // Field operations on fields outside the sets can move across.
    if ('model' in other && typeof other.model === 'string' && other.model.toLowerCase() === op.name.toLowerCase()) {
      const field = 'name' in other ? other.name : 'oldName' in other ? other.oldName : undefined;
      if (typeof field === 'string' && (other.kind === 'addField' || other.kind === 'alterField')) {
        return op.uniqueTogether.some((set) => set.includes(field)) ? barrier : passThrough;
      }
    }
    return modelReduce(op, op.name, other, app);
  },
};
