import type { Connection } from '../backends/base/connection.js';
import type { SchemaEditor } from '../backends/base/schema-editor.js';
import { databaseMessage, InterruptedError, MigrationFailedError, MigrationNeverFinishedError, SedimentError } from '../errors/index.js';
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
import { interruptionOf, StatementRefusedError, type Interruption } from './interruption.js';

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
  /**
   * Aborted to stop the run (its reason an Interruption: SIGINT/SIGTERM, or Node about to exit with
   * the run unfinished). The executor then cancels the running statement, issues no further ones,
   * rolls the migration in progress back and throws InterruptedError (MigrationNeverFinishedError for
   * a stall), naming what was applied earlier in the run and what was not.
   */
  readonly signal?: AbortSignal;
  /**
   * How long the running operation has, after the cancel, to come back before it is abandoned (a
   * runCode awaiting a timer or a promise that never settles): then the transaction is rolled back
   * from here, or the connection closed if even that does not answer. Default 3000 ms.
   */
  readonly cancelGraceMs?: number;
}

export interface ExecuteOptions {
  /** Record (or unrecord) without running anything. */
  readonly fake?: boolean;
  /** For initial migrations whose tables and columns all exist already: record without running. */
  readonly fakeInitial?: boolean;
}

/**
 * A connection that remembers the statement it is running, so a failure can name its SQL, and that
 * refuses new statements once the run is interrupted (a data migration looping over rows stops at its
 * next query; PGlite cannot cancel a statement, so this is how it stops). ROLLBACK still goes through:
 * a data migration's own transaction must be able to end.
 */
