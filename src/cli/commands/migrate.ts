import { relative } from 'node:path';
import type { Connection } from '../../backends/base/connection.js';
import {
  alreadyThereHint, diagnose, editedMigrations, editedSummary, foreignRows, foreignSummary, ghostRows, interruptedHint, isAlreadyExists,
  keySequences, runsCode, tablesTouchedBy, describeSequence, type EditedMigration,
} from '../../doctor/index.js';
import { olderChecksumRows } from '../../doctor/history.js';
import { EditedMigrationError, ConflictError, MigrationFailedError, UsageError } from '../../errors/index.js';
import { executePlan, type ExecutorEvent } from '../../executor/executor.js';
import { buildGraph, checkReversible, migrationPlan, planStates, targetsFor, type MigrationGraph, type PlanStepWithStates } from '../../graph/index.js';
import type { Migration, NodeKey } from '../../graph/migration.js';
import { nodeKey } from '../../graph/migration.js';
import { describe } from '../../operations/registry.js';
import { Recorder, type AppliedMigration } from '../../recorder/recorder.js';
import type { Output } from '../output.js';
import { jsonProgress, ttyProgress, type ProgressReporter } from '../../data/progress.js';
import { editorFactory, loadProjectMigrations } from '../pipeline.js';
import { announceTarget, loadProject, printLockWait, requireApps, withConnection, type ConnectOptions, type GlobalOptions, type Project } from '../project.js';
import { dataLossOf } from '../../executor/data-loss.js';
import { confirmDataLoss, countLosses } from '../data-loss-report.js';
import { guardInterrupts, type InterruptGuard } from '../interrupt.js';

interface MigrateOptions {
  readonly plan?: boolean;
  readonly fake?: boolean;
  readonly fakeInitial?: boolean;
  readonly check?: boolean;
  readonly prune?: boolean;
  readonly allowEdited?: boolean;
  readonly json?: boolean;
  /** false with --no-input: never ask before destroying data, only say it. */
  readonly input?: boolean;
}

/** `sediment migrate [app [name|zero]]`. */
export async function migrate(
  output: Output,
  global: GlobalOptions,
  app: string | undefined,
  name: string | undefined,
  options: MigrateOptions,
): Promise<number> {
  if (options.fake && options.fakeInitial) throw new UsageError('--fake and --fake-initial cannot be used together.');
  const project = await loadProject(global);
  requireApps(project, [app]);
  const migrations = await loadProjectMigrations(project);
  const readOnly = options.plan === true || options.check === true;

  const connectOptions: ConnectOptions = {
    readOnly, warn: (message: string) => output.warn(message), announce: announceTarget(output), onLockWait: printLockWait(output),
  };
  // Ctrl-C / SIGTERM cancel, roll back and report instead of killing the process (src/cli/interrupt.ts).
  const guard = readOnly ? undefined : guardInterrupts({ warn: (line) => output.stderr.write(`${line}\n`), onForcedExit: FORCED_EXIT });
  try {
    return await migrateConnected(output, project, migrations, app, name, options, guard, connectOptions);
  } finally {
    guard?.dispose();
  }
}

/** What happens to the migration in progress when migrate exits without unwinding. */
const FORCED_EXIT = 'a server rolls back the open transaction and frees the lock when the connection closes, and PGlite loses it with the process';

