import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, test } from 'node:test';
import { expectRun, transcript, withProject, type CliProject } from '../support/cli.js';
import { count, random } from './support/scale.js';
import { spawnSediment, type TimedResult } from './support/process.js';

/**
 * PGlite concurrency (issue 8, item 1; SPEC §5: "A PGlite data folder is opened by one process at a
 * time"). Every process runs its own embedded PostgreSQL on the folder's files, so before the folder
 * lock two `migrate` processes at once destroyed the folder in 10 of 13 trials, and each one "applied"
 * every migration (trust findings, 1). Here 2 or 3 `migrate` processes start within 0.3 s of each
 * other, on a folder that does not exist yet (the first run creates it) or on an existing one: the
 * folder opens afterwards, each migration is applied and recorded once, the data migration ran once,
 * every process exits 0, and the ones that waited named the holder.
 *
 * And a holder that hangs (SIGSTOP'd while it holds the folder): a waiter with --lock-timeout gives up
 * with exit 1 naming it, and once the holder resumes it finishes and the folder is whole.
 *
 * CI: 2 races + 1 hang; `node scripts/reliability/run.mjs pglite-concurrency` runs 20 + 10
 * (or --trials N --hangs N).
 */
const TRIALS = count(2, 20, 'SEDIMENT_RELIABILITY_PGLITE_TRIALS');
const HANGS = count(1, 10, 'SEDIMENT_RELIABILITY_HANG_TRIALS');
const ROWS = 300;

const apps = {
  shop: `import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
  score: f.integer({ null: true }),
  email: f.email({ null: true }),
});
`,
};

const migration = (deps: string, operations: readonly string[]) => `import { f, migration, ops } from 'sediment-migrations';

export default migration({
  dependencies: [${deps}],
  operations: [
${operations.map((op) => `    ${op},`).join('\n')}
  ],
});
`;

/** Three migrations, the second a data migration whose effect shows how many times it ran (score = runs). */
function writeMigrations(project: CliProject): string[] {
  project.writeMigration('shop', '0001_initial', migration('', [
    "ops.createModel({ name: 'Client', fields: { id: f.bigAuto({ primaryKey: true }), name: f.char({ maxLength: 255 }), score: f.integer({ null: true }) } })",
  ]));
  project.writeMigration('shop', '0002_fill', migration("['shop', '0001_initial']", [
    `ops.runCode({
      forward: async ({ apps }) => {
        const Client = apps.getModel('shop', 'Client');
        if ((await Client.objects.count()) === 0) await Client.objects.bulkCreate(Array.from({ length: ${ROWS} }, (_, i) => ({ name: 'c' + i })));
        for await (const c of Client.objects.all()) { c.score = (c.score ?? 0) + 1; await c.save(); }
      },
      reverse: async ({ apps }) => { await apps.getModel('shop', 'Client').objects.all().delete(); },
    })`,
  ]));
  project.writeMigration('shop', '0003_client_email', migration("['shop', '0002_fill']", [
    "ops.addField({ model: 'Client', name: 'email', field: f.email({ null: true }) })",
  ]));
  return ['shop.0001_initial', 'shop.0002_fill', 'shop.0003_client_email'];
}

