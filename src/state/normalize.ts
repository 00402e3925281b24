import type { Field } from '../model/fields.js';
import type { ModelOptions } from '../model/model.js';
import { qualifiedReference } from './project-state.js';

/**
 * The state always holds relation targets as `'app.Model'` strings, whatever the file wrote
 * (`'Client'`, `'shop.Client'`, or a model value in a models file).
 */
export function normalizeField(field: Field, app: string): Field {
  if (field.kind !== 'foreignKey' && field.kind !== 'oneToOne' && field.kind !== 'manyToMany') return field;
  const to = referenceString(field.to, app);
  if (field.kind === 'manyToMany' && field.through !== undefined) {
    const through = referenceString(field.through, app);
    return to === field.to && through === field.through ? field : { ...field, to, through };
  }
  return to === field.to ? field : { ...field, to };
}

function referenceString(reference: unknown, app: string): string {
  if (typeof reference === 'string') return qualifiedReference(reference, app);
  // A model value from a models file: the collector replaces these before state is built; a model
  // value carries no app, so a lone one is taken to live in the same app.
  const name = (reference as { name: string }).name;
  return qualifiedReference(name, app);
}

/** Renames a field inside the options that name fields (indexes, constraints, uniqueTogether, ordering). */
export function renameFieldInOptions(options: ModelOptions, oldName: string, newName: string): ModelOptions {
  const swap = (name: string) => (name === oldName ? newName : name);
  const swapOrdering = (name: string) => (name.replace(/^-/, '') === oldName ? name.replace(oldName, newName) : name);
  const next: Record<string, unknown> = { ...options };
  if (options.indexes) next.indexes = options.indexes.map((index) => ({ ...index, fields: index.fields.map(swap) }));
  if (options.constraints) {
    next.constraints = options.constraints.map((c) => (c.kind === 'unique' ? { ...c, fields: c.fields.map(swap) } : c));
  }
  if (options.uniqueTogether) next.uniqueTogether = options.uniqueTogether.map((set) => set.map(swap));
  if (options.ordering) next.ordering = options.ordering.map(swapOrdering);
  return next as ModelOptions;
}

/** Drops a removed field from uniqueTogether sets (Django does the same in RemoveField). */
export function removeFieldFromOptions(options: ModelOptions, name: string): ModelOptions {
  if (!options.uniqueTogether) return options;
  const sets = options.uniqueTogether.map((set) => set.filter((f) => f !== name)).filter((set) => set.length > 0);
  const next: Record<string, unknown> = { ...options, uniqueTogether: sets };
  if (sets.length === 0) delete next.uniqueTogether;
  return next as ModelOptions;
}

/** Options without undefined values or empty lists, so equal options compare equal. */
export function compactOptions(options: ModelOptions): ModelOptions {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[key] = value;
  }
  return out as ModelOptions;
}
