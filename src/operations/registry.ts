import { InvalidDefinitionError } from '../errors/index.js';
import type { ProjectState } from '../state/project-state.js';
import { addField, alterField, bindReferencesField, removeField, renameField } from './field-operations.js';
import {
  addConstraint, addConstraintNotValid, addIndex, addIndexConcurrently, createExtension, removeConstraint,
  removeIndex, removeIndexConcurrently, renameIndex, validateConstraint,
} from './index-operations.js';
import {
  alterModelOptions, alterModelTable, alterUniqueTogether, bindReferencesModel, createModel, deleteModel, renameModel,
} from './model-operations.js';
import type { DatabaseContext, ModelRef, OperationRegistry, OperationSpec, Reduction } from './spec.js';
import { bindDispatch, runCode, runSql, separateDatabaseAndState } from './special-operations.js';
import type { Operation, OperationKind } from './types.js';

/** Every operation kind's behaviour. A missing kind is a compile error (OperationRegistry is a mapped type). */
export const registry: OperationRegistry = {
  createModel, deleteModel, renameModel, alterModelTable, alterModelOptions, alterUniqueTogether,
  addField, removeField, alterField, renameField,
  addIndex, removeIndex, renameIndex, addConstraint, removeConstraint,
  addIndexConcurrently, removeIndexConcurrently, addConstraintNotValid, validateConstraint, createExtension,
  runSql, runCode, separateDatabaseAndState,
};

export const operationKinds = Object.keys(registry) as OperationKind[];

export function specOf<K extends OperationKind>(op: { kind: K }): OperationSpec<K> {
  const spec = (registry as unknown as Record<string, OperationSpec<K> | undefined>)[op.kind];
  if (!spec) {
    throw new InvalidDefinitionError(
      `Unknown operation kind ${JSON.stringify(op.kind)}; known kinds: ${operationKinds.join(', ')}.`,
    );
  }
  return spec;
}

type AnySpec = OperationSpec<OperationKind>;
const spec = (op: Operation) => specOf(op) as unknown as AnySpec;

export const stateForwards = (state: ProjectState, app: string, op: Operation): ProjectState =>
  spec(op).stateForwards(state, app, op as never);
export const databaseForwards = (ctx: DatabaseContext, op: Operation): Promise<void> =>
  spec(op).databaseForwards(ctx, op as never);
export const databaseBackwards = (ctx: DatabaseContext, op: Operation): Promise<void> =>
  spec(op).databaseBackwards(ctx, op as never);
export const isReversible = (op: Operation): boolean => spec(op).reversible(op as never);
export const describe = (op: Operation): string => spec(op).describe(op as never);
export const nameFragment = (op: Operation): string => spec(op).nameFragment(op as never);
export const referencesModel = (op: Operation, app: string, model: ModelRef): boolean =>
  spec(op).referencesModel(op as never, app, model);
export const referencesField = (op: Operation, app: string, model: ModelRef, field: string): boolean =>
  spec(op).referencesField(op as never, app, model, field);
export const reduce = (op: Operation, other: Operation, app: string): Reduction => spec(op).reduce(op as never, other, app);
export const isElidable = (op: Operation): boolean => spec(op).elidable?.(op as never) ?? false;

bindReferencesModel(referencesModel);
bindReferencesField(referencesField, referencesModel);
bindDispatch({ stateForwards, databaseForwards, databaseBackwards, reversible: isReversible });
