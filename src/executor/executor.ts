import type { Connection } from '../backends/base/connection.js';
import type { SchemaEditor } from '../backends/base/schema-editor.js';
import { databaseMessage, MigrationFailedError, SedimentError } from '../errors/index.js';
import type { Migration } from '../graph/migration.js';
import { nodeKey } from '../graph/migration.js';
import { databaseBackwards, databaseForwards, describe, stateForwards } from '../operations/registry.js';
import type { RunCodeFunction } from '../operations/types.js';
import type { Recorder } from '../recorder/recorder.js';
import type { ProjectState } from '../state/project-state.js';
import type { Naming } from '../state/names.js';
import { hintForDatabaseError } from './hints.js';
import { runCodeInMigration } from './run-code.js';
import { checkInitialApplied } from './fake-initial.js';
import type { MigrationGraph } from '../graph/graph.js';
import type { ProgressReporter } from '../data/progress.js';

/** One migration to apply or unapply, with the state just before its operations. */
export interface PlanStep {
  readonly migration: Migration;
  readonly backwards: boolean;
  readonly stateBefore: ProjectState;
}

export type ExecutorEvent =
  | { readonly kind: 'migration-start'; readonly id: string; readonly backwards: boolean; readonly fake: boolean }
  | { readonly kind: 'migration-done'; readonly id: string; readonly backwards: boolean; readonly fake: boolean; readonly ms: number };

export interface ExecutorDeps {
  readonly connection: Connection;
  /** Builds a schema editor on the given (tracking) connection. */
  readonly createEditor: (connection: Connection) => SchemaEditor;
  readonly recorder: Recorder;
  readonly naming: Naming;
  readonly onEvent?: (event: ExecutorEvent) => void;
  /**
   * The graph the plan was made from: lets `apps.getModel()` in a data migration refuse an app the
   * migration does not depend on, naming the dependency to add. Without it that check is skipped.
   */
  readonly graph?: MigrationGraph;
  /** Progress of long data migrations (rows done, rate, time left). Default: silent. */
  readonly progress?: ProgressReporter;
}

export interface ExecuteOptions {
  /** Record (or unrecord) without running anything. */
  readonly fake?: boolean;
  /** For initial migrations whose tables and columns all exist already: record without running. */
  readonly fakeInitial?: boolean;
}

/** A connection that remembers the statement it is running, so a failure can name its SQL. */
function trackStatements(connection: Connection): Connection & { lastSql?: string } {
  const tracked: Connection & { lastSql?: string } = {
    dialect: connection.dialect,
    description: connection.description,
    async query(sql, params) {
      tracked.lastSql = sql;
      return connection.query(sql, params);
    },
    async script(sql) {
      tracked.lastSql = sql;
      return connection.script(sql);
    },
    close: () => connection.close(),
  };
  return tracked;
}

/**
 * Applies or unapplies each step in order. On backends with transactional DDL, an atomic migration
 * runs in one transaction together with its history row: it is either applied and recorded, or
 * neither. A non-atomic migration runs statement by statement and is recorded at the end.
 */
export async function executePlan(steps: readonly PlanStep[], deps: ExecutorDeps, options: ExecuteOptions = {}): Promise<void> {
  const done: string[] = [];
  for (const [index, step] of steps.entries()) {
    const id = nodeKey(step.migration.app, step.migration.name);
    let fake = options.fake === true;
    let notFaked: string | undefined;
    if (!fake && options.fakeInitial === true && !step.backwards && step.migration.initial) {
      const check = await checkInitialApplied(step.migration, step.stateBefore, deps.naming, deps.connection);
      fake = check.applied;
      notFaked = check.missing;
    }
    deps.onEvent?.({ kind: 'migration-start', id, backwards: step.backwards, fake });
    const started = performance.now();
    await runStep(step, deps, fake, { done, last: index === steps.length - 1, notFaked });
    done.push(id);
    deps.onEvent?.({ kind: 'migration-done', id, backwards: step.backwards, fake, ms: performance.now() - started });
  }
}