async function migrateConnected(
  output: Output,
  project: Project,
  migrations: readonly Migration[],
  app: string | undefined,
  name: string | undefined,
  options: MigrateOptions,
  guard: InterruptGuard | undefined,
  connectOptions: ConnectOptions,
): Promise<number> {
  const readOnly = connectOptions.readOnly === true;
  return withConnection(project, async (opened) => {
    const connection = await opened.backend.limitStatementLockWaits(opened, project.statementLockTimeoutMs);
    const recorder = new Recorder(connection, project.historyTable);
    let release: (() => Promise<void>) | undefined;
    if (!readOnly) {
      const locked = connection.backend.acquireMigrateLock(connection, project.historyTable, { onWait: connectOptions.onLockWait, timeoutMs: project.lockTimeoutMs });
      // A lock granted after the interrupt dies with the session, which closes right after.
      release = await (guard ? guard.race(locked, 'while waiting for the migrate lock', 'unchanged: nothing was applied.') : locked);
    }
    try {
      // The table is created while holding the lock, so concurrent first runs cannot race to create it.
      if (!readOnly) await recorder.ensureTable();
      const applied = await recorder.applied();
      const graph = buildGraph(migrations, applied.keys(), { apps: project.apps.map(([label]) => label) });
      // `migrate app name --fake` is how an inconsistent history is repaired, so it may run past the check.
      if (!(options.fake && app && name)) graph.checkConsistentHistory();
      const conflicts = graph.conflicts();
      if (Object.keys(conflicts).length > 0) throw new ConflictError(conflicts);

      if (options.prune) await prune(output, graph, applied, recorder, readOnly, app);
      else reportGhosts(output, graph, applied);
      await checkEdited(graph, applied, options.allowEdited === true, { project, migrations, connection });
      if (!readOnly) await upgradeOlderChecksums(graph, applied, recorder);

      const plan = migrationPlan(graph, targetsFor(graph, app, name));
      if (options.check) {
        if (options.json) {
          output.json({
            event: 'check',
            pending: plan.map((step) => nodeKey(step.migration.app, step.migration.name)),
            backwards: plan[0]?.backwards ?? false,
          });
          return plan.length === 0 ? 0 : 1;
        }
        if (plan.length === 0) {
          output.line('No unapplied migrations.');
          return 0;
        }
        output.line(`${plan.length} migration(s) to ${plan[0].backwards ? 'unapply' : 'apply'}:`);
        for (const step of plan) output.line(`  ${nodeKey(step.migration.app, step.migration.name)}`);
        return 1;
      }
      if (options.plan) {
        printPlan(output, plan, options.json === true);
        return 0;
      }
      if (plan.some((step) => step.backwards)) checkReversible(plan);

      const steps = [...planStates(graph, plan)];
      if (!options.json) {
        output.line(output.color.bold('Operations to perform:'));
        output.line(`  ${describeTarget(app, name)}`);
        const others = otherAppsInPlan(plan, app);
        if (others.length) output.line(`  ${output.color.yellow(`and ${plan[0]?.backwards ? 'unapply' : 'apply'} what depends on it in other apps: ${others.join(', ')}`)}`);
      }
      if (!options.fake && plan.length > 0) {
        const losses = await countLosses(connection, dataLossOf(steps, project.naming));
        if (options.json) for (const loss of losses) output.json({ event: 'data-loss', ...loss });
        const ask = options.input !== false && output.interactive && !options.json;
        if (!options.json && !(await confirmDataLoss(output, losses, { ask, subject: 'This run' }))) {
          output.line('Nothing was run.');
          return 1;
        }
      }
      if (!options.json) output.line(output.color.bold('Running migrations:'));
      if (plan.length === 0) {
        if (options.json) output.json({ event: 'done', applied: [], unapplied: [], faked: [] });
        else output.line('  No migrations to apply.');
        if (options.allowEdited) await rerecordEdited(graph, recorder);
        return 0;
      }
      const { onEvent: events, progress, fail } = options.json
        ? { onEvent: jsonEvents(output), progress: jsonProgress((line) => output.jsonLine(line)), fail: () => {} }
        : textEvents(output);
      const planned = steps.map((s) => nodeKey(s.migration.app, s.migration.name));
      guard?.throwIfInterrupted('before the first migration started', `unchanged: nothing was applied. Not applied: ${planned.join(', ')}.`);
      let running: PlanStepWithStates | undefined;
      const summary = { applied: [] as string[], unapplied: [] as string[], faked: [] as string[] };
      const onEvent: typeof events = (event) => {
        if (event.kind === 'migration-start') running = steps.find((s) => nodeKey(s.migration.app, s.migration.name) === event.id);
        else (event.fake ? summary.faked : event.backwards ? summary.unapplied : summary.applied).push(event.id);
        events(event);
      };
      try {
        await executePlan(steps, {
          connection,
          recorder,
          naming: project.naming,
          createEditor: editorFactory(project),
          onEvent,
          // The graph lets apps.getModel check the migration's dependencies; progress shows long data migrations.
          graph,
          progress,
          // Ctrl-C / SIGTERM / a stalled data migration: cancel, roll back, throw (never exit from there).
          signal: guard?.signal,
        }, { fake: options.fake, fakeInitial: options.fakeInitial });
      } catch (error) {
        fail();
        if (options.json && running) {
          const id = nodeKey(running.migration.app, running.migration.name);
          output.json({ event: 'migration-failed', id, backwards: running.backwards, ...summary });
        }
        throw await explainFailure(error, running, { project, connection, graph, applied });
      }
      guard?.throwIfInterrupted('after the last migration was applied', `all ${planned.length} migration(s) of this run are applied: ${planned.join(', ')}.`);
      if (options.allowEdited) await rerecordEdited(graph, recorder);
      await recordCompletedSquashes(migrations, recorder, project.apps.map(([label]) => label));
      if (!options.fake) await warnAboutSequences(output, connection, project, steps);
      if (options.json) output.json({ event: 'done', ...summary });
      return 0;
    } finally {
      await release?.();
    }
  }, connectOptions);
}