const appliedLines = (run: TimedResult) => [...run.stdout.matchAll(/Applying (\S+)\.\.\. OK/g)].map((m) => m[1]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What is wrong with the folder and the runs after a race; empty when all is well. */
async function checkRace(project: CliProject, runs: readonly TimedResult[], expected: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const [i, run] of runs.entries()) {
    if (run.code !== 0) problems.push(`process ${i + 1} exited ${run.signal ?? run.code}`);
    if (run.stderr.trim() !== '') problems.push(`process ${i + 1} wrote to stderr`);
    if (run.stdout.includes('Waiting for') && !/Waiting for the PGlite database at \S+, in use by sediment migrate \(pid \d+ on \S+, since /.test(run.stdout)) {
      problems.push(`process ${i + 1} waited without naming the holder`);
    }
  }
  const applied = runs.flatMap(appliedLines).sort();
  if (JSON.stringify(applied) !== JSON.stringify(expected)) problems.push(`the processes applied ${JSON.stringify(applied)}, not each migration once`);
  try {
    const history = await project.history();
    if (JSON.stringify(history) !== JSON.stringify(expected)) problems.push(`the history is ${JSON.stringify(history)}`);
    const [row] = await project.sql<{ n: number; once: number }>('SELECT count(*)::int AS n, count(*) FILTER (WHERE score = 1)::int AS once FROM shop_client');
    if (row.n !== ROWS || row.once !== ROWS) problems.push(`shop_client has ${row.n} rows, ${row.once} with score 1: the data migration did not run exactly once`);
  } catch (error) {
    problems.push(`the folder does not open or read afterwards: ${(error as Error).message}`);
  }
  return problems;
}

describe('PGlite: several processes on one data folder', () => {
  test(`${TRIALS} races of 2 or 3 migrate processes: the folder opens afterwards, each migration applied and recorded once, the data migration ran once, waiters named the holder`, async (t) => {
    await withProject('pglite', { apps, databaseCreatedByCli: true }, async (project) => {
      const expected = writeMigrations(project);
      const next = random(Date.now() & 0xffffffff);
      let waited = 0;
      let processes = 0;
      for (let trial = 1; trial <= TRIALS; trial++) {
        const n = trial % 2 === 1 ? 2 : 3;
        // Odd trials on a folder that does not exist yet (the first run creates it); even ones on an
        // existing database with nothing applied.
        if (trial % 2 === 1) rmSync(project.path('db'), { recursive: true, force: true });
        else expectRun(await project.run('migrate', 'shop', 'zero'), { code: 0 });
        const runs = await Promise.all(Array.from({ length: n }, async (_, i) => {
          await sleep(i === 0 ? 0 : Math.floor(next() * 300));
          return spawnSediment(project.root, ['migrate']);
        }));
        processes += n;
        waited += runs.filter((run) => run.stdout.includes('Waiting for the PGlite database')).length;
        const problems = await checkRace(project, runs, expected);
        if (problems.length) assert.fail(`trial ${trial} (${n} processes):\n${problems.join('\n')}\n${runs.map((r) => transcript(r)).join('\n')}`);
      }
      t.diagnostic(`${TRIALS} races, ${processes} processes, ${waited} of them waited for the holder`);
    });
  });

  test(`${HANGS} holders stopped (SIGSTOP) while they hold the folder: a waiter with --lock-timeout 1 exits 1 naming the holder; resumed, the holder finishes`, async () => {
    await withProject('pglite', { apps }, async (project) => {
      const expected = writeMigrations(project);
      for (let trial = 1; trial <= HANGS; trial++) {
        if (trial > 1) expectRun(await project.run('migrate', 'shop', 'zero'), { code: 0 });
        let holderPid = 0;
        let stopped!: () => void;
        const isStopped = new Promise<void>((resolve) => (stopped = resolve));
        const holder = spawnSediment(project.root, ['migrate'], {
          onSpawn: (pid) => (holderPid = pid),
          watchFor: 'Applying shop.0001_initial',
          onSeen: () => {
            process.kill(holderPid, 'SIGSTOP');
            stopped();
          },
        });
        await isStopped;
        try {
          const waiter = await spawnSediment(project.root, ['migrate', '--lock-timeout', '1']);
          expectRun(waiter, { code: 1, stderr: [`in use by sediment migrate (pid ${holderPid} on `, 'gave up', '--lock-timeout'] });
        } finally {
          process.kill(holderPid, 'SIGCONT');
        }
        const resumed = await holder;
        const problems = await checkRace(project, [resumed], expected);
        if (problems.length) assert.fail(`hang ${trial}:\n${problems.join('\n')}\n${transcript(resumed)}`);
      }
    });
  });
});
