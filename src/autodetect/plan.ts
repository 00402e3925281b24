import { assertNever } from '../errors/index.js';
import type { Field } from '../model/fields.js';
import { isForeignKey, isRelation } from '../model/fields.js';
import type { Operation } from '../operations/types.js';
import { resolveReference } from '../state/project-state.js';

/**
 * What a planned operation needs to happen before it, in the app `app`. Within one app this orders
 * operations; across apps it becomes a dependency between migrations.
 */
export type OperationDependency =
  /** The model exists: created, or renamed to this name, in this change set (else: already there). */
  | { readonly kind: 'createdModel'; readonly app: string; readonly model: string }
  /** The field exists: in a createModel, added, or renamed to this name. */
  | { readonly kind: 'createdField'; readonly app: string; readonly model: string; readonly field: string }
  /** The name is free: the model was deleted, or renamed away from it. */
  | { readonly kind: 'removedModel'; readonly app: string; readonly model: string }
  /** The field is gone: removed, or renamed away from this name. */
  | { readonly kind: 'removedField'; readonly app: string; readonly model: string; readonly field: string }
  | { readonly kind: 'alteredField'; readonly app: string; readonly model: string; readonly field: string }
  /** That exact operation (same app), for orderings no other kind expresses. */
  | { readonly kind: 'after'; readonly app: string; readonly operation: Operation };

/** An operation the autodetector wants, before ordering and splitting into migrations. */
export interface PlannedOperation {
  readonly app: string;
  readonly operation: Operation;
  readonly dependencies: readonly OperationDependency[];
}

export const planned = (app: string, operation: Operation, dependencies: readonly OperationDependency[] = []): PlannedOperation => ({
  app,
  operation,
  dependencies,
});

export const createdModel = (app: string, model: string): OperationDependency => ({ kind: 'createdModel', app, model });
export const createdField = (app: string, model: string, field: string): OperationDependency => ({ kind: 'createdField', app, model, field });
export const removedModel = (app: string, model: string): OperationDependency => ({ kind: 'removedModel', app, model });
export const removedField = (app: string, model: string, field: string): OperationDependency => ({ kind: 'removedField', app, model, field });
export const alteredField = (app: string, model: string, field: string): OperationDependency => ({ kind: 'alteredField', app, model, field });
export const after = (app: string, operation: Operation): OperationDependency => ({ kind: 'after', app, operation });

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** True if `op` (an operation of `dependency.app`) is what the dependency waits for. */
export function satisfies(op: Operation, dependency: OperationDependency): boolean {
  switch (dependency.kind) {
    case 'createdModel':
      return (op.kind === 'createModel' && same(op.name, dependency.model)) || (op.kind === 'renameModel' && same(op.newName, dependency.model));
    case 'createdField':
      return (
        (op.kind === 'createModel' && same(op.name, dependency.model) && Object.hasOwn(op.fields, dependency.field)) ||
        (op.kind === 'addField' && same(op.model, dependency.model) && op.name === dependency.field) ||
        (op.kind === 'renameField' && same(op.model, dependency.model) && op.newName === dependency.field)
      );
    case 'removedModel':
      return (op.kind === 'deleteModel' && same(op.name, dependency.model)) || (op.kind === 'renameModel' && same(op.oldName, dependency.model));
    case 'removedField':
      return (
        (op.kind === 'removeField' && same(op.model, dependency.model) && op.name === dependency.field) ||
        (op.kind === 'renameField' && same(op.model, dependency.model) && op.oldName === dependency.field)
      );
    case 'alteredField':
      return op.kind === 'alterField' && same(op.model, dependency.model) && op.name === dependency.field;
    case 'after':
      return op === dependency.operation;
    default:
      return assertNever(dependency, 'dependency');
  }
}

/** What a relation field needs: its target model (and `toField`, and the through model) to exist. */
export function relationDependencies(field: Field): OperationDependency[] {
  if (!isRelation(field)) return [];
  const to = resolveReference(field.to as string, '');
  const dependencies = [createdModel(to.app, to.name)];
  if (isForeignKey(field) && field.toField !== undefined) dependencies.push(createdField(to.app, to.name, field.toField));
  if (field.kind === 'manyToMany' && field.through !== undefined) {
    const through = resolveReference(field.through as string, '');
    dependencies.push(createdModel(through.app, through.name));
  }
  return dependencies;
}
