import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { buildGraph, stateAt } from '../../src/graph/index.js';
import { loadMigrations } from '../../src/loader/index.js';
import { ProjectState } from '../../src/state/project-state.js';
import { Naming } from '../../src/state/names.js';
import { cliTargets, expectRun, withProject, type CliProject } from '../support/cli.js';
import { modelsSource } from './support/models-source.js';
import { schemaDifferences } from './support/pipeline.js';
import { modelsState } from './support/round-trip.js';
import { lostData, populatedModels, snapshot, writeRows, emptyTables } from './support/rows.js';
import { count, propertySeed } from './support/scale.js';
import { flagArguments, flagsFor, modelDefinition } from './support/declare.js';
import { interpretStep } from './support/interpret.js';
import { sequenceArbitrary } from './support/proposals.js';
import type { World } from './support/world.js';
import { APPS, describeWorld, emptyWorld } from './support/world.js';

/**
 * The round trip of round-trip.property.test.ts through the real `sediment` binary, for a few
 * sequences: the random models are written as models.ts files, `sediment makemigrations` runs with the
 * flags a person would type (--rename-model, --rename-field, --default, --no-input) and must not warn
 * about any of them, `sediment migrate` applies, `sediment makemigrations --check` exits 0; the schema,
 * the history and the rows are checked as in-process; then `sediment migrate <app> <name|zero>` goes
 * back one step at a time. CI: 2 sequences per target; SEDIMENT_RELIABILITY_SCALE=full: 25.
 */

const runs = count(2, 25, 'SEDIMENT_RELIABILITY_CLI_RUNS');

async function historyState(project: CliProject): Promise<{ state: ProjectState; files: string[] }> {
  const migrations = await loadMigrations({ root: project.root, apps: APPS.map((app) => [app, `src/${app}`] as const) });
  const state = migrations.length ? stateAt(buildGraph(migrations, [], { apps: [...APPS] }), null) : ProjectState.empty();
  return { state, files: migrations.map((m) => `${m.app}.${m.name}`).sort() };
}

function writeModels(project: CliProject, world: World): void {
  for (const app of APPS) project.writeModels(app, modelsSource(world.models.filter((m) => m.app === app).map((m) => modelDefinition(world, m))));
}

const leafOf = (project: CliProject, app: string) => project.migrationFiles(app).at(-1)?.replace(/\.ts$/, '');

for (const target of cliTargets()) {
  test(`${runs} random model histories through the sediment binary: makemigrations with flags, migrate, --check, and back (${target})`, async (t) => {
    const seed = propertySeed();
    t.diagnostic(`seed ${seed} (replay with SEDIMENT_RELIABILITY_SEED=${seed})`);
    const naming = new Naming();
    await fc.assert(
      fc.asyncProperty(sequenceArbitrary({ maxSteps: 3 }), async (proposals) => {
        const empty = Object.fromEntries(APPS.map((app) => [app, modelsSource([])]));
        await withProject(target, { apps: empty }, async (project) => {
          const trace: string[] = [];
          const fail = (what: string, world: World): never =>
            assert.fail(`${what}\n\nmodels:\n${describeWorld(world)}\n\n--- the sequence ---\n${trace.join('\n')}`);
          const counter = { next: 20_000 };
          let world = emptyWorld;
          const worlds: World[] = [emptyWorld];
          const leaves: Record<string, string | undefined>[] = [{}];
          for (const [k, actions] of proposals.entries()) {
            const current = modelsState(world);
            const data = world.models.length
              ? await project.withDatabase(async (db) => {
                await writeRows(db, world, current, naming, counter);
                return { populated: await populatedModels(db, world, current, naming), before: await snapshot(db, world, current, naming) };
              })
              : { populated: new Set<number>(), before: undefined };
            const step = interpretStep(world, actions, { populated: data.populated });
            trace.push(`step ${k + 1}: ${step.actions.join('; ') || '(no change)'}`);
            writeModels(project, step.after);
            const flags = flagsFor(step, data.populated);
            const made = await project.run('makemigrations', ...flagArguments(flags));
            trace.push(`  $ sediment makemigrations ${flagArguments(flags).join(' ')}\n${made.stdout.replace(/^/gm, '    ')}`);
            try {
              // The only warning a step may give is the announcement of the data its removals drop.
              const warnings = made.stderr.split('\n').filter((line) => line.startsWith('warning:'));
              const unexpected = warnings.filter((line) => !line.includes('destroy data when they run'));
              expectRun(made, { code: 0, notStderr: ['was not used', ...unexpected] });
              expectRun(await project.run('migrate'), { code: 0 });
              expectRun(await project.run('makemigrations', '--check'), { code: 0, stdout: ['No changes detected'] });
            } catch (error) {
              fail((error as Error).message, step.after);
            }
            const { state, files } = await historyState(project);
            const problems = await project.withDatabase(async (db) => {
              const found = await schemaDifferences(db, state, naming);
              const history = (await db.query<{ key: string }>(`SELECT app || '.' || name AS key FROM sediment_migrations ORDER BY 1`)).rows.map((r) => r.key);
              if (JSON.stringify(history) !== JSON.stringify(files)) found.push(`the history ${JSON.stringify(history)} is not the files ${JSON.stringify(files)}`);
              if (data.before) found.push(...lostData(data.before, await snapshot(db, step.after, state, naming)));
              return found;
            });
            if (problems.length) fail(`step ${k + 1}:\n  ${problems.join('\n  ')}`, step.after);
            world = step.after;
            worlds.push(world);
            leaves.push(Object.fromEntries(APPS.map((app) => [app, leafOf(project, app)])));
          }
          if (world.models.length) await project.withDatabase((db) => emptyTables(db, world, modelsState(world), naming));
          for (let k = proposals.length; k >= 1; k--) {
            for (const app of APPS) {
              if (leaves[k][app] === undefined || leaves[k][app] === leaves[k - 1][app]) continue;
              const result = await project.run('migrate', app, leaves[k - 1][app] ?? 'zero');
              trace.push(`back to step ${k - 1}: ${result.command}`);
              try {
                expectRun(result, { code: 0 });
              } catch (error) {
                fail((error as Error).message, worlds[k - 1]);
              }
            }
            const expected = modelsState(worlds[k - 1]);
            const differences = await project.withDatabase((db) => schemaDifferences(db, expected, naming));
            if (differences.length) fail(`back at step ${k - 1} the schema differs:\n  ${differences.join('\n  ')}`, worlds[k - 1]);
          }
        });
      }),
      { numRuns: runs, seed, endOnFailure: true },
    );
  });
}