async function record(step: PlanStep, recorder: Recorder): Promise<void> {
  await recorder.connectionScript(recordSql(step, recorder));
}

/** The statements that record (or unrecord) the step's migration in the history. */
function recordSql(step: PlanStep, recorder: Recorder): string {
  const { migration } = step;
  // A squashed migration stands for the ones it replaces: record (or unrecord) them all, as Django does,
  // so the history stays right whichever set of files a later checkout has.
  const nodes = [...migration.replaces.map(([app, name]) => ({ app, name, checksum: null as string | null })), {
    app: migration.app,
    name: migration.name,
    checksum: migration.checksum as string | null,
  }];
  return nodes
    .map((node) => (step.backwards ? recorder.unappliedSql(node.app, node.name) : recorder.appliedSql(node.app, node.name, node.checksum)))
    .join('; ');
}

/** What a step's error message needs to know about the run around it. */
interface StepContext {
  /** Migrations completed earlier in this run. */
  readonly done: readonly string[];
  /** The last step of the run commits synchronously (see runStep). */
  readonly last: boolean;
  /** Why --fake-initial did not fake this initial migration, if it was asked to. */
  readonly notFaked?: string;
}

async function runStep(step: PlanStep, deps: ExecutorDeps, fake: boolean, context: StepContext): Promise<void> {
  const { last } = context;
  const { migration } = step;
  const connection = trackStatements(deps.connection);
  const atomic = migration.atomic;
  if (fake) {
    await record(step, deps.recorder);
    return;
  }
  if (atomic) {
    // Every commit but the run's last is asynchronous: waiting for a WAL flush per migration is most
    // of the cost of a long run. This never risks consistency — after a crash the most recent commits
    // are lost as a whole, schema change and history row together, as if they had rolled back — and
    // the last commit, which is synchronous, flushes the WAL and so makes every earlier one durable
    // before migrate reports success (https://www.postgresql.org/docs/current/wal-async-commit.html).
    await connection.script(last ? 'BEGIN' : 'BEGIN; SET LOCAL synchronous_commit TO off');
  }
  const progress = { operation: -1 };
  try {
    await runOperations(step, connection, deps, progress);
    progress.operation = -1;
    // The history rows and the COMMIT go in one round trip: per-migration bookkeeping is most of what a
    // long run spends beyond the DDL itself.
    const history = recordSql(step, deps.recorder);
    await connection.script(atomic ? `${history}; COMMIT` : history);
  } catch (error) {
    if (atomic) await deps.connection.query('ROLLBACK').catch(() => {});
    throw failure(error, step, progress.operation, connection.lastSql, context);
  }
}

/** Runs the migration's operations, keeping `progress.operation` at the index of the one running. */
async function runOperations(step: PlanStep, connection: Connection, deps: ExecutorDeps, progress: { operation: number }): Promise<void> {
  const { migration } = step;
  const editor = deps.createEditor(connection);
  const states: ProjectState[] = [step.stateBefore];
  for (const op of migration.operations) states.push(stateForwards(states[states.length - 1], migration.app, op));
  // An atomic runCode in a non-atomic migration gets a transaction of its own, as Django's RunPython does.
  const runCode = (fn: RunCodeFunction, state: ProjectState, options: { atomic: boolean }) =>
    runCodeInMigration(fn, {
      connection, state, migration, naming: deps.naming, graph: deps.graph, progress: deps.progress,
      transaction: migration.atomic ? 'migration' : options.atomic ? 'own' : 'none',
    });
  const order = migration.operations.map((_, i) => i);
  if (step.backwards) order.reverse();
  for (const i of order) {
    progress.operation = i;
    const ctx = { editor, app: migration.app, from: states[i], to: states[i + 1], runCode };
    const op = migration.operations[i];
    if (step.backwards) await databaseBackwards(ctx, op);
    else await databaseForwards(ctx, op);
    // Raw SQL may have changed rows: run their deferred checks now (see run-code.ts, seed 001).
    if (op.kind === 'runSql' && migration.atomic) {
      await connection.query('SET CONSTRAINTS ALL IMMEDIATE');
      await connection.query('SET CONSTRAINTS ALL DEFERRED');
    }
  }
}

