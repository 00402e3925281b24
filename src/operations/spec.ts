import type { SchemaEditor } from '../backends/base/schema-editor.js';
import type { ProjectState } from '../state/project-state.js';
import type { Operation, OperationKind, OperationOf, RunCodeFunction } from './types.js';

/** What an operation gets when it runs against a database. */
export interface DatabaseContext {
  readonly editor: SchemaEditor;
  /** The app whose migration holds the operation; bare model names resolve against it. */
  readonly app: string;
  /** The state before the operation. */
  readonly from: ProjectState;
  /** The state after the operation. */
  readonly to: ProjectState;
  /**
   * Runs a data-migration function against `state` (the state at this point of the history).
   * Supplied by the executor, which owns the connection and the transaction.
   */
  readonly runCode: (fn: RunCodeFunction, state: ProjectState, options: { atomic: boolean }) => Promise<void>;
}

/**
 * How an operation reduces with a later one, for the optimizer:
 * - replace: both are replaced by `operations` (possibly none);
 * - pass-through: they do not interact, the optimizer may look past this one;
 * - barrier: they interact and cannot be merged; the optimizer must not move anything across.
 */
export type Reduction =
  | { readonly kind: 'replace'; readonly operations: readonly Operation[] }
  | { readonly kind: 'pass-through' }
  | { readonly kind: 'barrier' };

export const passThrough: Reduction = { kind: 'pass-through' };
export const barrier: Reduction = { kind: 'barrier' };
export const replaceWith = (...operations: Operation[]): Reduction => ({ kind: 'replace', operations });

/** A model an operation references, as (app, lowercase name). */
export interface ModelRef {
  readonly app: string;
  readonly name: string;
}

/** The behaviour of one operation kind. The registry checks at compile time that every kind has one. */
export interface OperationSpec<K extends OperationKind> {
  /** The new state; pure. */
  stateForwards(state: ProjectState, app: string, op: OperationOf<K>): ProjectState;
  databaseForwards(ctx: DatabaseContext, op: OperationOf<K>): Promise<void>;
  /** Undoes databaseForwards; `ctx.from` is the state before the operation, `ctx.to` after it. */
  databaseBackwards(ctx: DatabaseContext, op: OperationOf<K>): Promise<void>;
  /** false: reversing a migration that holds it is refused before anything runs. */
  reversible(op: OperationOf<K>): boolean;
  /** One line for humans: "Add field bought to Client". */
  describe(op: OperationOf<K>): string;
  /** A fragment for generated migration file names: "client_bought". */
  nameFragment(op: OperationOf<K>): string;
  /**
   * True if the operation may touch or depend on the model. When in doubt it must say true: a false
   * "no" lets the optimizer move operations past each other and corrupt a migration.
   */
  referencesModel(op: OperationOf<K>, app: string, model: ModelRef): boolean;
  /** True if the operation may touch or depend on that field of the model. Same bias as above. */
  referencesField(op: OperationOf<K>, app: string, model: ModelRef, field: string): boolean;
  reduce(op: OperationOf<K>, other: Operation, app: string): Reduction;
  /** true: squashing may drop it (runSql/runCode with `elidable`). */
  elidable?(op: OperationOf<K>): boolean;
}

export type OperationRegistry = { readonly [K in OperationKind]: OperationSpec<K> };
