import { postgresBackend } from '../../../src/backends/postgres/backend.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { arrangeChanges } from '../../../src/autodetect/arrange.js';
import { detectChanges } from '../../../src/autodetect/detect.js';
import type { ArrangedMigration, Changes } from '../../../src/autodetect/types.js';
import type { Connection } from '../../../src/backends/base/connection.js';
import { DEFAULT_EXCLUDED_TABLES, introspectPostgres } from '../../../src/backends/postgres/introspector.js';
import { createPostgresSchemaEditor } from '../../../src/backends/postgres/schema-editor.js';
import { executePlan } from '../../../src/executor/executor.js';
import { buildGraph, migrationPlan, planStates, stateAt, targetsFor } from '../../../src/graph/index.js';
import type { MigrateTarget } from '../../../src/graph/index.js';
import type { Migration } from '../../../src/graph/migration.js';
import { canonicalJson, loadMigrations, migrationChecksum } from '../../../src/loader/index.js';
import { describe as describeOp } from '../../../src/operations/registry.js';
import { FlagQuestioner } from '../../../src/questioner/flag-questioner.js';
import type { QuestionerFlags } from '../../../src/questioner/flags.js';
import type { Questioner } from '../../../src/questioner/questioner.js';
import { Recorder } from '../../../src/recorder/recorder.js';
import { compareSchemas } from '../../../src/schema/compare.js';
import { expectedSchema } from '../../../src/schema/expected-schema.js';
import { Naming } from '../../../src/state/names.js';
import { ProjectState } from '../../../src/state/project-state.js';
import { renderMigration } from '../../../src/writer/index.js';

/**
 * `makemigrations` and `migrate` in-process, on one connection, along the same path the CLI takes:
 * detectChanges + arrangeChanges with a FlagQuestioner built from makemigrations' flags; optionally the
 * writer and the loader (each migration rendered to a file and loaded back); the graph, the planner,
 * planStates and the executor with the real recorder (one transaction per migration with its history
 * row). What it leaves out of the CLI is opening the connection, the lock and printing.
 */
export class InProcessProject {
  readonly naming = new Naming();
  private migrations: Migration[] = [];
  /** Each app's latest migration. */
  private readonly latest: Record<string, string | undefined> = {};

  constructor(
    readonly db: Connection,
    private readonly apps: readonly string[],
    /** Write every migration to `<dir>/<app>/migrations/` and load it back through the loader. */
    private readonly filesDir?: string,
  ) {}

  /** Every migration written so far, in the order written. */
  all(): readonly Migration[] {
    return this.migrations;
  }

  /** Each app's latest migration (undefined: none yet). */
  leaves(): Record<string, string | undefined> {
    return { ...this.latest };
  }

  /** The state the migration files build (what `makemigrations` compares the models with). */
  historyState(): ProjectState {
    if (this.migrations.length === 0) return ProjectState.empty();
    return stateAt(buildGraph(this.migrations, [], { apps: this.apps }), null);
  }

  /** `makemigrations` with the given flags: the migrations written, and the questions that had no flag. */
  async makemigrations(models: ProjectState, flags: QuestionerFlags): Promise<{ written: ArrangedMigration[]; changes: Changes; unusedFlags: string[] }> {
    const questioner = FlagQuestioner.fromFlags(flags);
    const changes = await detectChanges(this.historyState(), models, questioner, { leaves: { ...this.latest } });
    const written = arrangeChanges(changes, this.latest, { now: () => new Date(0) });
    const loaded = this.filesDir ? await this.throughFiles(written) : written.map((m) => inMemory(m));
    this.migrations.push(...loaded);
    for (const m of written) this.latest[m.app] = m.name;
    return { written, changes, unusedFlags: questioner.unusedFlags() };
  }

  /** `makemigrations --check`: the changes still missing (none after a makemigrations that worked). */
  async missingChanges(models: ProjectState): Promise<{ changes: Changes; asked: string[] }> {
    const recording = new AskedQuestions(FlagQuestioner.fromFlags({ noInput: true }));
    const changes = await detectChanges(this.historyState(), models, recording, { leaves: { ...this.latest } });
    return { changes, asked: recording.asked };
  }

  /** `migrate` (every app to its latest migration), or `migrate` with explicit targets. */
  async migrate(targets?: readonly MigrateTarget[]): Promise<string[]> {
    const recorder = new Recorder(this.db);
    await recorder.ensureTable();
    const applied = await recorder.applied();
    const graph = buildGraph(this.migrations, applied.keys(), { apps: this.apps });
    graph.checkConsistentHistory();
    const plan = migrationPlan(graph, targets ?? targetsFor(graph));
    await executePlan([...planStates(graph, plan)], {
      connection: this.db,
      recorder,
      naming: this.naming,
      createEditor: (connection) => createPostgresSchemaEditor(connection, this.naming),
    });
    return plan.map((step) => `${step.backwards ? '-' : '+'}${step.migration.app}.${step.migration.name}`);
  }

