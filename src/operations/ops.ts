import type { Noop, Operation, OperationKind, OperationOf } from './types.js';

/**
 * The `ops.*` constructors used in migration files. Each takes the operation's arguments as one object
 * and returns the frozen plain-data operation; validation happens when a migration is loaded.
 */
function op<K extends OperationKind>(kind: K) {
  return (args: Omit<OperationOf<K>, 'kind'>): OperationOf<K> =>
    Object.freeze({ kind, ...args }) as unknown as OperationOf<K>;
}

const noop: Noop = Object.freeze({ kind: 'noop' });

export const ops = {
  createModel: op('createModel'),
  deleteModel: op('deleteModel'),
  renameModel: op('renameModel'),
  alterModelTable: op('alterModelTable'),
  alterModelOptions: op('alterModelOptions'),
  alterUniqueTogether: op('alterUniqueTogether'),
  addField: op('addField'),
  removeField: op('removeField'),
  alterField: op('alterField'),
  renameField: op('renameField'),
  addIndex: op('addIndex'),
  removeIndex: op('removeIndex'),
  renameIndex: op('renameIndex'),
  addConstraint: op('addConstraint'),
  removeConstraint: op('removeConstraint'),
  addIndexConcurrently: op('addIndexConcurrently'),
  removeIndexConcurrently: op('removeIndexConcurrently'),
  addConstraintNotValid: op('addConstraintNotValid'),
  validateConstraint: op('validateConstraint'),
  createExtension: op('createExtension'),
  runSql: op('runSql'),
  runCode: op('runCode'),
  separateDatabaseAndState: op('separateDatabaseAndState'),
  /** A reverse (or forward) that does nothing: Django's RunPython.noop / RunSQL.noop. */
  noop,
};

export function isNoop(value: unknown): value is Noop {
  return typeof value === 'object' && value !== null && (value as Noop).kind === 'noop';
}

export type { Operation };
