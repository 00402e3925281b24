import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withServerDatabase } from '../support/databases.js';
import { withProject } from '../support/cli.js';
import { allCrashMigrations, calibrate, crashApps, crashTrial, terminateTrial, writeCrashMigrations } from './support/crash.js';
import { count, propertySeed, random } from './support/scale.js';

/**
 * Crash safety (issue 5, SPEC §5): `sediment migrate` killed with SIGKILL at random moments while it
 * applies eight atomic migrations over two apps on a PostgreSQL server. After every kill the history
 * matches the schema exactly (the schema the recorded migrations build, compared with introspection),
 * the rows each migration writes are there exactly for the recorded ones, and the next `migrate`
 * finishes the job. The same with the server terminating the connection (pg_terminate_backend) at a
 * random moment instead: `migrate` must then exit with one clear error. See support/crash.ts. CI: 10
 * kills and 5 terminations; `node scripts/reliability/run.mjs crash` runs 200 and 100 (or --trials N).
 */
const server = process.env.SEDIMENT_TEST_POSTGRES_URL;
const skip = server ? false : 'needs a PostgreSQL server: set SEDIMENT_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)';
const TRIALS = count(10, 200, 'SEDIMENT_RELIABILITY_CRASH_TRIALS');
const TERMINATIONS = count(5, 100, 'SEDIMENT_RELIABILITY_TERMINATE_TRIALS');

describe('migrate interrupted at random moments on a PostgreSQL server: killed, or its connection terminated', { skip }, () => {
  test(`after each of ${TRIALS} kills the history matches the schema and the rows, and the next migrate finishes the job`, async (t) => {
    await withProject('postgres', { apps: crashApps }, async (project) => {
      const migrations = await writeCrashMigrations(project);
      assert.equal(migrations.length, allCrashMigrations.length);
      const timing = await withServerDatabase((url) => calibrate(project, url));
      const seed = propertySeed();
      const next = random(seed);
      t.diagnostic(`seed ${seed}; migrate prints its first "Applying" after ${Math.round(timing.firstMs)} ms and ends after ${Math.round(timing.totalMs)} ms`);
      const landed = new Map<number, number>();
      let midRun = 0;
      for (let trial = 1; trial <= TRIALS; trial++) {
        const killAfterMs = Math.round(timing.firstMs + next() * (timing.totalMs - timing.firstMs));
        const result = await withServerDatabase((url) => crashTrial(project, url, migrations, killAfterMs));
        if (result.problems.length) assert.fail(`trial ${trial} (seed ${seed}, killed after ${killAfterMs} ms):\n${result.problems.join('\n')}`);
        landed.set(result.recordedAtKill, (landed.get(result.recordedAtKill) ?? 0) + 1);
        if (result.killed && result.recordedAtKill < allCrashMigrations.length) midRun++;
      }
      const spread = [...landed].sort(([a], [b]) => a - b).map(([n, times]) => `${n} recorded: ${times}`).join(', ');
      t.diagnostic(`${TRIALS} trials, ${midRun} killed before the last migration was recorded (${spread})`);
      if (TRIALS >= 5) assert.ok(midRun > 0, `no kill landed while migrations were running (${spread})`);
    });
  });

  test(`after each of ${TERMINATIONS} terminations of its server connection (pg_terminate_backend), migrate exits with one clear error, the history matches the schema, and the next migrate finishes the job`, async (t) => {
    await withProject('postgres', { apps: crashApps }, async (project) => {
      const migrations = await writeCrashMigrations(project);
      const timing = await withServerDatabase((url) => calibrate(project, url));
      const seed = propertySeed();
      const next = random(seed);
      let midRun = 0;
      for (let trial = 1; trial <= TERMINATIONS; trial++) {
        const after = Math.round(timing.firstMs + next() * (timing.totalMs - timing.firstMs));
        const result = await withServerDatabase((url) => terminateTrial(project, url, migrations, after));
        if (result.problems.length) assert.fail(`trial ${trial} (seed ${seed}, terminated after ${after} ms):\n${result.problems.join('\n')}`);
        if (result.killed) midRun++;
      }
      t.diagnostic(`seed ${seed}: ${TERMINATIONS} trials, ${midRun} terminated while migrations were running`);
    });
  });
});