  /** The recorded history, `app.name` sorted. */
  async history(): Promise<string[]> {
    const recorder = new Recorder(this.db);
    return [...(await recorder.applied()).keys()].sort();
  }

  /** Migrations as the loader reads them back from the files the writer wrote. */
  private async throughFiles(written: readonly ArrangedMigration[]): Promise<Migration[]> {
    const dir = this.filesDir!;
    for (const app of this.apps) mkdirSync(join(dir, 'src', app, 'migrations'), { recursive: true });
    for (const m of written) {
      const folder = join(dir, 'src', m.app, 'migrations');
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, `${m.name}.ts`), renderMigration(m, { date: new Date(0) }));
    }
    const apps = this.apps.map((app) => [app, join('src', app)] as const);
    const loaded = await loadMigrations({ root: dir, apps });
    const byKey = new Map(loaded.map((m) => [`${m.app}.${m.name}`, m]));
    return written.map((m) => {
      const back = byKey.get(`${m.app}.${m.name}`);
      if (!back) throw new Error(`the loader did not read back ${m.app}.${m.name}`);
      const text = (x: unknown) => canonicalJson(x, (fn) => String(fn));
      if (text(back.operations) !== text(m.operations) || text(back.dependencies) !== text(m.dependencies)) {
        throw new Error(
          `${m.app}.${m.name} reads back differently from what was written:\n  written: ${text(m.operations)}\n  read:    ${text(back.operations)}`,
        );
      }
      return back;
    });
  }
}

function inMemory(m: ArrangedMigration): Migration {
  const body = { dependencies: m.dependencies, operations: m.operations, initial: m.initial, atomic: true, replaces: [], runBefore: [] };
  return { app: m.app, name: m.name, file: `(memory)/${m.app}/migrations/${m.name}.ts`, ...body, checksum: migrationChecksum(body, String) };
}

/** Wraps a questioner, noting every question a person would have been asked (renames that look likely, NOT NULL). */
class AskedQuestions implements Questioner {
  readonly asked: string[] = [];
  constructor(private readonly inner: Questioner) {}
  async askRenameModel(q: Parameters<Questioner['askRenameModel']>[0]) {
    if (q.similar) this.asked.push(`rename model ${q.app}.${q.oldName} -> ${q.newName}?`);
    return this.inner.askRenameModel(q);
  }
  async askRenameField(q: Parameters<Questioner['askRenameField']>[0]) {
    if (q.similar) this.asked.push(`rename field ${q.app}.${q.model}.${q.oldName} -> ${q.newName}?`);
    return this.inner.askRenameField(q);
  }
  async askNotNullAddition(q: Parameters<Questioner['askNotNullAddition']>[0]) {
    this.asked.push(`default for new NOT NULL ${q.app}.${q.model}.${q.field}?`);
    return { kind: 'handled' as const };
  }
  async askNotNullAlteration(q: Parameters<Questioner['askNotNullAlteration']>[0]) {
    this.asked.push(`default for NOT NULL ${q.app}.${q.model}.${q.field}?`);
    return { kind: 'handled' as const };
  }
  async askMerge(q: Parameters<Questioner['askMerge']>[0]) {
    return this.inner.askMerge(q);
  }
}

/** Every difference between the live schema and the one `state` implies (the history table left out). */
export async function schemaDifferences(db: Connection, state: ProjectState, naming: Naming = new Naming()): Promise<string[]> {
  const actual = await introspectPostgres(db, { exclude: DEFAULT_EXCLUDED_TABLES });
  return compareSchemas(expectedSchema(state, naming, postgresBackend), actual).map((finding) => finding.message);
}

/** Migrations as readable lines, for failure messages. */
export function describeMigrations(migrations: readonly ArrangedMigration[]): string {
  if (migrations.length === 0) return '    (none)';
  return migrations
    .map((m) => `    ${m.app}.${m.name} deps [${m.dependencies.map(([a, n]) => `${a}.${n}`).join(', ')}]\n${m.operations.map((op) => `        ${describeOp(op)}`).join('\n')}`)
    .join('\n');
}

/** Runs `fn` in a fresh schema (search_path set on `db`), dropping it afterwards. */
export async function inFreshSchema<T>(db: Connection, name: string, fn: () => Promise<T>): Promise<T> {
  await db.query(`CREATE SCHEMA ${name}`);
  await db.query(`SET search_path TO ${name}`);
  try {
    return await fn();
  } finally {
    await db.query('ROLLBACK').catch(() => {});
    await db.query('RESET search_path');
    await db.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
  }
}