function describeTarget(app: string | undefined, name: string | undefined): string {
  if (!app) return 'Apply all migrations';
  if (!name) return `Apply all migrations of ${app}`;
  if (name === 'zero') return `Unapply all migrations of ${app}`;
  return `Target ${app}.${name}`;
}

function printPlan(output: Output, plan: readonly { migration: Migration; backwards: boolean }[], json: boolean): void {
  if (json) {
    output.json(plan.map((step) => ({
      migration: nodeKey(step.migration.app, step.migration.name),
      backwards: step.backwards,
      operations: step.migration.operations.map((op) => describe(op)),
    })));
    return;
  }
  output.line(output.color.bold('Planned operations:'));
  if (plan.length === 0) output.line('  No planned migration operations.');
  for (const step of plan) {
    output.line(`${nodeKey(step.migration.app, step.migration.name)}${step.backwards ? ' (unapply)' : ''}`);
    const ops = step.backwards ? [...step.migration.operations].reverse() : step.migration.operations;
    for (const op of ops) output.line(`    ${step.backwards ? 'Undo ' : ''}${describe(op)}`);
  }
}

/**
 * "  Applying shop.0002_x... OK (12 ms)", as Django prints it. A long data migration's progress bar
 * (on a TTY) first ends the open line, and the result then repeats the migration's name.
 */
function textEvents(output: Output): { onEvent: (event: ExecutorEvent) => void; progress: ProgressReporter; fail: () => void } {
  let open: string | undefined;
  const bar = ttyProgress(process.stderr);
  const onEvent = (event: ExecutorEvent) => {
    const verb = event.backwards ? 'Unapplying' : 'Applying';
    if (event.kind === 'migration-start') {
      output.write(`  ${verb} ${event.id}...`);
      open = event.id;
      return;
    }
    const result = `${event.fake ? output.color.yellow('FAKED') : output.color.green('OK')} ${output.color.dim(`(${Math.round(event.ms)} ms)`)}`;
    output.line(open === event.id ? ` ${result}` : `  ${verb} ${event.id}... ${result}`);
    open = undefined;
  };
  const progress: ProgressReporter = {
    enabled: bar.enabled,
    report(event) {
      if (open !== undefined) output.write('\n');
      open = undefined;
      bar.report(event);
    },
  };
  // A failure ends the open "Applying x..." line, so the error block starts on a line of its own.
  const fail = () => {
    if (open !== undefined) output.line(` ${output.color.red('FAILED')}`);
    open = undefined;
  };
  return { onEvent, progress, fail };
}

