import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { detectChanges, arrangeChanges } from '../../autodetect/index.js';
import { ConflictError, SedimentError, UsageError } from '../../errors/index.js';
import { buildGraph, stateAt } from '../../graph/index.js';
import { loadModels } from '../../loader/index.js';
import { projectStateFromModels } from '../../model/collect.js';
import { describe } from '../../operations/registry.js';
import { createQuestioner, type FlaggedQuestioner } from '../../questioner/index.js';
import { ProjectState } from '../../state/project-state.js';
import { renderEmptyMigration, renderMigration } from '../../writer/index.js';
import type { Output } from '../output.js';
import { loadProjectMigrations } from '../pipeline.js';
import { loadProject, requireApps, type GlobalOptions, type Project } from '../project.js';

interface MakeOptions {
  readonly name?: string;
  readonly empty?: boolean;
  readonly dryRun?: boolean;
  readonly check?: boolean;
  readonly merge?: boolean;
  readonly input: boolean;
  readonly renameField: string[];
  readonly renameModel: string[];
  readonly default: string[];
  readonly assumeHandled: string[];
  readonly json?: boolean;
}

interface WrittenMigration {
  readonly app: string;
  readonly name: string;
  readonly file: string;
  readonly operations: string[];
}

/** `sediment makemigrations [app…]`: compare the models with the history and write what changed. */
export async function makemigrations(output: Output, global: GlobalOptions, apps: string[], options: MakeOptions): Promise<number> {
  const project = await loadProject(global);
  requireApps(project, apps);
  const labels = project.apps.map(([label]) => label);
  if (options.merge) {
    throw new SedimentError('not-available', 'makemigrations --merge is not available in this version of Sediment.', {
      hint: 'Until it is, resolve the conflict by hand: make the later migration depend on the other leaf.',
    });
  }
  const migrations = await loadProjectMigrations(project);
  const graph = buildGraph(migrations, [], { apps: labels });
  const conflicts = graph.conflicts();
  if (Object.keys(conflicts).length > 0) throw new ConflictError(conflicts);
  const leaves = Object.fromEntries(labels.map((app) => [app, graph.leafNodes(app)[0]?.slice(app.length + 1)]));
  const fromState = graph.size ? stateAt(graph, null) : ProjectState.empty();

  if (options.empty) return writeEmpty(output, project, apps, leaves, options);

  const definitions = await loadModels({ root: project.root, apps: project.apps });
  const toState = projectStateFromModels(labels.map((app) => [app, definitions[app] ?? []] as const));
  const questioner = await createQuestioner({
    interactive: options.input && output.interactive && !options.check && !options.json,
    renameFields: options.renameField,
    renameModels: options.renameModel,
    defaults: options.default,
    assumeHandled: options.assumeHandled,
  });
  const changes = await detectChanges(fromState, toState, questioner, { apps: apps.length ? apps : undefined, leaves });
  const planned = arrangeChanges(changes, leaves, { name: options.name });
  const written: WrittenMigration[] = planned.map((migration) => ({
    app: migration.app,
    name: migration.name,
    file: join(appDir(project, migration.app), 'migrations', `${migration.name}.ts`),
    operations: migration.operations.map((op) => describe(op)),
  }));
  // Render and check everything before writing anything: a failure leaves no half-written set.
  const date = new Date();
  const sources = planned.map((migration) => renderMigration(migration, { date }));
  const taken = written.find((w) => existsSync(w.file));
  if (taken) throw new UsageError(`${taken.file} already exists; makemigrations never overwrites a migration.`);
  if (!options.check && !options.dryRun) {
    written.forEach((w, i) => {
      mkdirSync(dirname(w.file), { recursive: true });
      writeFileSync(w.file, sources[i]);
    });
  }
  warnAboutFlags(output, questioner);

  if (options.json) {
    output.json({ changes: written.map((w) => ({ ...w, file: relative(project.root, w.file) })), written: !(options.check || options.dryRun) });
    return options.check && written.length > 0 ? 1 : 0;
  }
  if (written.length === 0) {
    explainNoChanges(output, project, apps.length ? apps : labels, toState);
    return 0;
  }
  const lead = options.check ? 'Missing migrations' : options.dryRun ? 'Migrations that would be written' : 'Migrations';
  for (const app of labels) {
    const mine = written.filter((w) => w.app === app);
    if (mine.length === 0) continue;
    output.line(output.color.bold(`${lead} for '${app}':`));
    for (const w of mine) {
      output.line(`  ${output.color.cyan(relative(process.cwd(), w.file))}`);
      for (const line of w.operations) output.line(`    + ${line}`);
    }
  }
  if (options.check) {
    output.line();
    output.line("Your models have changes that are not in a migration yet: run 'sediment makemigrations'.");
    return 1;
  }
  return 0;
}

