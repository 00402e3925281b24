import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '../../../src/backends/base/connection.js';
import type { MigrateTarget } from '../../../src/graph/index.js';
import { projectStateFromModels } from '../../../src/model/collect.js';
import type { ProjectState } from '../../../src/state/project-state.js';
import { describeMigrations, inFreshSchema, InProcessProject, schemaDifferences } from './pipeline.js';
import { emptyTables, lostData, populatedModels, snapshot, writeRows } from './rows.js';
import { appsOf, flagsFor } from './declare.js';
import { interpretStep } from './interpret.js';
import type { Action } from './proposals.js';
import type { World } from './world.js';
import { APPS, describeWorld, emptyWorld } from './world.js';

/**
 * One random sequence, end to end (see round-trip.property.test.ts for what it proves): every step
 * writes rows, changes the models, runs makemigrations with the flags a person would pass and migrate,
 * and checks the schema, the history, `makemigrations --check` and the rows; then the sequence is
 * migrated back to zero one step at a time, checking the schema and the history at every step.
 */
export interface SequenceOptions {
  /** Write each migration to a file and load it back (writer + loader in the loop). */
  readonly throughFiles?: boolean;
  /** A unique schema name for the sequence. */
  readonly schema: string;
}

export interface SequenceResult {
  readonly steps: number;
  readonly migrations: number;
  readonly operations: number;
}

export const modelsState = (world: World): ProjectState => projectStateFromModels(appsOf(world));

export async function runSequence(db: Connection, proposals: readonly (readonly Action[])[], options: SequenceOptions): Promise<SequenceResult> {
  const dir = options.throughFiles ? mkdtempSync(join(tmpdir(), 'sediment-round-trip-')) : undefined;
  const trace: string[] = [];
  try {
    return await inFreshSchema(db, options.schema, () => run(db, proposals, dir, trace));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const failure = new Error(`${message}\n\n--- the sequence up to the failure ---\n${trace.join('\n')}`);
    const frames = ((error as Error)?.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
    failure.stack = `${failure.message}\n${frames.join('\n')}`;
    throw failure;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

async function run(db: Connection, proposals: readonly (readonly Action[])[], dir: string | undefined, trace: string[]): Promise<SequenceResult> {
  const project = new InProcessProject(db, APPS, dir);
  const naming = project.naming;
  const counter = { next: 20_000 };
  let world = emptyWorld;
  /** After step k: the world, the history state, each app's leaf, the recorded history. */
  const worlds: World[] = [emptyWorld];
  const states: ProjectState[] = [project.historyState()];
  const leaves: Record<string, string | undefined>[] = [{}];
  const histories: string[][] = [[]];
  let operations = 0;

  for (const [k, actions] of proposals.entries()) {
    const current = modelsState(world);
    if (world.models.length) await writeRows(db, world, current, naming, counter);
    const populated = world.models.length ? await populatedModels(db, world, current, naming) : new Set<number>();
    const before = world.models.length ? await snapshot(db, world, current, naming) : undefined;

    const step = interpretStep(world, actions, { populated });
    trace.push(`step ${k + 1}: ${step.actions.join('; ') || '(no change)'}`);
    let models: ProjectState;
    try {
      models = modelsState(step.after);
    } catch (error) {
      throw new Error(`the generator made invalid models (a bug of the test): ${(error as Error).message}\n${describeWorld(step.after)}`);
    }
    const flags = flagsFor(step, populated);
    const made = await project.makemigrations(models, flags);
    operations += made.written.reduce((n, m) => n + m.operations.length, 0);
    trace.push(`  flags: ${JSON.stringify(flags)}`, '  makemigrations wrote:', describeMigrations(made.written));
    const fail = (what: string, details: readonly string[]) => {
      throw new Error(`step ${k + 1}: ${what}\n  ${details.join('\n  ')}\n\nmodels after the step:\n${describeWorld(step.after)}`);
    };
    if (made.unusedFlags.length) fail('makemigrations did not use these flags (a question it should have asked was not asked):', made.unusedFlags);

    try {
      await project.migrate();
    } catch (error) {
      fail('migrate failed', [(error as Error).message, ...('hint' in (error as object) ? [`hint: ${(error as { hint?: string }).hint}`] : [])]);
    }
    const expectedHistory = project.all().map((m) => `${m.app}.${m.name}`).sort();
    const history = await project.history();
    if (JSON.stringify(history) !== JSON.stringify(expectedHistory)) fail('the history is not every migration written', [`recorded: ${history.join(', ')}`, `written: ${expectedHistory.join(', ')}`]);

    const state = project.historyState();
    const differences = await schemaDifferences(db, state, naming);
    if (differences.length) fail('after migrate, the live schema differs from the state of the migrations:', differences);

    const missing = await project.missingChanges(models);
    const missingOps = Object.values(missing.changes).flat().flatMap((m) => m.operations);
    if (missingOps.length || missing.asked.length) {
      fail('makemigrations --check is not clean after makemigrations + migrate:', [
        ...missing.asked.map((q) => `would ask: ${q}`),
        ...missingOps.map((op) => `would write: ${JSON.stringify(op)}`),
      ]);
    }

    if (before) {
      const after = await snapshot(db, step.after, state, naming);
      const lost = lostData(before, after);
      if (lost.length) fail('rows written before the step were lost or changed:', lost);
    }

    world = step.after;
    worlds.push(world);
    states.push(state);
    leaves.push(project.leaves());
    histories.push(history);
  }

  // Back to zero, one step at a time. The tables are emptied first: going back re-adds columns that
  // were removed, and a NOT NULL column without a default cannot be re-added to rows (Django neither).
  if (world.models.length) await emptyTables(db, world, modelsState(world), naming);
  for (let k = proposals.length; k >= 1; k--) {
    const targets: MigrateTarget[] = [];
    for (const app of APPS) {
      if (leaves[k][app] === undefined || leaves[k][app] === leaves[k - 1][app]) continue;
      targets.push([app, leaves[k - 1][app] ?? null]);
    }
    trace.push(`back to step ${k - 1}: migrate ${targets.map(([app, name]) => `${app} ${name ?? 'zero'}`).join(', ') || '(nothing to do)'}`);
    const fail = (what: string, details: readonly string[]) => {
      throw new Error(`going back to step ${k - 1}: ${what}\n  ${details.join('\n  ')}\n\nmodels at step ${k - 1}:\n${describeWorld(worlds[k - 1])}`);
    };
    if (targets.length) {
      try {
        await project.migrate(targets);
      } catch (error) {
        fail('migrate failed', [(error as Error).message]);
      }
    }
    const history = await project.history();
    if (JSON.stringify(history) !== JSON.stringify(histories[k - 1])) fail('the history is not that of the step', [`recorded: ${history.join(', ')}`, `expected: ${histories[k - 1].join(', ')}`]);
    const differences = await schemaDifferences(db, states[k - 1], naming);
    if (differences.length) fail('the live schema differs from the state of the step:', differences);
  }
  return { steps: proposals.length, migrations: project.all().length, operations };
}