function jsonEvents(output: Output) {
  return (event: ExecutorEvent) => {
    const { kind, ...fields } = event;
    output.json({ event: kind, ...fields });
  };
}

/** Migrations of apps other than the one named that the plan runs too (dependents of what is unapplied). */
function otherAppsInPlan(plan: readonly { migration: Migration }[], app: string | undefined): string[] {
  if (!app) return [];
  return plan.filter((step) => step.migration.app !== app).map((step) => nodeKey(step.migration.app, step.migration.name));
}

/**
 * Warns about this project's history rows without a file. Rows of apps the project does not configure
 * (another project sharing the database, see doctor/foreign.ts) are not ghosts of this project: they
 * are left out, silently — `doctor` and `migrate --prune` mention them once.
 */
function reportGhosts(output: Output, graph: MigrationGraph, applied: ReadonlyMap<NodeKey, AppliedMigration>): void {
  const missing = ghostRows(graph, applied);
  if (missing.length === 0) return;
  output.warn(
    `${missing.length} applied migration(s) have no file any more: ${missing.map((m) => `${m.app}.${m.name}`).join(', ')}. ` +
      "If they were deleted on purpose (e.g. after squashing), remove them from the history with 'sediment migrate --prune'.",
  );
}

/**
 * `migrate --prune [app]`: deletes the history rows of this project's apps (with an app label: of that
 * app only, as Django's --prune) whose file is gone. Rows of apps the project does not configure are
 * never pruned — they are another project's, or an app's that was removed from the config — only
 * reported as left alone.
 */
async function prune(
  output: Output,
  graph: MigrationGraph,
  applied: Map<NodeKey, AppliedMigration>,
  recorder: Recorder,
  readOnly: boolean,
  app?: string,
): Promise<void> {
  const missing = ghostRows(graph, applied).filter((row) => app === undefined || row.app === app);
  const foreign = foreignSummary(foreignRows(graph, applied));
  if (foreign) {
    output.line(
      `Pruning: ${foreign}: left alone (another project sharing this database may use them; ` +
        `if an app was removed from this project, delete its rows by hand from ${recorder.tableName}).`,
    );
  }
  if (missing.length === 0) {
    output.line(`Pruning: no history rows${app ? ` of ${app}` : ''} without a migration file.`);
    return;
  }
  for (const row of missing) {
    if (!readOnly) await recorder.recordUnapplied(row.app, row.name);
    output.line(`Pruned ${row.app}.${row.name} from the history${readOnly ? ' (dry run)' : ''}.`);
    if (!readOnly) applied.delete(nodeKey(row.app, row.name));
  }
}

interface EditedContext {
  readonly project: Project;
  readonly migrations: readonly Migration[];
  readonly connection: Connection;
}

/**
 * Refuses to run past applied migrations whose content changed (seed 002's search-and-replace
 * rename): says what kind of change it is, and whether the database has what the edited file
 * describes (doctor's comparison, only on this error path).
 */
