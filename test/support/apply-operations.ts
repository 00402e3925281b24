import type { Connection } from '../../src/backends/base/connection.js';
import type { SchemaEditor } from '../../src/backends/base/schema-editor.js';
import { createPostgresSchemaEditor } from '../../src/backends/postgres/schema-editor.js';
import { databaseBackwards, databaseForwards, stateForwards } from '../../src/operations/registry.js';
import type { DatabaseContext } from '../../src/operations/spec.js';
import type { Operation } from '../../src/operations/types.js';
import { Naming } from '../../src/state/names.js';
import { ProjectState } from '../../src/state/project-state.js';

/**
 * Applies the operations of one app to a real database with the real registry, the way a migration
 * would (minus the executor): forwards from `state`, or backwards to it. Wrapped in BEGIN/COMMIT unless
 * `atomic: false` (CREATE INDEX CONCURRENTLY refuses to run in a transaction).
 */
export interface ApplyOptions {
  readonly atomic?: boolean;
  readonly naming?: Naming;
  /** Collect mode: statements go here instead of running (BEGIN/COMMIT are not added). */
  readonly collect?: string[];
}

/** The states before and after each operation: states[i] -> operations[i] -> states[i + 1]. */
export function statesAlong(state: ProjectState, app: string, operations: readonly Operation[]): ProjectState[] {
  const states = [state];
  for (const op of operations) states.push(stateForwards(states[states.length - 1], app, op));
  return states;
}

function context(editor: SchemaEditor, app: string, from: ProjectState, to: ProjectState): DatabaseContext {
  return {
    editor, app, from, to,
    runCode: () => {
      throw new Error('runCode is not available in apply-operations (schema editor tests run no data migrations)');
    },
  };
}

async function inTransaction<T>(connection: Connection, options: ApplyOptions, fn: () => Promise<T>): Promise<T> {
  if (options.atomic === false || options.collect) return fn();
  await connection.query('BEGIN');
  try {
    const result = await fn();
    await connection.query('COMMIT');
    return result;
  } catch (error) {
    await connection.query('ROLLBACK');
    throw error;
  }
}

/** Applies `operations` forwards starting at `state`; returns the state after the last one. */
export async function applyForwards(
  connection: Connection,
  state: ProjectState,
  app: string,
  operations: readonly Operation[],
  options: ApplyOptions = {},
): Promise<ProjectState> {
  const editor = createPostgresSchemaEditor(connection, options.naming ?? new Naming(), { collect: options.collect });
  const states = statesAlong(state, app, operations);
  await inTransaction(connection, options, async () => {
    for (let i = 0; i < operations.length; i++) await databaseForwards(context(editor, app, states[i], states[i + 1]), operations[i]);
  });
  return states[states.length - 1];
}

/** Reverses `operations`, which were applied forwards from `state`, last first; returns `state`. */
export async function applyBackwards(
  connection: Connection,
  state: ProjectState,
  app: string,
  operations: readonly Operation[],
  options: ApplyOptions = {},
): Promise<ProjectState> {
  const editor = createPostgresSchemaEditor(connection, options.naming ?? new Naming(), { collect: options.collect });
  const states = statesAlong(state, app, operations);
  await inTransaction(connection, options, async () => {
    for (let i = operations.length - 1; i >= 0; i--) await databaseBackwards(context(editor, app, states[i], states[i + 1]), operations[i]);
  });
  return state;
}

export { ProjectState };
