import { EditedMigrationError, ConflictError, UsageError } from '../../errors/index.js';
import { acquireMigrateLock } from '../../executor/lock.js';
import { executePlan, type ExecutorEvent } from '../../executor/executor.js';
import { buildGraph, checkReversible, migrationPlan, planStates, targetsFor, type MigrationGraph } from '../../graph/index.js';
import type { Migration, NodeKey } from '../../graph/migration.js';
import { nodeKey } from '../../graph/migration.js';
import { describe } from '../../operations/registry.js';
import { Recorder, type AppliedMigration } from '../../recorder/recorder.js';
import type { Output } from '../output.js';
import { editorFactory, loadProjectMigrations } from '../pipeline.js';
import { loadProject, requireApps, withConnection, type GlobalOptions } from '../project.js';

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
  return withConnection(project, async (connection) => {
    const recorder = new Recorder(connection, project.historyTable);
    let release: (() => Promise<void>) | undefined;
    if (!readOnly) {
      release = await acquireMigrateLock(connection, project.historyTable, ({ holderPid, waitedMs }) => {
        const who = holderPid ? `process ${holderPid}` : 'another process';
        output.line(`Waiting for ${who} to finish migrating (${Math.round(waitedMs / 1000)}s so far)…`);
      });
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
      checkEdited(graph, applied, options.allowEdited === true);

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
      const onEvent = options.json ? jsonEvents(output) : textEvents(output);
      await executePlan([...planStates(graph, plan)], {
        connection,
        recorder,
        naming: project.naming,
        createEditor: await editorFactory(project),
        onEvent,
      }, { fake: options.fake, fakeInitial: options.fakeInitial });
      if (options.allowEdited) await rerecordEdited(graph, applied, recorder);
      await recordCompletedSquashes(migrations, recorder, project.apps.map(([label]) => label));
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

function textEvents(output: Output) {
  return (event: ExecutorEvent) => {
    const verb = event.backwards ? 'Unapplying' : 'Applying';
    if (event.kind === 'migration-start') output.stdout.write(`  ${verb} ${event.id}...`);
    else output.line(` ${event.fake ? output.color.yellow('FAKED') : output.color.green('OK')} ${output.color.dim(`(${Math.round(event.ms)} ms)`)}`);
  };
}

function jsonEvents(output: Output) {
  return (event: ExecutorEvent) => output.line(JSON.stringify({ event: event.kind, ...event, kind: undefined }));
}

/** History rows whose migration file is gone (and that no squash explains). */
function ghosts(graph: MigrationGraph, applied: ReadonlyMap<NodeKey, AppliedMigration>): AppliedMigration[] {
  return [...applied.values()].filter((row) => !graph.findLoaded(nodeKey(row.app, row.name)));
}

function reportGhosts(output: Output, graph: MigrationGraph, applied: ReadonlyMap<NodeKey, AppliedMigration>): void {
  const missing = ghosts(graph, applied);
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
  const missing = ghosts(graph, applied);
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

/** Applied migrations whose file content changed since they were applied. */
function editedMigrations(graph: MigrationGraph, applied: ReadonlyMap<NodeKey, AppliedMigration>): Migration[] {
  const edited: Migration[] = [];
  for (const row of applied.values()) {
    const migration = graph.findLoaded(nodeKey(row.app, row.name));
    if (migration && row.checksum && row.checksum !== migration.checksum) edited.push(migration);
  }
  return edited;
}

function checkEdited(graph: MigrationGraph, applied: ReadonlyMap<NodeKey, AppliedMigration>, allowed: boolean): void {
  const edited = editedMigrations(graph, applied);
  if (edited.length === 0 || allowed) return;
  const list = edited.map((m) => `${m.app}.${m.name} (${m.file})`).join(', ');
  throw new EditedMigrationError(`Applied migration(s) changed since they were applied: ${list}.`, {
    hint:
      'An applied migration never runs again, so an edit (e.g. a search-and-replace rename) makes the files disagree with the database. ' +
      'Undo the edit and write a new migration for the change; or, if the edit matches what the database already has, run with --allow-edited to re-record it.',
    databaseState: 'unchanged: nothing was run.',
  });
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
  for (const migration of editedMigrations(graph, applied)) {
    await recorder.recordApplied(migration.app, migration.name, migration.checksum);
  }
}
