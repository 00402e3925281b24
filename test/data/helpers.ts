import { test, type TestContext } from 'node:test';
import type { Connection, QueryResult } from '../../src/backends/base/connection.js';
import type { MigrationGraph } from '../../src/graph/graph.js';
import type { Migration } from '../../src/graph/migration.js';
import type { Operation, RunCodeContext } from '../../src/operations/types.js';
import type { ProgressReporter } from '../../src/data/progress.js';
import type { TransactionMode } from '../../src/data/session.js';
import { runCodeInMigration } from '../../src/executor/run-code.js';
import { ProjectState } from '../../src/state/project-state.js';
import { applyForwards } from '../support/apply-operations.js';
import { testTargets } from '../support/databases.js';
import { createPostgresSchemaEditor } from '../../src/backends/postgres/schema-editor.js';
import { executePlan } from '../../src/executor/executor.js';
import { buildGraph } from '../../src/graph/graph.js';
import { migrationPlan } from '../../src/graph/planner.js';
import { planStates } from '../../src/graph/state-at.js';
import { Recorder } from '../../src/recorder/recorder.js';
import { Naming } from '../../src/state/names.js';

/** Registers one test per database target: "<sentence> [pglite]", "<sentence> [postgres]". */
export function testOnEachTarget(name: string, fn: (connection: Connection, t: TestContext) => Promise<void>): void {
  for (const target of testTargets()) {
    test(`${name} [${target.name}]`, (t) => target.with((connection) => fn(connection, t)));
  }
}

/** A migration object as the loader would give it, for running code outside a migration file. */
export function migrationOf(app: string, name: string, operations: readonly Operation[] = [], extra: Partial<Migration> = {}): Migration {
  return {
    app, name, file: `/virtual/${app}/migrations/${name}.ts`, checksum: 'x',
    dependencies: [], operations, initial: false, atomic: true, replaces: [], runBefore: [],
    ...extra,
  };
}

/** Creates the schema of `operations` (one app) and returns the state after them. */
export async function given(connection: Connection, app: string, operations: readonly Operation[], state = ProjectState.empty()): Promise<ProjectState> {
  return applyForwards(connection, state, app, operations);
}

export interface RunOptions {
  readonly transaction?: TransactionMode;
  readonly migration?: Migration;
  readonly graph?: MigrationGraph;
  readonly progress?: ProgressReporter;
}

/**
 * Runs `fn` as a runCode operation would run in a migration: in the migration's transaction (BEGIN ...
 * COMMIT around it, ROLLBACK on failure) unless `transaction` says otherwise.
 */
export async function run<T>(connection: Connection, state: ProjectState, fn: (ctx: RunCodeContext) => Promise<T>, options: RunOptions = {}): Promise<T> {
  const transaction = options.transaction ?? 'migration';
  let result: T | undefined;
  if (transaction === 'migration') await connection.query('BEGIN');
  try {
    await runCodeInMigration(async (ctx) => { result = await fn(ctx); }, {
      connection, state, migration: options.migration ?? migrationOf('shop', '0099_data'), transaction, graph: options.graph, progress: options.progress,
    });
    if (transaction === 'migration') await connection.query('COMMIT');
  } catch (error) {
    if (transaction === 'migration') await connection.query('ROLLBACK');
    throw error;
  }
  return result as T;
}

/** A connection that records every statement it runs and how many rows each returned. */
export interface Recording extends Connection {
  readonly log: { sql: string; rows: number }[];
  /** Statements (and rows) since the last reset. */
  reset(): void;
}

export function recording(connection: Connection): Recording {
  const log: { sql: string; rows: number }[] = [];
  return {
    backend: connection.backend,
    description: connection.description,
    asyncCommitSurvivesExit: connection.asyncCommitSurvivesExit,
    cancel: () => connection.cancel(),
    log,
    reset: () => void log.splice(0),
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await connection.query<Row>(sql, params);
      log.push({ sql, rows: result.rows.length });
      return result;
    },
    async script(sql: string) {
      log.push({ sql, rows: 0 });
      await connection.script(sql);
    },
    close: () => connection.close(),
  };
}

export async function rows<Row = Record<string, unknown>>(connection: Connection, sql: string, params?: unknown[]): Promise<Row[]> {
  return (await connection.query<Row>(sql, params)).rows;
}

/**
 * Runs `migrate` over in-memory migrations the way the CLI does (graph, plan, states, executor with the
 * graph and a progress reporter), up to `target` ('app.name') or everything.
 */
export async function migrate(
  connection: Connection,
  migrations: readonly Migration[],
  options: { target?: readonly [string, string]; progress?: ProgressReporter } = {},
): Promise<void> {
  const recorder = new Recorder(connection, 'sediment_migrations');
  await recorder.ensureTable();
  const applied = await recorder.applied();
  const graph = buildGraph(migrations, applied.keys());
  const plan = migrationPlan(graph, options.target ? [[options.target[0], options.target[1]]] : []);
  const naming = new Naming();
  await executePlan([...planStates(graph, plan)], {
    connection, recorder, naming, graph, progress: options.progress,
    createEditor: (c) => createPostgresSchemaEditor(c, naming),
  });
}