async function checkEdited(graph: MigrationGraph, applied: ReadonlyMap<NodeKey, AppliedMigration>, allowed: boolean, context: EditedContext): Promise<void> {
  const edited = editedMigrations(graph, applied);
  if (edited.length === 0 || allowed) return;
  // The comparison only enriches the hint: if it fails (say, a migration that does not replay), the
  // refusal still stands, with the general hint.
  const report = await diagnose({
    migrations: context.migrations,
    apps: context.project.apps.map(([label]) => label),
    connection: context.connection,
    naming: context.project.naming,
    historyTable: context.project.historyTable,
  }).catch(() => undefined);
  const names = edited.map((e) => nodeKey(e.migration.app, e.migration.name));
  const drift = report?.findings.filter((f) => f.kind === 'schema-drift' && f.explanation.kind === 'set-by' && names.includes(f.explanation.migration)) ?? [];
  const extras = report?.findings.filter((f) => f.kind === 'schema-drift' && f.explanation.kind === 'none') ?? [];
  const differences = [...drift, ...extras].slice(0, 6).map((f) => f.message);
  // The comparison is of the schema only: it says nothing about the rows a runSql / runCode wrote
  // (issue 8, finding 9), so for those a match is no reason to accept the edit.
  const runningCode = edited.filter((e) => runsCode(e.migration.operations)).map((e) => nodeKey(e.migration.app, e.migration.name));
  const plural = edited.length === 1 ? '' : 's';
  const database = !report
    ? ''
    : drift.length
      ? `The database does not have what the edited file${edited.length === 1 ? '' : 's'} describe${edited.length === 1 ? 's' : ''}: ${differences.join(' ')} ` +
        'An applied migration never runs again, so an edit (e.g. a search-and-replace rename) never reaches the database. ' +
        'Undo the edit and write the change as a new migration (for a rename: makemigrations --rename-field app.Model.old=new); ' +
        "--allow-edited would only re-record the checksum and leave the difference. 'sediment doctor' shows the details."
      : runningCode.length
        ? `The schema matches what the edited file${plural} describe${plural ? '' : 's'}, but ${runningCode.join(', ')} run${runningCode.length === 1 ? 's' : ''} SQL or code ` +
          '(runSql / runCode), and no schema check can tell what that did to the rows: if the edit is in that part, the rows still hold what the ' +
          'old version wrote, since an applied migration never runs again. Undo the edit and put the change in a new migration. ' +
          "Only if you have checked the data yourself: run again with --allow-edited (or 'sediment doctor --fix --accept-edited') to re-record it."
        : `The database has what the edited file${plural} describe${plural ? '' : 's'}: if the edit is intended, run again with --allow-edited ` +
          "(or 'sediment doctor --fix --accept-edited') to re-record it; otherwise undo the edit.";
  throw new EditedMigrationError(`${edited.map((e) => editedLine(e)).join(' ')}`, {
    hint: database ||
      'An applied migration never runs again, so an edit (e.g. a search-and-replace rename) makes the files disagree with the database. ' +
      'Undo the edit and write a new migration for the change; or, if the edit matches what the database already has, run with --allow-edited to re-record it.',
    databaseState: 'unchanged: nothing was run.',
  });
}

function editedLine(edited: EditedMigration): string {
  const file = relative(process.cwd(), edited.migration.file);
  return `${editedSummary({ ...edited, migration: { ...edited.migration, file } })}.`;
}

/**
 * A squash whose replaced migrations are now all applied counts as applied: give it its own history
 * row too (Django's check_replacements), so the history stays right after the old files are deleted.
 */
async function recordCompletedSquashes(migrations: readonly Migration[], recorder: Recorder, apps: string[]): Promise<void> {
  if (!migrations.some((m) => m.replaces.length > 0)) return;
  const graph = buildGraph(migrations, (await recorder.applied()).keys(), { apps });
  for (const key of graph.unrecordedSquashes()) {
    const migration = graph.migration(key);
    await recorder.recordApplied(migration.app, migration.name, migration.checksum);
  }
}

/** Rows an older Sediment recorded, re-recorded silently with the current checksum (doctor/history.ts olderChecksumRows). */
async function upgradeOlderChecksums(graph: MigrationGraph, applied: ReadonlyMap<NodeKey, AppliedMigration>, recorder: Recorder): Promise<void> {
  for (const migration of olderChecksumRows(graph, applied)) await recorder.recordApplied(migration.app, migration.name, migration.checksum);
}

