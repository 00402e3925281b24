// `npm run bench`: generates projects of 100 and 1000 migrations over 10 apps and measures, side by
// side in one run on the local PostgreSQL server:
//   - applying everything to an empty database vs `psql -1 -f` of the same DDL (Sediment's own SQL log);
//   - a no-op `migrate`, `showmigrations`, and `makemigrations --check` with nothing to do (+ peak RSS);
//   - the first (cold, uncached) load of all migration files.
// Numbers only: nothing here asserts a time. Set SEDIMENT_BENCH_POSTGRES_URL to use another server.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { generateProject } from './generate.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(repo, 'bin', 'sediment.js');
const serverUrl = process.env.SEDIMENT_BENCH_POSTGRES_URL ?? process.env.SEDIMENT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const sizes = (process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number));
const REPEATS = 5;

interface Timed {
  seconds: number;
  maxRssMb: number;
  stdout: string;
}

/** Runs a command under /usr/bin/time to get wall time and peak memory; fails loudly if it fails. */
function timed(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Timed {
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  const lines = result.stderr.trim().split('\n');
  return { seconds, maxRssMb: Number(lines[lines.length - 1]) / 1024, stdout: result.stdout };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function repeat(run: () => Timed): { seconds: number; maxRssMb: number } {
  const runs = Array.from({ length: REPEATS }, run);
  return { seconds: median(runs.map((r) => r.seconds)), maxRssMb: Math.max(...runs.map((r) => r.maxRssMb)) };
}

function psql(url: string, ...args: string[]): void {
  const result = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`psql ${args.join(' ')} failed: ${result.stderr}`);
}

function databaseUrl(name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The statements Sediment sent that change the schema: no catalog reads, locks, history rows or transaction control. */
function ddlFrom(log: string): string {
  return log
    .split(/;\n/)
    .map((statement) => statement.trim())
    .filter((statement) => statement && !/^(SELECT|BEGIN|COMMIT|ROLLBACK|SET CONSTRAINTS)\b/i.test(statement))
    .filter((statement) => !statement.includes('sediment_migrations'))
    .map((statement) => `${statement};`)
    .join('\n');
}

function bench(count: number) {
  const root = mkdtempSync(join(tmpdir(), `sediment-bench-${count}-`));
  generateProject(root, count, repo);
  const suffix = randomBytes(4).toString('hex');
  const sedimentDb = `bench_sediment_${count}_${suffix}`;
  const psqlDb = `bench_psql_${count}_${suffix}`;
  psql(serverUrl, '-c', `CREATE DATABASE ${sedimentDb}`, '-c', `CREATE DATABASE ${psqlDb}`);
  const url = databaseUrl(sedimentDb);
  const node = process.execPath;
  try {
    const cold = timed(root, node, [bin, 'makemigrations', '--check']);
    const check = repeat(() => timed(root, node, [bin, 'makemigrations', '--check']));
    const log = join(root, 'sql.log');
    const apply = timed(root, node, [bin, 'migrate', '--database', url], { SEDIMENT_SQL_LOG: log });
    const noop = repeat(() => timed(root, node, [bin, 'migrate', '--database', url]));
    const show = repeat(() => timed(root, node, [bin, 'showmigrations', '--database', url]));
    const ddlFile = join(root, 'ddl.sql');
    writeFileSync(ddlFile, ddlFrom(readFileSync(log, 'utf8')));
    const started = process.hrtime.bigint();
    psql(databaseUrl(psqlDb), '-1', '-f', ddlFile);
    const raw = Number(process.hrtime.bigint() - started) / 1e9;
    return { count, cold: cold.seconds, apply: apply.seconds, raw, noop, show, check };
  } finally {
    psql(serverUrl, '-c', `DROP DATABASE IF EXISTS ${sedimentDb} WITH (FORCE)`, '-c', `DROP DATABASE IF EXISTS ${psqlDb} WITH (FORCE)`);
    rmSync(root, { recursive: true, force: true });
  }
}

const s = (x: number) => `${x.toFixed(2)} s`;
console.log(`Sediment benchmark on ${new URL(serverUrl).host} (medians of ${REPEATS} runs; Node start included)\n`);
for (const count of sizes.length ? sizes : [100, 1000]) {
  const r = bench(count);
  console.log(`${count} migrations over 10 apps`);
  console.log(`  apply all to an empty database   ${s(r.apply)}   psql -1 -f of the same DDL ${s(r.raw)}   ratio ${(r.apply / r.raw).toFixed(2)}x${count === 1000 ? '   (target <= 1.3x; Django 52 s)' : ''}`);
  console.log(`  no-op migrate                    ${s(r.noop.seconds)}${count === 1000 ? '   (target <= 0.25 s; Django 1.4 s)' : ''}`);
  console.log(`  showmigrations                   ${s(r.show.seconds)}${count === 1000 ? '   (target <= 0.25 s; Django 0.74 s)' : ''}`);
  console.log(`  makemigrations --check           ${s(r.check.seconds)}, peak ${r.check.maxRssMb.toFixed(0)} MB${count === 1000 ? '   (target <= 0.5 s and <= 150 MB; Django 1.2 s)' : ''}`);
  console.log(`  first load, cold cache           ${s(r.cold)}`);
  console.log();
}
