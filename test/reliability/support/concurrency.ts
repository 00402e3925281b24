import { connectPostgres } from '../../../src/backends/postgres/pg-connection.js';
import type { CliProject, CliResult } from '../../support/cli.js';
import { transcript } from '../../support/cli.js';
import { spawnSediment } from './process.js';

/**
 * Many `sediment migrate` processes started at once against one PostgreSQL database (issue 5): each
 * migration must be applied and recorded exactly once, every process must exit 0 and say what it did
 * (applied migrations, or found none left) or waited for (the lock holder), and a lock holder building
 * an index concurrently (non-atomic, it waits for older snapshots) must not deadlock with the waiters,
 * which poll rather than block (src/backends/postgres/migrate-lock.ts).
 */

export const concurrencyApps = {
  shop: `import { model, f, index } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
  email: f.email({ null: true }),
}, { indexes: [index(['name'], { name: 'shop_client_name_idx' })] });
`,
  billing: `import { model, f } from 'sediment-migrations';

export const Invoice = model('Invoice', {
  client: f.foreignKey('shop.Client', { onDelete: 'cascade' }),
  amount: f.integer(),
  paid: f.boolean({ default: false }),
});
`,
} as const;

const migration = (deps: string, operations: readonly string[], atomic = true) => `import { f, index, migration, ops } from 'sediment-migrations';

export default migration({
${atomic ? '' : '  atomic: false,\n'}  dependencies: [${deps}],
  operations: [
${operations.map((op) => `    ${op},`).join('\n')}
  ],
});
`;

/** Six migrations over two apps: schema changes, a data migration, and a non-atomic concurrent index build. */
export function writeConcurrencyMigrations(project: CliProject): string[] {
  project.writeMigration('shop', '0001_initial', migration('', [
    "ops.createModel({ name: 'Client', fields: { id: f.bigAuto({ primaryKey: true }), name: f.char({ maxLength: 255 }) } })",
  ]));
  project.writeMigration('shop', '0002_clients', migration("['shop', '0001_initial']", [
    "ops.runSql({ sql: \"INSERT INTO shop_client (name) SELECT 'client ' || i FROM generate_series(1, 20000) AS i\", reverseSql: 'DELETE FROM shop_client' })",
  ]));
  // Non-atomic: CREATE INDEX CONCURRENTLY refuses to run in a transaction and waits for every
  // transaction with an older snapshot. The pause keeps the lock held so the others are surely waiting.
  project.writeMigration('shop', '0003_client_name_idx', migration("['shop', '0002_clients']", [
    "ops.runSql({ sql: 'SELECT pg_sleep(0.5)', reverseSql: ops.noop })",
    "ops.addIndexConcurrently({ model: 'Client', index: index(['name'], { name: 'shop_client_name_idx' }) })",
  ], false));
  project.writeMigration('shop', '0004_client_email', migration("['shop', '0003_client_name_idx']", [
    "ops.addField({ model: 'Client', name: 'email', field: f.email({ null: true }) })",
  ]));
  project.writeMigration('billing', '0001_initial', migration("['shop', '0001_initial']", [
    "ops.createModel({ name: 'Invoice', fields: { id: f.bigAuto({ primaryKey: true }), client: f.foreignKey('shop.Client', { onDelete: 'cascade' }), amount: f.integer() } })",
  ]));
  project.writeMigration('billing', '0002_invoice_paid', migration("['billing', '0001_initial'], ['shop', '0004_client_email']", [
    "ops.addField({ model: 'Invoice', name: 'paid', field: f.boolean({ default: false }) })",
  ]));
  return ['billing.0001_initial', 'billing.0002_invoice_paid', 'shop.0001_initial', 'shop.0002_clients', 'shop.0003_client_name_idx', 'shop.0004_client_email'];
}

/** `app.name` of every "Applying app.name... OK" line. */
const appliedLines = (result: CliResult) => [...result.stdout.matchAll(/Applying (\S+)\.\.\. OK/g)].map((m) => m[1]);
const stackFrame = /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;

export interface RaceResult {
  readonly problems: string[];
  /** Processes that printed "Waiting for …" (they found the lock taken, and named its holder). */
  readonly waited: number;
  readonly runs: readonly CliResult[];
}

/** Starts `processes` migrate runs at once against `url` and checks everything listed at the top. */
export async function race(project: CliProject, url: string, processes: number, expected: readonly string[]): Promise<RaceResult> {
  const runs = await Promise.all(Array.from({ length: processes }, () => spawnSediment(project.root, ['migrate', '--database', url])));
  const problems: string[] = [];
  for (const [i, run] of runs.entries()) {
    const label = `process ${i + 1}`;
    if (run.code !== 0) problems.push(`${label} exited ${run.signal ?? run.code}`);
    if (stackFrame.test(run.stdout) || stackFrame.test(run.stderr)) problems.push(`${label} printed a stack trace`);
    if (run.stderr.trim() !== '') problems.push(`${label} wrote to stderr`);
    const applied = appliedLines(run);
    const said = applied.length > 0 || run.stdout.includes('No migrations to apply');
    if (!said) problems.push(`${label} does not say what it did`);
    // The waiter names the holder: its command, pid, host, backend and since when (issue 8, item 10).
    const waiting = /Waiting for the migrate lock of .+, held by sediment migrate \(pid \d+ on \S+, PostgreSQL backend pid \d+, since [^)]+\)/.test(run.stdout);
    if (run.stdout.includes('Waiting for') && !waiting) problems.push(`${label} printed an unclear waiting message`);
  }
  const applied = runs.flatMap(appliedLines).sort();
  if (JSON.stringify(applied) !== JSON.stringify([...expected].sort())) {
    problems.push(`the "Applying … OK" lines of all processes are ${JSON.stringify(applied)}, not each migration once`);
  }
  const appliers = runs.filter((r) => appliedLines(r).length > 0).length;
  if (appliers !== 1) problems.push(`${appliers} processes applied migrations; the lock holder should apply them all`);

  const db = await connectPostgres(url);
  try {
    const { rows: history } = await db.query<{ key: string; n: number }>(
      `SELECT app || '.' || name AS key, count(*)::int AS n FROM sediment_migrations GROUP BY 1 ORDER BY 1`,
    );
    if (JSON.stringify(history) !== JSON.stringify([...expected].sort().map((key) => ({ key, n: 1 })))) {
      problems.push(`the history is ${JSON.stringify(history)}, not each migration once`);
    }
    const { rows: [{ n }] } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM shop_client');
    if (n !== 20000) problems.push(`shop_client has ${n} rows: the data migration did not run exactly once`);
    const { rows: indexes } = await db.query<{ valid: boolean }>(
      `SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass('shop_client_name_idx')`,
    );
    if (indexes.length !== 1 || !indexes[0].valid) problems.push(`the concurrent index is ${JSON.stringify(indexes)}, not one valid index`);
  } finally {
    await db.close();
  }
  if (problems.length) problems.push(...runs.map((r, i) => `--- process ${i + 1} ---\n${transcript(r)}`));
  return { problems, waited: runs.filter((r) => r.stdout.includes('Waiting for')).length, runs };
}
