import { InvalidDefinitionError } from '../errors/index.js';
import type { Field, ForeignKeyField } from '../model/fields.js';
import type { ModelState, ProjectState } from './project-state.js';
import { getField, primaryKey } from './project-state.js';

/** The field a foreign key points at: `toField`, or the target's primary key. */
export function referencedField(
  model: ModelState,
  field: ForeignKeyField,
  state: ProjectState,
): { readonly model: ModelState; readonly name: string; readonly field: Field } {
  const target = state.resolve(field.to as string, model.app);
  if (!target) {
    throw new InvalidDefinitionError(
      `${model.app}.${model.name} has a relation to ${String(field.to)}, which does not exist at this point in the migration history.`,
      { hint: 'Create the target model first; for circular references add the foreign key in a later addField.' },
    );
  }
  if (field.toField === undefined) {
    const [name, pk] = primaryKey(target);
    return { model: target, name, field: pk };
  }
  const named = getField(target, field.toField);
  if (!named) {
    throw new InvalidDefinitionError(
      `${model.app}.${model.name} has a relation to ${target.app}.${target.name}.${field.toField}, which does not exist.`,
    );
  }
  const name = target.fields.find(([n]) => n.toLowerCase() === field.toField!.toLowerCase())![0];
  return { model: target, name, field: named };
}
