import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { detectChanges, arrangeChanges } from '../../autodetect/index.js';
import { lossyChangeWarnings } from '../../autodetect/lossy-changes.js';
import { checkGivenMigrationName } from '../../autodetect/migration-name.js';
import { analyseConflict, type ConflictAnalysis } from '../../doctor/index.js';
import { LinearizeError, mergeContent, mergeName, planLinearization, rewriteDependency } from '../../doctor/merge.js';
import { ConflictError, UsageError } from '../../errors/index.js';
import { buildGraph, stateAt, type MigrationGraph } from '../../graph/index.js';
import { loadModels } from '../../loader/index.js';
import { projectStateFromModels } from '../../model/collect.js';
import { describe, stateForwards } from '../../operations/registry.js';
import type { Operation } from '../../operations/types.js';
import { dataLossOf, type LossStep } from '../../executor/data-loss.js';
import { CANCELLED, clackPrompt } from '../../questioner/prompt.js';
import { describeLoss } from '../data-loss-report.js';
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
  readonly linearize?: boolean;
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
  if (options.linearize && !options.merge) throw new UsageError('--linearize only applies with --merge: makemigrations --merge --linearize.');
  const migrations = await loadProjectMigrations(project);
  const graph = buildGraph(migrations, [], { apps: labels });
  if (options.merge) return merge(output, project, graph, apps, options);
  const conflicts = graph.conflicts();
  if (Object.keys(conflicts).length > 0) throw new ConflictError(conflicts);
  const leaves = Object.fromEntries(labels.map((app) => [app, graph.leafNodes(app)[0]?.slice(app.length + 1)]));
  const fromState = graph.size ? stateAt(graph, null) : ProjectState.empty();

  if (options.empty) return writeEmpty(output, project, apps, leaves, options);

  const definitions = await loadModels({ root: project.root, apps: project.apps });
  const toState = projectStateFromModels(labels.map((app) => [app, (Object.hasOwn(definitions, app) ? definitions[app] : [])] as const));
  const interactive = options.input && output.interactive && !options.check && !options.json;
  const questioner = await createQuestioner({
    interactive,
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
  const writing = !options.check && !options.dryRun;
  if (writing && !options.json && !(await announceDataLoss(output, planned, fromState, project, interactive))) {
    output.line('Nothing was written.');
    return 1;
  }
  if (writing) {
    written.forEach((w, i) => {
      mkdirSync(dirname(w.file), { recursive: true });
      writeFileSync(w.file, sources[i]);
    });
  }
  warnAboutFlags(output, questioner);
  // Issue 8 item 2: type changes that can change rows (migrate refuses them when one would).
  for (const line of lossyChangeWarnings(fromState, planned)) output.warn(line);

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

/**
 * Removing a field or a model drops its data when the migration runs; a rename answered "no" is a
 * removal too. Say so before writing, and on a TTY ask (default yes: the file is only a file, migrate
 * asks again with row counts before it drops anything).
 */
async function announceDataLoss(
  output: Output,
  planned: readonly { app: string; name: string; operations: readonly Operation[] }[],
  fromState: ProjectState,
  project: Project,
  interactive: boolean,
): Promise<boolean> {
  const steps: LossStep[] = [];
  let state = fromState;
  for (const migration of planned) {
    steps.push({ migration, backwards: false, stateBefore: state });
    for (const op of migration.operations) state = stateForwards(state, migration.app, op);
  }
  const losses = dataLossOf(steps, project.naming);
  if (losses.length === 0) return true;
  const lines = losses.map((loss) => `  ${loss.migration}: ${loss.operation} — ${describeLoss(loss)} and its data when it runs`);
  output.warn(`These migrations destroy data when they run (unapplying them brings the structure back, empty):\n${lines.join('\n')}`);
  if (!interactive) return true;
  const answer = await clackPrompt({ output: process.stderr }).confirm('Write these migrations?', { initial: true });
  return answer !== CANCELLED && answer;
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
    checkGivenMigrationName(options.name ?? 'custom', number);
    const name = `${number}_${options.name ?? 'custom'}`;
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

/**
 * `makemigrations --merge`: for each app with two or more leaves, a migration that depends on all of
 * them and does nothing else — or, with --linearize, one branch made to start from the other. Says
 * whether the branches change the same models or fields; when they do, it lists the operations and
 * writes the merge only if the questioner agrees (without input it writes it and warns).
 */
async function merge(output: Output, project: Project, graph: MigrationGraph, apps: readonly string[], options: MakeOptions): Promise<number> {
  const conflicts = Object.keys(graph.conflicts()).filter((app) => apps.length === 0 || apps.includes(app));
  if (conflicts.length === 0) {
    if (options.json) output.json({ merges: [] });
    else output.line(`No conflicts to merge: ${apps.length ? apps.join(', ') : 'every app'} has one leaf migration at most.`);
    return 0;
  }
  const interactive = options.input && output.interactive && !options.json;
  const questioner = await createQuestioner({ interactive, renameFields: [], renameModels: [], defaults: [], assumeHandled: [] });
  const results: Record<string, unknown>[] = [];
  const write = !options.dryRun && !options.check;
  for (const app of conflicts) {
    const analysis = analyseConflict(graph, app);
    if (!options.json) printBranches(output, analysis);
    if (options.linearize) {
      results.push({ app, leaves: analysis.leaves, disjoint: analysis.disjoint, ...linearize(output, analysis, write, options.json === true) });
      continue;
    }
    if (!analysis.disjoint) {
      const agreed = await questioner.askMerge({ app, leaves: analysis.leaves });
      if (!agreed) {
        if (!options.json) output.line(`Not merged: nothing written for ${app}.`);
        results.push({ app, leaves: analysis.leaves, disjoint: false, written: false });
        continue;
      }
      if (!interactive) output.warn(`the branches of ${app} change the same models or fields; the merge migration was written anyway: check the result (e.g. 'sediment makemigrations --check').`);
    }
    if (options.name !== undefined) checkGivenMigrationName(options.name, '0000');
    const name = mergeName(analysis.leaves, options.name);
    const file = join(appDir(project, app), 'migrations', `${name}.ts`);
    if (existsSync(file)) throw new UsageError(`${file} already exists; makemigrations never overwrites a migration.`);
    if (write) writeFileSync(file, renderMigration(mergeContent(analysis), { date: new Date() }));
    results.push({ app, leaves: analysis.leaves, disjoint: analysis.disjoint, file: relative(project.root, file), written: write });
    if (!options.json) {
      output.line(`${write ? 'Wrote' : 'Would write'} ${output.color.cyan(relative(process.cwd(), file))} (depends on ${analysis.leaves.join(' and ')}; no operations).`);
      if ('edits' in planLinearization(analysis)) {
        output.line(output.color.dim(
          `  Or, while no database has applied the later branch, linearize instead: 'sediment makemigrations --merge --linearize ${app}' ` +
            'makes one branch start from the other (no merge migration).',
        ));
      }
    }
  }
  if (options.json) output.json({ merges: results });
  return 0;
}

function printBranches(output: Output, analysis: ConflictAnalysis): void {
  const c = output.color;
  const from = analysis.commonAncestor ? ` from ${analysis.commonAncestor}` : '';
  output.line(c.bold(`Merging ${analysis.app}: ${analysis.leaves.length} branches${from}.`));
  analysis.branches.forEach((branch, i) => {
    output.line(`  Branch ${branch.leaf.slice(analysis.app.length + 1)}${analysis.touchedModels[i].length ? ` (changes ${analysis.touchedModels[i].join(', ')})` : ''}:`);
    for (const migration of branch.migrations) {
      output.line(`    ${migration.name}`);
      for (const op of migration.operations) output.line(`      - ${describe(op)}`);
    }
  });
  if (analysis.disjoint) {
    output.line('The branches change different models and fields: merging them is safe.');
    return;
  }
  if (analysis.overlaps.length) {
    output.line(c.yellow('Both branches change the same models or fields:'));
    for (const overlap of analysis.overlaps) {
      output.line(`  ${overlap.subject}: ${overlap.first.migration} (${overlap.first.operation}) and ${overlap.second.migration} (${overlap.second.operation})`);
    }
  }
  for (const op of analysis.opaque) output.line(c.yellow(`  ${op.migration} runs ${op.operation.toLowerCase()}, which Sediment cannot compare with the other branch.`));
  output.line('A merge migration runs both branches, in plan order; the last change to a model or field wins.');
}

/** --linearize: rewrites the dependency of each later branch's first migration. */
function linearize(output: Output, analysis: ConflictAnalysis, write: boolean, json: boolean): Record<string, unknown> {
  const plan = planLinearization(analysis);
  if ('refused' in plan) {
    throw new LinearizeError(`Cannot linearize ${analysis.app}: ${plan.refused}.`, {
      hint: `Run 'sediment makemigrations --merge ${analysis.app}' (without --linearize) to write a merge migration.`,
    });
  }
  const rewritten = plan.edits.map((edit) => {
    const source = readFileSync(edit.file, 'utf8');
    const next = rewriteDependency(source, edit.from, edit.to);
    if (next === undefined) {
      throw new LinearizeError(`Cannot linearize ${analysis.app}: ${edit.file} does not list ['${edit.from[0]}', '${edit.from[1]}'] exactly once.`, {
        hint: `Edit its dependencies by hand to ['${edit.to[0]}', '${edit.to[1]}'], or write a merge migration (without --linearize).`,
      });
    }
    return { edit, next };
  });
  for (const { edit, next } of rewritten) {
    if (write) writeFileSync(edit.file, next);
    if (!json) {
      output.line(`${write ? 'Linearized' : 'Would linearize'}: ${edit.migration} now depends on ${edit.to.join('.')} instead of ${edit.from.join('.')} (${relative(process.cwd(), edit.file)}).`);
    }
  }
  if (!json && write) {
    output.warn(`a database that already applied ${plan.edits.map((e) => e.migration).join(', ')} now sees ${plan.edits.length === 1 ? 'it' : 'them'} as edited (the dependencies are part of the checksum): linearize only branches nobody has applied yet, or use a merge migration.`);
  }
  return { linearized: plan.edits.map((e) => ({ migration: e.migration, from: e.from.join('.'), to: e.to.join('.') })), written: write };
}