/**
 * `--allow-edited`: re-records the new checksum of the edited migrations that are still applied after
 * the run. The history is read again: the rows taken before the run would also name the migrations the
 * run just unapplied (`migrate --allow-edited app zero`), and recording those would say applied for
 * tables that are gone.
 */
async function rerecordEdited(graph: MigrationGraph, recorder: Recorder): Promise<void> {
  for (const { migration } of editedMigrations(graph, await recorder.applied())) {
    await recorder.recordApplied(migration.app, migration.name, migration.checksum);
  }
}

interface FailureContext {
  readonly project: Project;
  readonly connection: Connection;
  readonly graph: MigrationGraph;
  readonly applied: ReadonlyMap<NodeKey, AppliedMigration>;
}

/**
 * A migration that failed because what it creates already exists (seed 002's "column ... already
 * exists") gets a hint that says how much of it the database has: all of it (record it with --fake),
 * or part of it (split it). An atomic migration was rolled back, so the connection is usable and what
 * is there was there before the run; a non-atomic one may have been interrupted half-way by an
 * earlier run (interruptedHint).
 */
async function explainFailure(error: unknown, step: PlanStepWithStates | undefined, context: FailureContext): Promise<unknown> {
  if (!(error instanceof MigrationFailedError) || !step || step.backwards || !isAlreadyExists(error, context.connection.backend)) return error;
  // A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind: that one must be dropped, not faked.
  if (error.sql && /\bCONCURRENTLY\b/i.test(error.sql)) return error;
  // A non-atomic migration commits as it goes, so what is there may be an interrupted run's: check each
  // operation, and keep the executor's note on what this run committed.
  if (!step.migration.atomic) {
    const interrupted = await interruptedHint({
      migration: step.migration,
      stateBefore: step.stateBefore,
      connection: context.connection,
      naming: context.project.naming,
      historyTable: context.project.historyTable,
    }).catch(() => undefined);
    if (!interrupted) return error;
    const committed = /These operations of \S+ stayed committed: .*$/.exec(error.hint ?? '')?.[0];
    return new MigrationFailedError(error.message, {
      hint: committed ? `${interrupted} ${committed}` : interrupted,
      databaseState: error.databaseState,
      sql: error.sql,
      cause: error.cause,
    });
  }
  // Only a better hint is at stake: if looking fails, the executor's own error stands unchanged.
  const hint = await alreadyThereHint({
    migration: step.migration,
    stateBefore: step.stateBefore,
    connection: context.connection,
    naming: context.project.naming,
    historyTable: context.project.historyTable,
    missingFiles: ghostRows(context.graph, context.applied).map((row) => nodeKey(row.app, row.name)),
  }).catch(() => undefined);
  if (!hint) return error;
  // Keep the executor's note on why --fake-initial ran the migration instead of recording it.
  const fakeInitial = /^--fake-initial ran .*? because .*?\.(?= |$)/.exec(error.hint ?? '')?.[0];
  return new MigrationFailedError(error.message, {
    hint: fakeInitial ? `${fakeInitial} ${hint}` : hint,
    databaseState: error.databaseState,
    sql: error.sql,
    cause: error.cause,
  });
}

/**
 * Seed 004: after a run, a key sequence of a table it touched that is behind the table's largest key
 * means the next insert fails with a duplicate key. Say so now, with the fix.
 */
async function warnAboutSequences(output: Output, connection: Connection, project: Project, steps: readonly PlanStepWithStates[]): Promise<void> {
  const touched = tablesTouchedBy(steps, project.naming);
  if (touched !== 'all' && touched.size === 0) return;
  const behind = (await keySequences(connection, touched === 'all' ? {} : { tables: touched })).filter((s) => s.behind);
  for (const sequence of behind) {
    output.warn(`${describeSequence(sequence)} Run 'sediment sequences --reset' to fix it.`);
  }
}