function failure(error: unknown, step: PlanStep, index: number, sql: string | undefined, context: StepContext): SedimentError {
  const { migration } = step;
  const id = nodeKey(migration.app, migration.name);
  const op = migration.operations[index];
  const where = op ? `operation ${index + 1} of ${migration.operations.length} (${describe(op)})` : 'recording it in the history';
  const verb = step.backwards ? 'Unapplying' : 'Applying';
  const { done } = context;
  const earlier = done.length ? ` Migrations completed earlier in this run stay ${step.backwards ? 'unapplied' : 'applied'}: ${done.join(', ')}.` : '';
  // Operations that ran before the failing one, in the order they ran.
  const ran = (step.backwards ? migration.operations.slice(index + 1).reverse() : migration.operations.slice(0, index)).map((o) => describe(o));
  const committed = !migration.atomic && op !== undefined && ran.length > 0;
  // A runCode with `atomic: false` in a non-atomic migration commits each write as it goes.
  const codeCommitted = !migration.atomic && op?.kind === 'runCode' && op.atomic === false;
  const partial = [
    committed ? `${ran.length} operation(s) before this one ran and were committed (the migration is not atomic)` : '',
    codeCommitted ? 'the rows this operation wrote before the error were committed (atomic: false)' : '',
  ].filter(Boolean).join(', and ');
  const databaseState = migration.atomic
    ? `rolled back: the whole migration was rolled back; ${id} is ${step.backwards ? 'still applied' : 'not applied'} and nothing of it was kept.${earlier}`
    : `${nonAtomicState(partial, op === undefined, step.backwards)}; ${id} is ${step.backwards ? 'still recorded as applied' : 'not recorded as applied'}.${earlier}`;
  const hints: string[] = [];
  if (context.notFaked) hints.push(`--fake-initial ran ${id} instead of recording it, because ${context.notFaked}.`);
  const specific = error instanceof SedimentError ? error.hint : hintForDatabaseError(error, id, sql);
  if (specific) hints.push(specific);
  if (committed) {
    hints.push(
      `These operations of ${id} stayed committed: ${ran.join('; ')}. Undo them by hand (or make them safe to run twice) before running migrate again: it starts ${id} from its first operation.`,
    );
  } else if (!specific) {
    hints.push('Fix the cause above and run migrate again; nothing needs cleaning up first.');
  }
  const message = error instanceof SedimentError ? error.message : databaseMessage(error);
  return new MigrationFailedError(`${verb} ${id} failed at ${where}: ${message}`, {
    hint: hints.join(' '),
    databaseState,
    // Transaction control is not what failed: only name a statement of the migration itself.
    sql: error instanceof SedimentError ? error.sql ?? statementOf(sql) : statementOf(sql),
    cause: error,
  });
}

/**
 * What a failed non-atomic step left: it commits as it goes, so never "nothing of it ran" when an
 * earlier interrupted run, or the failing operation's own first statements, may have committed.
 */
function nonAtomicState(partial: string, recording: boolean, backwards: boolean): string {
  const verb = backwards ? 'unapplied' : 'applied';
  if (partial) return `partially ${verb}: ${partial}`;
  if (recording) return `${verb}, but not recorded: every operation ran and was committed (the migration is not atomic), then recording it failed`;
  return 'this run committed nothing of it before the failing operation (it is not atomic: what an earlier, interrupted run committed stays)';
}

function statementOf(sql: string | undefined): string | undefined {
  return sql && !/^\s*(BEGIN|COMMIT)\b/i.test(sql) ? sql : undefined;
}
