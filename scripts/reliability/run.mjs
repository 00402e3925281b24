// The reliability suite of issue 5 at full size, or any part of it with your own counts:
//
//   node scripts/reliability/run.mjs                     # everything, SEDIMENT_RELIABILITY_SCALE=full
//   node scripts/reliability/run.mjs crash               # 200 kill -9 trials, 100 server-side terminations
//   node scripts/reliability/run.mjs crash --trials 500 --terminations 0 --seed 42
//   node scripts/reliability/run.mjs concurrency --trials 100        # 16 processes at once each time
//   node scripts/reliability/run.mjs pglite-concurrency --trials 20 --hangs 10   # 2-3 processes on one PGlite folder; SIGSTOP'd holders
//   node scripts/reliability/run.mjs round-trip --runs 5000 [--server-runs 500] [--seed 42]
//   node scripts/reliability/run.mjs round-trip-cli --runs 25
//   node scripts/reliability/run.mjs fuzz [--runs 50000] [--loader-runs 2000]
//   node scripts/reliability/run.mjs hostile | connection-loss
//   node scripts/reliability/run.mjs edit-detection [--runs 2000]
//
// The PostgreSQL parts need SEDIMENT_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres);
// without it they are skipped, and this script says so. The CI-sized versions of the same tests run
// in `npm test` (test/reliability/*.test.ts). Each run prints its seed: --seed (or
// SEDIMENT_RELIABILITY_SEED) replays it. Builds dist/ first (the tests drive the real binary), unless
// --no-build or SEDIMENT_TEST_CLI_ROOT names another build. Exit code: the test runner's.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** suite -> the test file(s) and the environment variable each count flag sets. */
const suites = {
  'round-trip': { files: ['round-trip.property.test.ts'], flags: { '--runs': 'SEDIMENT_RELIABILITY_RUNS', '--server-runs': 'SEDIMENT_RELIABILITY_SERVER_RUNS' } },
  'round-trip-cli': { files: ['round-trip-cli.property.test.ts'], flags: { '--runs': 'SEDIMENT_RELIABILITY_CLI_RUNS' } },
  crash: { files: ['crash.test.ts'], server: true, flags: { '--trials': 'SEDIMENT_RELIABILITY_CRASH_TRIALS', '--terminations': 'SEDIMENT_RELIABILITY_TERMINATE_TRIALS' } },
  concurrency: { files: ['concurrency.test.ts'], server: true, flags: { '--trials': 'SEDIMENT_RELIABILITY_CONCURRENCY_TRIALS' } },
  'pglite-concurrency': { files: ['pglite-concurrency.test.ts'], flags: { '--trials': 'SEDIMENT_RELIABILITY_PGLITE_TRIALS', '--hangs': 'SEDIMENT_RELIABILITY_HANG_TRIALS' } },
  'connection-loss': { files: ['connection-loss.test.ts'], server: true, flags: {} },
  hostile: { files: ['hostile-input.test.ts'], flags: {} },
  fuzz: { files: ['graph-fuzz.test.ts', 'loader-fuzz.test.ts'], flags: { '--runs': 'SEDIMENT_RELIABILITY_FUZZ_RUNS', '--loader-runs': 'SEDIMENT_RELIABILITY_LOADER_RUNS' } },
  'edit-detection': { files: ['edit-detection.test.ts'], flags: { '--runs': 'SEDIMENT_RELIABILITY_EDIT_RUNS' } },
};

function usage(message) {
  console.error(`${message}\nusage: node scripts/reliability/run.mjs [${Object.keys(suites).join(' | ')}] [--trials N] [--hangs N] [--terminations N] [--runs N] [--server-runs N] [--loader-runs N] [--seed N] [--no-build]`);
  process.exit(2);
}

const args = process.argv.slice(2);
const chosen = [];
const env = { ...process.env, SEDIMENT_RELIABILITY_SCALE: 'full' };
let build = !process.env.SEDIMENT_TEST_CLI_ROOT;
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--no-build') build = false;
  else if (arg === '--seed') env.SEDIMENT_RELIABILITY_SEED = args[++i] ?? usage('--seed needs a number');
  else if (arg.startsWith('--')) {
    const value = args[++i];
    if (value === undefined || !/^\d+$/.test(value)) usage(`${arg} needs a count`);
    const owners = (chosen.length ? chosen : Object.keys(suites)).filter((name) => suites[name].flags[arg]);
    if (owners.length === 0) usage(`${arg} does not apply to ${chosen.join(', ') || 'any suite'}`);
    for (const name of owners) env[suites[name].flags[arg]] = value;
  } else if (suites[arg]) chosen.push(arg);
  else usage(`unknown suite ${arg}`);
}
const names = chosen.length ? chosen : Object.keys(suites);

if (!env.SEDIMENT_TEST_POSTGRES_URL) {
  const skipped = names.filter((name) => suites[name].server);
  console.warn(
    `SEDIMENT_TEST_POSTGRES_URL is not set: ${skipped.length ? `${skipped.join(', ')} will be skipped, and ` : ''}` +
      'the other suites run on PGlite only. Set it (e.g. postgres://postgres@127.0.0.1:5432/postgres) for the full suite.',
  );
}

if (build) {
  const built = spawnSync(process.execPath, [join(repo, 'scripts', 'build.mjs')], { cwd: repo, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
if (!existsSync(join(env.SEDIMENT_TEST_CLI_ROOT ?? repo, 'dist', 'cli.js'))) usage('dist/cli.js is missing: run node scripts/build.mjs first');

const files = names.flatMap((name) => suites[name].files.map((file) => join('test', 'reliability', file)));
console.log(`Running ${names.join(', ')} at full size (SEDIMENT_RELIABILITY_SCALE=full)…`);
const started = Date.now();
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  cwd: repo,
  env,
  stdio: 'inherit',
});
console.log(`\nReliability suite (${names.join(', ')}) finished in ${Math.round((Date.now() - started) / 1000)} s with exit code ${result.status}.`);
process.exit(result.status ?? 1);
