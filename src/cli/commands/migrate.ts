import { relative } from 'node:path';
import type { Connection } from '../../backends/base/connection.js';
import {
  alreadyThereHint, diagnose, editedMigrations, editedSummary, ghostRows, isAlreadyExists, keySequences, tablesTouchedBy,
  describeSequence, type EditedMigration,
} from '../../doctor/index.js';
import { EditedMigrationError, ConflictError, MigrationFailedError, UsageError } from '../../errors/index.js';
import { acquireMigrateLock } from '../../executor/lock.js';
import { executePlan, type ExecutorEvent } from '../../executor/executor.js';
import { buildGraph, checkReversible, migrationPlan, planStates, targetsFor, type MigrationGraph, type PlanStepWithStates } from '../../graph/index.js';
import type { Migration, NodeKey } from '../../graph/migration.js';
import { nodeKey } from '../../graph/migration.js';
import { describe } from '../../operations/registry.js';
import { Recorder, type AppliedMigration } from '../../recorder/recorder.js';
import type { Output } from '../output.js';
import { jsonProgress, ttyProgress, type ProgressReporter } from '../../data/progress.js';
import { editorFactory, loadProjectMigrations } from '../pipeline.js';
import { loadProject, requireApps, withConnection, type GlobalOptions, type Project } from '../project.js';
import { guardInterrupts, type InterruptGuard } from '../interrupt.js';

interface MigrateOptions {
  readonly plan?: boolean;
  readonly fake?: boolean;
  readonly fakeInitial?: boolean;
  readonly check?: boolean;
  readonly prune?: boolean;
  readonly allowEdited?: boolean;
  readonly json?: boolean;
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