function trackStatements(connection: Connection, signal: AbortSignal | undefined): Connection & { lastSql?: string } {
  const refuse = (sql: string) => {
    if (signal?.aborted && !/^\s*ROLLBACK\b/i.test(sql)) throw new StatementRefusedError();
  };
  const tracked: Connection & { lastSql?: string } = {
    backend: connection.backend,
    description: connection.description,
    asyncCommitSurvivesExit: connection.asyncCommitSurvivesExit,
    async query(sql, params) {
      refuse(sql);
      tracked.lastSql = sql;
      return connection.query(sql, params);
    },
    async script(sql) {
      refuse(sql);
      tracked.lastSql = sql;
      return connection.script(sql);
    },
    cancel: () => connection.cancel(),
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
  const ids = steps.map((step) => nodeKey(step.migration.app, step.migration.name));
  for (const [index, step] of steps.entries()) {
    const id = ids[index];
    if (deps.signal?.aborted) throw interrupted(interruptionOf(deps.signal), undefined, { done, remaining: ids.slice(index) });
    let fake = options.fake === true;
    let notFaked: string | undefined;
    if (!fake && options.fakeInitial === true && !step.backwards && step.migration.initial) {
      const check = await checkInitialApplied(step.migration, step.stateBefore, deps.naming, deps.connection);
      fake = check.applied;
      notFaked = check.missing;
    }
    deps.onEvent?.({ kind: 'migration-start', id, backwards: step.backwards, fake });
    const started = performance.now();
    await runStep(step, deps, fake, { done, remaining: ids.slice(index), last: index === steps.length - 1, notFaked });
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
  /** This step's migration and the ones after it in the plan. */
  readonly remaining: readonly string[];
  /** The last step of the run commits synchronously (see runStep). */
  readonly last: boolean;
  /** Why --fake-initial did not fake this initial migration, if it was asked to. */
  readonly notFaked?: string;
}

async function runStep(step: PlanStep, deps: ExecutorDeps, fake: boolean, context: StepContext): Promise<void> {
  const { last } = context;
  const { migration } = step;
  const connection = trackStatements(deps.connection, deps.signal);
  const { transactions, features } = deps.connection.backend;
  // Without transactional DDL (MySQL) every statement commits by itself: no migration is atomic there.
  const atomic = migration.atomic && features.transactionalDdl;
  if (fake) {
    await record(step, deps.recorder);
    return;
  }
  if (atomic) {
    // Every commit but the run's last is asynchronous on a server: waiting for a WAL flush per migration
    // is most of the cost of a long run. This never risks consistency — after a crash the most recent
    // commits are lost as a whole, schema change and history row together, as if they had rolled back —
    // and the last commit, which is synchronous, flushes the WAL and so makes every earlier one durable
    // before migrate reports success (https://www.postgresql.org/docs/current/wal-async-commit.html).
    // Not where the process is the server (PGlite): there an interrupt loses every asynchronous commit
    // not yet flushed, and migrate has already printed OK for them (issue 8, item 4).
    const synchronous = last || !deps.connection.asyncCommitSurvivesExit;
    await transactions.begin(connection, { synchronous });
  }
  const progress = { operation: -1 };
  const watch = watchForInterrupt(deps);
  try {
    await Promise.race([runOperations(step, connection, deps, progress), watch.abandoned]);
    progress.operation = -1;
    if (deps.signal?.aborted) throw new StatementRefusedError();
    // The history rows and the COMMIT go in one round trip: per-migration bookkeeping is most of what a
    // long run spends beyond the DDL itself. A signal from here on lets the commit finish.
    const history = recordSql(step, deps.recorder);
    watch.committing = true;
    if (atomic) await transactions.commit(connection, history);
    else await connection.script(history);
  } catch (error) {
    // A signal never cancels the COMMIT (see watchForInterrupt): an error there is the commit's own.
    if (deps.signal?.aborted && !watch.committing) {
      await watch.cancelled;
      const ended = await endTransaction(deps.connection, atomic || watch.gaveUp);
      throw interrupted(interruptionOf(deps.signal), step, context, { operation: progress.operation, ended, gaveUp: watch.gaveUp, graceMs: watch.graceMs });
    }
    if (atomic) await transactions.rollback(deps.connection).catch(() => {});
    throw failure(error, step, progress.operation, connection.lastSql, context, deps.connection);
  } finally {
    watch.dispose();
  }
}

interface InterruptWatch {
  /** Settles (rejects) once the running operation has had its grace period after an interrupt. */
  readonly abandoned: Promise<never>;
  readonly gaveUp: boolean;
  readonly graceMs: number;
  /** The cancel request, once sent: awaited before ROLLBACK, so a late cancel cannot hit the ROLLBACK. */
  readonly cancelled: Promise<unknown>;
  /** Set while the history rows and COMMIT run: a signal then lets them finish instead of cancelling them. */
  committing: boolean;
  dispose(): void;
}

/**
 * On an interrupt during a step: cancels the running statement (a server cancels it; PGlite has none
 * running, and the statement wrapper refuses the next), and gives the running operation `graceMs` to
 * come back with the cancel's error. A stall gets no grace: nothing can wake it.
 */
function watchForInterrupt(deps: ExecutorDeps): InterruptWatch {
  const signal = deps.signal;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let giveUp: (error: Error) => void = () => {};
  const abandoned = new Promise<never>((_, reject) => (giveUp = reject));
  abandoned.catch(() => {});
  const watch: InterruptWatch = {
    abandoned,
    gaveUp: false,
    graceMs: deps.cancelGraceMs ?? 3000,
    cancelled: Promise.resolve(),
    committing: false,
    dispose() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
  const onAbort = () => {
    if (watch.committing) return;
    (watch as { cancelled: Promise<unknown> }).cancelled = deps.connection.cancel().catch(() => false);
    const grace = signal && interruptionOf(signal).kind === 'stalled' ? 0 : watch.graceMs;
    timer = setTimeout(() => {
      (watch as { gaveUp: boolean }).gaveUp = true;
      giveUp(new StatementRefusedError());
    }, grace);
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return watch;
}

/** How the transaction of an interrupted migration ended. */
type TransactionEnd = 'rolled-back' | 'connection-closed' | 'none';

/**
 * Rolls back the interrupted migration's transaction. If the abandoned operation still occupies the
 * connection (a statement the cancel did not stop), ROLLBACK does not answer either: then the
 * connection is closed, and the server rolls back the open transaction and frees the session lock.
 */
async function endTransaction(connection: Connection, open: boolean): Promise<TransactionEnd> {
  if (!open) return 'none';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 2000)));
  // A cancel that reached the server just as ROLLBACK started fails that ROLLBACK: try once more.
  const rollback = () => connection.backend.transactions.rollback(connection).then(
    () => 'done' as const,
    (error: unknown) => (connection.backend.classifyError(error)?.kind === 'cancelled' ? 'again' as const : 'failed' as const),
  );
  const first = await Promise.race([rollback(), late]);
  const outcome = first === 'again' ? await Promise.race([rollback(), late]) : first;
  clearTimeout(timer);
  if (outcome === 'done') return 'rolled-back';
  await connection.close().catch(() => {});
  return 'connection-closed';
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
    if (op.kind === 'runSql' && migration.atomic) await connection.backend.transactions.flushDeferredChecks(connection);
  }
}

/** "operation 2 of 3 (Run code)", or the history bookkeeping when no operation was running. */
function whereIn(migration: Migration, index: number): string {
  const op = migration.operations[index];
  return op ? `operation ${index + 1} of ${migration.operations.length} (${describe(op)})` : 'recording it in the history';
}

/** The operations of a step that ran before operation `index`, in the order they ran. */
function ranBefore(step: PlanStep, index: number): string[] {
  const { migration } = step;
  const ran = step.backwards ? migration.operations.slice(index + 1).reverse() : migration.operations.slice(0, index < 0 ? migration.operations.length : index);
  return ran.map((o) => describe(o));
}

