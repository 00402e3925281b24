import type { Field } from '../model/fields.js';
import { isRelation } from '../model/fields.js';
import type { ModelOptions } from '../model/model.js';
import { InvalidDefinitionError } from '../errors/index.js';

/**
 * A model as the migration history (or a models file) defines it. Readonly plain data: relation
 * targets are always qualified `'app.Model'` strings, fields keep their declaration order.
 */
export interface ModelState {
  readonly app: string;
  readonly name: string;
  readonly fields: readonly (readonly [string, Field])[];
  readonly options: ModelOptions;
}

/** The one place model keys are normalised: model names are case-insensitive within an app. */
export function modelKey(app: string, name: string): string {
  return `${app}.${name.toLowerCase()}`;
}

/** Splits `'app.Model'`, or qualifies a bare `'Model'` with the app it was written in. */
export function resolveReference(reference: string, currentApp: string): { app: string; name: string } {
  const dot = reference.indexOf('.');
  return dot === -1 ? { app: currentApp, name: reference } : { app: reference.slice(0, dot), name: reference.slice(dot + 1) };
}

export function qualifiedReference(reference: string, currentApp: string): string {
  const { app, name } = resolveReference(reference, currentApp);
  return `${app}.${name}`;
}

export function getField(model: ModelState, name: string): Field | undefined {
  const lower = name.toLowerCase();
  for (const [fieldName, field] of model.fields) if (fieldName.toLowerCase() === lower) return field;
  return undefined;
}

export function fieldNames(model: ModelState): string[] {
  return model.fields.map(([name]) => name);
}

/** The primary key field's name and definition. Every model state has exactly one. */
export function primaryKey(model: ModelState): readonly [string, Field] {
  const found = model.fields.find(([, field]) => field.kind !== 'manyToMany' && field.primaryKey);
  if (!found) throw new InvalidDefinitionError(`Model ${model.app}.${model.name} has no primary key field.`);
  return found;
}

/**
 * The whole project as of one point in history. Immutable: every change returns a new state that
 * shares untouched models with the old one, so replaying thousands of operations stays linear.
 */
export class ProjectState {
  private constructor(private readonly byKey: ReadonlyMap<string, ModelState>) {}

  static empty(): ProjectState {
    return new ProjectState(new Map());
  }

  static of(models: Iterable<ModelState>): ProjectState {
    const map = new Map<string, ModelState>();
    for (const model of models) map.set(modelKey(model.app, model.name), model);
    return new ProjectState(map);
  }

  get size(): number {
    return this.byKey.size;
  }

  models(): ModelState[] {
    return [...this.byKey.values()];
  }

  modelsOf(app: string): ModelState[] {
    return this.models().filter((model) => model.app === app);
  }

  apps(): string[] {
    return [...new Set(this.models().map((model) => model.app))];
  }

  find(app: string, name: string): ModelState | undefined {
    return this.byKey.get(modelKey(app, name));
  }

  /** The model, or an error that names the models the app does have at this point. */
  get(app: string, name: string, context = ''): ModelState {
    const model = this.find(app, name);
    if (model) return model;
    const known = this.modelsOf(app).map((m) => m.name).sort();
    throw new InvalidDefinitionError(
      `${context ? `${context}: ` : ''}model ${app}.${name} does not exist at this point in the migration history` +
        (known.length ? ` (app ${app} has: ${known.join(', ')}).` : ` (app ${app} has no models yet).`),
    );
  }

  /** The model a reference points at, resolving bare names against `currentApp`. */
  resolve(reference: string, currentApp: string): ModelState | undefined {
    const { app, name } = resolveReference(reference, currentApp);
    return this.find(app, name);
  }

  with(model: ModelState): ProjectState {
    const next = new Map(this.byKey);
    next.set(modelKey(model.app, model.name), model);
    return new ProjectState(next);
  }

  /** Replaces the model stored under (app, oldName) by `model`, which may have a new name. */
  replace(app: string, oldName: string, model: ModelState): ProjectState {
    const next = new Map(this.byKey);
    next.delete(modelKey(app, oldName));
    next.set(modelKey(model.app, model.name), model);
    return new ProjectState(next);
  }

  without(app: string, name: string): ProjectState {
    const next = new Map(this.byKey);
    next.delete(modelKey(app, name));
    return new ProjectState(next);
  }

  /** Applies `change` to every model, keeping the ones it returns unchanged (by identity). */
  mapModels(change: (model: ModelState) => ModelState): ProjectState {
    let next: Map<string, ModelState> | undefined;
    for (const [key, model] of this.byKey) {
      const changed = change(model);
      if (changed !== model) {
        next ??= new Map(this.byKey);
        next.set(key, changed);
      }
    }
    return next ? new ProjectState(next) : this;
  }

  /** Every relation field anywhere that points at (app, name): [model, fieldName, field]. */
  relationsTo(app: string, name: string): [ModelState, string, Field][] {
    const target = modelKey(app, name);
    const found: [ModelState, string, Field][] = [];
    for (const model of this.byKey.values()) {
      for (const [fieldName, field] of model.fields) {
        if (!isRelation(field)) continue;
        const { app: toApp, name: toName } = resolveReference(field.to as string, model.app);
        if (modelKey(toApp, toName) === target) found.push([model, fieldName, field]);
        else if (field.kind === 'manyToMany' && field.through) {
          const t = resolveReference(field.through as string, model.app);
          if (modelKey(t.app, t.name) === target) found.push([model, fieldName, field]);
        }
      }
    }
    return found;
  }
}

export function withFields(model: ModelState, fields: readonly (readonly [string, Field])[]): ModelState {
  return { ...model, fields };
}

export function withOptions(model: ModelState, options: ModelOptions): ModelState {
  return { ...model, options };
}
