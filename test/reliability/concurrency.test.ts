import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, test } from 'node:test';
import { withServerDatabase } from '../support/databases.js';
import { withProject } from '../support/cli.js';
import { concurrencyApps, race, writeConcurrencyMigrations } from './support/concurrency.js';
import { count } from './support/scale.js';

/**
 * Concurrency (issue 5, SPEC §5): 16 `sediment migrate` processes started at once against one
 * PostgreSQL database, over six migrations (a data migration and a non-atomic concurrent index build
 * among them). Each migration is applied and recorded exactly once, by the process holding the lock;
 * every process exits 0, prints no error, and says what it applied or that nothing was left, and the
 * ones that found the lock taken say whom they waited for; every other trial starts without the
 * compiled-file cache, as a fresh deployment does. See support/concurrency.ts. CI: 5 trials;
 * `node scripts/reliability/run.mjs concurrency` runs 100 (or --trials N).
 */
const server = process.env.SEDIMENT_TEST_POSTGRES_URL;
const skip = server ? false : 'needs a PostgreSQL server: set SEDIMENT_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)';
const PROCESSES = 16;
const TRIALS = count(5, 100, 'SEDIMENT_RELIABILITY_CONCURRENCY_TRIALS');

describe('16 migrate processes at once on a PostgreSQL server', { skip }, () => {
  test(`${PROCESSES} processes × ${TRIALS} trials: each migration applied and recorded once, every process exits 0 saying what it did or waited for`, async (t) => {
    await withProject('postgres', { apps: concurrencyApps }, async (project) => {
      const expected = writeConcurrencyMigrations(project);
      let waited = 0;
      for (let trial = 1; trial <= TRIALS; trial++) {
        // Every other trial starts as a fresh deployment does: no .sediment/cache yet, so all the
        // processes compile the config and the migrations at the same time.
        if (trial % 2 === 1) rmSync(project.path('.sediment'), { recursive: true, force: true });
        const result = await withServerDatabase((url) => race(project, url, PROCESSES, expected));
        if (result.problems.length) assert.fail(`trial ${trial}:\n${result.problems.join('\n')}`);
        waited += result.waited;
      }
      t.diagnostic(`${PROCESSES * TRIALS} processes, ${waited} of them waited for the lock holder`);
    });
  });
});
