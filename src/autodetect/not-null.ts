import type { Field } from '../model/fields.js';
import { isAutoField } from '../model/fields.js';
import { ops } from '../operations/ops.js';
import { NotNullWithoutDefaultError } from '../questioner/errors.js';
import type { NotNullAnswer, NotNullQuestion, Questioner } from '../questioner/questioner.js';
import type { ModelState } from '../state/project-state.js';
import type { PlannedOperation } from './plan.js';
import { createdModel, planned, relationDependencies, removedField } from './plan.js';

/** True if a column for `field` needs a value in rows that already exist (and nothing provides one). */
function needsValue(field: Field, model: ModelState): boolean {
  if (field.kind === 'manyToMany' || model.options.managed === false) return false;
  return !field.null && field.default === undefined && field.dbDefault === undefined && !isAutoField(field);
}

/** Applies the questioner's answer: a one-off default, as declared, or NotNullWithoutDefaultError. */
async function resolve(
  question: NotNullQuestion,
  ask: (q: NotNullQuestion) => Promise<NotNullAnswer>,
  field: Field,
): Promise<{ field: Field; preserveDefault?: false }> {
  const answer = await ask(question);
  switch (answer.kind) {
    case 'default':
      return { field: { ...field, default: answer.value } as Field, preserveDefault: false };
    case 'handled':
      return { field };
    case 'quit':
      throw new NotNullWithoutDefaultError(question);
  }
}

/**
 * addField on a model that already exists. A NOT NULL column without a default is put to the
 * questioner (Django's ask_not_null_addition). Adding a field waits for a removed field of the same
 * name to be gone (a many-to-many turned into a foreign key keeps its name).
 */
export async function planAddition(app: string, model: ModelState, name: string, field: Field, questioner: Questioner): Promise<PlannedOperation> {
  const dependencies = [...relationDependencies(field), createdModel(app, model.name), removedField(app, model.name, name)];
  if (!needsValue(field, model)) return planned(app, ops.addField({ model: model.name, name, field }), dependencies);
  const question: NotNullQuestion = { app, model: model.name, field: name, definition: field, operation: 'addField' };
  const resolved = await resolve(question, (q) => questioner.askNotNullAddition(q), field);
  return planned(app, ops.addField({ model: model.name, name, ...resolved }), dependencies);
}

/**
 * alterField. A nullable column that becomes NOT NULL without a default is put to the questioner
 * (Django's ask_not_null_alteration): one-off default, handled by a data migration, or quit.
 * `name` is the field's name when the operation runs; `declaredName` its name in models.ts (they
 * differ when the field is altered just before being renamed).
 */
export async function planAlteration(
  app: string,
  model: ModelState,
  name: string,
  declaredName: string,
  before: Field,
  field: Field,
  questioner: Questioner,
): Promise<PlannedOperation> {
  const dependencies = [...relationDependencies(field), createdModel(app, model.name)];
  const becomesNotNull = before.kind !== 'manyToMany' && before.null === true && needsValue(field, model);
  if (!becomesNotNull) return planned(app, ops.alterField({ model: model.name, name, field }), dependencies);
  const question: NotNullQuestion = { app, model: model.name, field: declaredName, definition: field, operation: 'alterField' };
  const resolved = await resolve(question, (q) => questioner.askNotNullAlteration(q), field);
  return planned(app, ops.alterField({ model: model.name, name, ...resolved }), dependencies);
}