function failure(error: unknown, step: PlanStep, index: number, sql: string | undefined, context: StepContext, connection: Connection): SedimentError {
  const { migration } = step;
  const id = nodeKey(migration.app, migration.name);
  const op = migration.operations[index];
  const where = whereIn(migration, index);
  const verb = step.backwards ? 'Unapplying' : 'Applying';
  const { done } = context;
  const earlier = done.length ? ` Migrations completed earlier in this run stay ${step.backwards ? 'unapplied' : 'applied'}: ${done.join(', ')}.` : '';
  // Operations that ran before the failing one, in the order they ran.
  const ran = ranBefore(step, index);
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
  const specific = error instanceof SedimentError ? error.hint : hintForDatabaseError(connection.backend.classifyError(error), id, sql);
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
    sql: error instanceof SedimentError ? error.sql ?? statementOf(sql, connection) : statementOf(sql, connection),
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

/** Where an interrupt caught a step, and how its transaction ended. */
interface InterruptedStep {
  /** The operation running (-1: none, e.g. between the last operation and the commit). */
  readonly operation: number;
  readonly ended: TransactionEnd;
  /** The running operation did not come back within the grace period after the cancel. */
  readonly gaveUp: boolean;
  readonly graceMs: number;
}

/**
 * The error for an interrupted run: where it stopped, the state of the migration in progress (rolled
 * back; for a non-atomic one, which operations stayed committed), what this run applied before it and
 * what it did not apply. SIGINT/SIGTERM give InterruptedError; a stall MigrationNeverFinishedError.
 */
function interrupted(interruption: Interruption, step: PlanStep | undefined, context: Pick<StepContext, 'done' | 'remaining'>, at?: InterruptedStep): SedimentError {
  const backwards = step?.backwards ?? false;
  const applied = backwards ? 'unapplied' : 'applied';
  const earlier = context.done.length
    ? ` ${backwards ? 'Unapplied' : 'Applied'} earlier in this run (and still ${applied}): ${context.done.join(', ')}.`
    : ` Nothing was ${applied} earlier in this run.`;
  const notDone = context.remaining.length ? ` Not ${applied}: ${context.remaining.join(', ')}.` : '';
  if (!step || !at) {
    const state = `unchanged since the last completed migration.${earlier}${notDone}`;
    return interruptionError(interruption, `before ${context.remaining[0] ?? 'the next migration'} started`, state, 'Run migrate again to apply the rest.');
  }
  const { migration } = step;
  const id = nodeKey(migration.app, migration.name);
  const where = `while ${backwards ? 'unapplying' : 'applying'} ${id} at ${whereIn(migration, at.operation)}`;
  const how = at.ended === 'connection-closed'
    ? 'the connection was closed, so the server rolls back its open transaction and frees the migrate lock'
    : 'rolled back';
  let state: string;
  let hint: string;
  const ran = ranBefore(step, at.operation);
  if (migration.atomic) {
    state = `${how}: ${id} is ${backwards ? 'still applied' : 'not applied'} and nothing of it was kept.${earlier}${notDone}`;
    hint = `Run migrate again to ${backwards ? 'unapply' : 'apply'} the rest; nothing needs cleaning up first.`;
  } else {
    const op = at.operation >= 0 ? migration.operations[at.operation] : undefined;
    const codeCommitted = op?.kind === 'runCode' && op.atomic === false;
    const kept = [
      ran.length ? `these operations of ${id} stayed committed (the migration is not atomic): ${ran.join('; ')}` : `no operation of ${id} before the interrupted one was committed`,
      codeCommitted ? 'and the rows the interrupted runCode wrote so far stayed committed (atomic: false)' : '',
    ].filter(Boolean).join(', ');
    state = `partially ${applied}: ${kept}; ${id} is ${backwards ? 'still recorded as applied' : 'not recorded as applied'}.${earlier}${notDone}`;
    hint = ran.length || codeCommitted
      ? `Undo what stayed committed by hand (or make those operations safe to run twice) before running migrate again: it starts ${id} from its first operation.`
      : 'Run migrate again; nothing needs cleaning up first.';
  }
  if (interruption.kind === 'stalled') {
    const what = migration.operations[at.operation]?.kind === 'runCode' ? 'the data migration' : 'the operation';
    return new MigrationNeverFinishedError(
      `${id} never finished: Node had nothing left to wait for ${where.replace(/^while /, 'while it was ')}, so ${what} can never go on — its promise never settled (a forgotten resolve, an event that never fires).`,
      { databaseState: state, hint: `Make every promise the code awaits settle (resolve it, or reject it on error); then ${hint.charAt(0).toLowerCase()}${hint.slice(1)}` },
    );
  }
  const abandoned = at.gaveUp ? ` (the running code did not stop within ${Math.round(at.graceMs / 1000)} s of the cancel and was abandoned)` : '';
  return interruptionError(interruption, `${where}${abandoned}`, state, hint);
}

function interruptionError(interruption: Interruption, where: string, databaseState: string, hint: string): SedimentError {
  if (interruption.kind === 'stalled') return new MigrationNeverFinishedError(`migrate never finished ${where}.`, { databaseState, hint });
  return new InterruptedError(interruption.signal, `Interrupted by ${interruption.signal} ${where}.`, { databaseState, hint });
}

function statementOf(sql: string | undefined, connection: Connection): string | undefined {
  return sql && !connection.backend.transactions.isTransactionControl(sql) ? sql : undefined;
}