  const connectOptions = { readOnly, warn: (message: string) => output.warn(message) };
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
  connectOptions: { readOnly: boolean; warn: (message: string) => void },
): Promise<number> {
  const readOnly = connectOptions.readOnly;
  return withConnection(project, async (connection) => {
    const recorder = new Recorder(connection, project.historyTable);
    let release: (() => Promise<void>) | undefined;
    if (!readOnly) {
      const locked = acquireMigrateLock(connection, project.historyTable, ({ holderPid, waitedMs }) => {
        const who = holderPid ? `process ${holderPid}` : 'another process';
        output.line(`Waiting for ${who} to finish migrating (${Math.round(waitedMs / 1000)}s so far)…`);
      });
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

      if (options.prune) await prune(output, graph, applied, recorder, readOnly);
      else reportGhosts(output, graph, applied);
      await checkEdited(graph, applied, options.allowEdited === true, { project, migrations, connection });

      const plan = migrationPlan(graph, targetsFor(graph, app, name));
      if (options.check) {
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

      if (!options.json) {
        output.line(output.color.bold('Operations to perform:'));
        output.line(`  ${describeTarget(app, name)}`);
        output.line(output.color.bold('Running migrations:'));
      }
      if (plan.length === 0) {
        if (options.json) output.line(JSON.stringify({ event: 'done', applied: 0 }));
        else output.line('  No migrations to apply.');
        if (options.allowEdited) await rerecordEdited(graph, applied, recorder);
        return 0;
      }
      const { onEvent: events, progress } = options.json
        ? { onEvent: jsonEvents(output), progress: jsonProgress((line) => output.line(line)) }
        : textEvents(output);
      const steps = [...planStates(graph, plan)];
      const planned = steps.map((s) => nodeKey(s.migration.app, s.migration.name));
      guard?.throwIfInterrupted('before the first migration started', `unchanged: nothing was applied. Not applied: ${planned.join(', ')}.`);
      let running: PlanStepWithStates | undefined;
      const onEvent: typeof events = (event) => {
        if (event.kind === 'migration-start') running = steps.find((s) => nodeKey(s.migration.app, s.migration.name) === event.id);
        events(event);
      };
      try {
        await executePlan(steps, {
          connection,
          recorder,
          naming: project.naming,
          createEditor: await editorFactory(project),
          onEvent,
          // The graph lets apps.getModel check the migration's dependencies; progress shows long data migrations.
          graph,
          progress,
          // Ctrl-C / SIGTERM / a stalled data migration: cancel, roll back, throw (never exit from there).
          signal: guard?.signal,
        }, { fake: options.fake, fakeInitial: options.fakeInitial });
      } catch (error) {
        throw await explainFailure(error, running, { project, connection, graph, applied });
      }
      guard?.throwIfInterrupted('after the last migration was applied', `all ${planned.length} migration(s) of this run are applied: ${planned.join(', ')}.`);
      if (options.allowEdited) await rerecordEdited(graph, applied, recorder);
      await recordCompletedSquashes(migrations, recorder, project.apps.map(([label]) => label));
      if (!options.fake) await warnAboutSequences(output, connection, project, steps);
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
function textEvents(output: Output): { onEvent: (event: ExecutorEvent) => void; progress: ProgressReporter } {
  let open: string | undefined;
  const bar = ttyProgress(process.stderr);
  const onEvent = (event: ExecutorEvent) => {
    const verb = event.backwards ? 'Unapplying' : 'Applying';
    if (event.kind === 'migration-start') {
      output.stdout.write(`  ${verb} ${event.id}...`);
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
      if (open !== undefined) output.stdout.write('\n');
      open = undefined;
      bar.report(event);
    },
  };
  return { onEvent, progress };
}

function jsonEvents(output: Output) {
  return (event: ExecutorEvent) => output.line(JSON.stringify({ event: event.kind, ...event, kind: undefined }));
}

function reportGhosts(output: Output, graph: MigrationGraph, applied: ReadonlyMap<NodeKey, AppliedMigration>): void {
  const missing = ghostRows(graph, applied);
  if (missing.length === 0) return;
  output.warn(
    `${missing.length} applied migration(s) have no file any more: ${missing.map((m) => `${m.app}.${m.name}`).join(', ')}. ` +
      "If they were deleted on purpose (e.g. after squashing), remove them from the history with 'sediment migrate --prune'.",
  );
}

async function prune(
  output: Output,
  graph: MigrationGraph,
  applied: Map<NodeKey, AppliedMigration>,
  recorder: Recorder,
  readOnly: boolean,
): Promise<void> {
  const missing = ghostRows(graph, applied);
  if (missing.length === 0) {
    output.line('Pruning: no history rows without a migration file.');
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
  const database = !report
    ? ''
    : drift.length
      ? `The database does not have what the edited file${edited.length === 1 ? '' : 's'} describe${edited.length === 1 ? 's' : ''}: ${differences.join(' ')} ` +
        'An applied migration never runs again, so an edit (e.g. a search-and-replace rename) never reaches the database. ' +
        'Undo the edit and write the change as a new migration (for a rename: makemigrations --rename-field app.Model.old=new); ' +
        "--allow-edited would only re-record the checksum and leave the difference. 'sediment doctor' shows the details."
      : `The database has what the edited file${edited.length === 1 ? '' : 's'} describe${edited.length === 1 ? 's' : ''}: if the edit is intended, run again with --allow-edited ` +
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

async function rerecordEdited(graph: MigrationGraph, applied: ReadonlyMap<NodeKey, AppliedMigration>, recorder: Recorder): Promise<void> {
  for (const { migration } of editedMigrations(graph, applied)) {
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
 * or part of it (split it). The migration was rolled back, so the connection is usable.
 */
async function explainFailure(error: unknown, step: PlanStepWithStates | undefined, context: FailureContext): Promise<unknown> {
  if (!(error instanceof MigrationFailedError) || !step || step.backwards || !isAlreadyExists(error)) return error;
  // A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind: that one must be dropped, not faked.
  if (error.sql && /\bCONCURRENTLY\b/i.test(error.sql)) return error;
  // A non-atomic migration may have committed part of itself: the executor's hint says which part.
  if (!step.migration.atomic) return error;
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