/** Flags nobody asked for are usually typos; likely renames answered "no" lose data. Say so. */
function warnAboutFlags(output: Output, questioner: FlaggedQuestioner): void {
  for (const flag of questioner.unusedFlags()) {
    output.warn(`${flag} was not used: no question matched it (a typo in the app, model or field name?).`);
  }
  for (const flag of questioner.declinedRenames()) {
    output.warn(`a model or field that looks renamed was written as a removal and an addition, which loses its data; if it is a rename, delete the new migration and run again with ${flag}.`);
  }
}

function appDir(project: Project, app: string): string {
  return project.apps.find(([label]) => label === app)![1];
}

/** Seed 002's "no changes detected" story: say what was scanned, so a missing app or model is visible. */
function explainNoChanges(output: Output, project: Project, apps: readonly string[], state: ProjectState): void {
  const parts = apps.map((app) => {
    const count = state.modelsOf(app).length;
    return `${app} (${count} model${count === 1 ? '' : 's'} in ${relative(process.cwd(), join(appDir(project, app), 'models.ts'))})`;
  });
  output.line(`No changes detected. Scanned ${apps.length} app${apps.length === 1 ? '' : 's'}: ${parts.join(', ')}.`);
  const empty = apps.filter((app) => state.modelsOf(app).length === 0);
  if (empty.length) {
    output.line(
      output.color.dim(`  ${empty.join(', ')} declare${empty.length === 1 ? 's' : ''} no models: export them from models.ts with model('Name', { … }).`),
    );
  }
}

async function writeEmpty(
  output: Output,
  project: Project,
  apps: readonly string[],
  leaves: Record<string, string | undefined>,
  options: MakeOptions,
): Promise<number> {
  if (apps.length === 0) throw new UsageError('makemigrations --empty needs the app(s) to write the migration for: makemigrations --empty shop.');
  for (const app of apps) {
    const leaf = leaves[app];
    const number = String(leaf ? Number.parseInt(leaf.slice(0, 4), 10) + 1 : 1).padStart(4, '0');
    const name = `${number}_${options.name ?? 'custom'}`;
    if (!/^\d{4}_\w+$/.test(name)) throw new UsageError(`--name ${JSON.stringify(options.name)} must be letters, digits and _ only.`);
    const dir = join(appDir(project, app), 'migrations');
    const file = join(dir, `${name}.ts`);
    if (options.dryRun) {
      output.line(`Would write ${relative(process.cwd(), file)}`);
      continue;
    }
    mkdirSync(dir, { recursive: true });
    if (existsSync(file)) throw new UsageError(`${file} already exists; makemigrations never overwrites a migration.`);
    writeFileSync(file, renderEmptyMigration(leaf ? [[app, leaf]] : [], { date: new Date() }));
    output.line(`${output.color.bold(`Migrations for '${app}':`)}\n  ${output.color.cyan(relative(process.cwd(), file))} (empty: add your operations)`);
  }
  return 0;
}
