import { test } from 'node:test';
import fc from 'fast-check';
import { testTargets } from '../support/databases.js';
import { runSequence } from './support/round-trip.js';
import { count, propertySeed } from './support/scale.js';
import { sequenceArbitrary } from './support/proposals.js';

/**
 * Property-based round trip (issue 5): for random sequences of model evolutions — models created,
 * deleted and renamed (also while other apps point at them), fields of every kind added, removed,
 * renamed and altered (type within a family, NULL <-> NOT NULL, defaults kept in the application or in
 * the database, unique, dbIndex, maxLength, onDelete, foreign key target, one-to-one, primary key
 * kind), foreign keys across apps and to the model itself, many-to-many fields, indexes (named,
 * unnamed, partial, descending), unique and check constraints, uniqueTogether, custom table names with
 * quotes and unicode, reserved words as names — on tables that already hold rows:
 *
 * - makemigrations (detectChanges + arrangeChanges, renames and one-off defaults answered by the flags
 *   a person would pass; every flag must be used) then migrate (graph, planner, executor, recorder);
 * - after every step the introspected schema equals the state of the migrations, the history holds
 *   exactly the migrations written, `makemigrations --check` finds nothing and asks nothing, and the
 *   rows written before the step are all there with their values;
 * - then back to zero one step at a time, the schema and the history equal to each earlier step's.
 *
 * CI: 300 sequences on PGlite (one instance, a schema per sequence), a third of them through the
 * writer and the loader (migration files written and read back), and 100 on the PostgreSQL server when
 * SEDIMENT_TEST_POSTGRES_URL is set. SEDIMENT_RELIABILITY_SCALE=full: 3000 and 1000. The seed is
 * printed; SEDIMENT_RELIABILITY_SEED replays a run.
 */

const runsFor = { pglite: count(300, 3000, 'SEDIMENT_RELIABILITY_RUNS'), postgres: count(100, 1000, 'SEDIMENT_RELIABILITY_SERVER_RUNS') };
const maxSteps = 4;

for (const target of testTargets()) {
  const numRuns = runsFor[target.name];
  test(`${numRuns} random model histories migrate forwards and back with schema, history, --check and rows intact (${target.name})`, async (t) => {
    const seed = propertySeed();
    t.diagnostic(`seed ${seed} (replay with SEDIMENT_RELIABILITY_SEED=${seed})`);
    let sequence = 0;
    let steps = 0;
    let migrations = 0;
    let operations = 0;
    await target.with(async (db) => {
      await fc.assert(
        fc.asyncProperty(sequenceArbitrary({ maxSteps }), async (proposals) => {
          sequence++;
          const result = await runSequence(db, proposals, { schema: `rt_${sequence}`, throughFiles: sequence % 3 === 0 });
          steps += result.steps;
          migrations += result.migrations;
          operations += result.operations;
        }),
        // No shrinking unless asked: shrinking a round trip can take many minutes; the seed replays it.
        { numRuns, seed, endOnFailure: process.env.SEDIMENT_RELIABILITY_SHRINK !== '1' },
      );
    });
    t.diagnostic(`${sequence} sequences, ${steps} steps, ${migrations} migrations, ${operations} operations`);
  });
}
