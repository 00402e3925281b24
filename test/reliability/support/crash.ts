import type { Connection } from '../../../src/backends/base/connection.js';
import { connectPostgres } from '../../../src/backends/postgres/pg-connection.js';
import { buildGraph, stateAt } from '../../../src/graph/index.js';
import type { Migration } from '../../../src/graph/migration.js';
import { loadMigrations } from '../../../src/loader/index.js';
import { ProjectState } from '../../../src/state/project-state.js';
import type { CliProject, CliResult } from '../../support/cli.js';
import { transcript } from '../../support/cli.js';
import { spawnSediment } from './process.js';
import { schemaDifferences } from './pipeline.js';

/**
 * Crash safety (issue 5): `sediment migrate` killed with SIGKILL at a random moment. Each migration of
 * the project below is atomic, takes a few tenths of a second (pg_sleep between its operations), and
 * writes one row naming itself into shop_client — so a kill lands inside a migration most of the time,
 * and the rows show whether data went with the schema and the history. After a kill:
 *
 * - the history holds exactly a prefix-closed set of migrations (every recorded migration's
 *   dependencies are recorded);
 * - the live schema is exactly the one the recorded migrations build (expectedSchema of their state,
 *   compared with introspection): nothing of a migration that is not recorded, everything of one that is;
 * - shop_client holds exactly one row per recorded migration;
 * - the next `migrate` exits 0 and finishes the job: every migration recorded, the final schema, all rows.
 */

export const crashApps = {
  shop: `import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 100 }),
  contact: f.email({ null: true }),
  tags: f.manyToMany('Tag'),
});

export const Tag = model('Tag', { label: f.char({ maxLength: 50 }) });
`,
  billing: `import { model, f, index, check } from 'sediment-migrations';

export const Bill = model('Bill', {
  client: f.foreignKey('shop.Client', { onDelete: 'cascade' }),
  amount: f.integer({ default: 0 }),
  paid: f.boolean({ default: false }),
  note: f.text({ null: true }),
}, {
  indexes: [index(['paid'], { name: 'billing_invoice_paid_idx' })],
  constraints: [check('amount >= 0', { name: 'billing_invoice_amount_ck' })],
});
`,
} as const;

/** Writes its own name into shop_client; a pause so that a kill can land inside the migration. */
const mark = (id: string) => `ops.runSql({ sql: "INSERT INTO shop_client (name) VALUES ('${id}')", reverseSql: "DELETE FROM shop_client WHERE name = '${id}'" })`;
const pause = (seconds: number) => `ops.runSql({ sql: 'SELECT pg_sleep(${seconds})', reverseSql: ops.noop })`;

interface HandWritten {
  readonly app: 'shop' | 'billing';
  readonly name: string;
  readonly dependencies: readonly (readonly [string, string])[];
  readonly operations: readonly string[];
}

/** Eight atomic migrations over two apps, interleaved by their dependencies. */
export const crashMigrations: readonly HandWritten[] = [
  {
    app: 'shop', name: '0001_initial', dependencies: [],
    operations: [
      "ops.createModel({ name: 'Client', fields: { id: f.bigAuto({ primaryKey: true }), name: f.char({ maxLength: 100 }) } })",
      pause(0.08),
      "ops.createModel({ name: 'Product', fields: { id: f.bigAuto({ primaryKey: true }), title: f.text(), price: f.decimal({ maxDigits: 10, decimalPlaces: 2 }) } })",
      mark('shop.0001_initial'),
    ],
  },
  {
    app: 'shop', name: '0002_client_email', dependencies: [['shop', '0001_initial']],
    operations: [
      pause(0.05),
      "ops.addField({ model: 'Client', name: 'email', field: f.email({ null: true }) })",
      pause(0.05),
      "ops.addIndex({ model: 'Client', index: index(['name'], { name: 'shop_client_name_idx' }) })",
      mark('shop.0002_client_email'),
    ],
  },
  {
    app: 'billing', name: '0001_initial', dependencies: [['shop', '0002_client_email']],
    operations: [
      "ops.createModel({ name: 'Invoice', fields: { id: f.bigAuto({ primaryKey: true }), client: f.foreignKey('shop.Client', { onDelete: 'cascade' }), amount: f.integer({ default: 0 }) } })",
      pause(0.08),
      "ops.addConstraint({ model: 'Invoice', constraint: check('amount >= 0', { name: 'billing_invoice_amount_ck' }) })",
      mark('billing.0001_initial'),
    ],
  },
  {
    app: 'shop', name: '0003_rename_email', dependencies: [['shop', '0002_client_email']],
    operations: [
      "ops.renameField({ model: 'Client', oldName: 'email', newName: 'contact' })",
      pause(0.06),
      "ops.alterField({ model: 'Product', name: 'title', field: f.char({ maxLength: 200, default: '' }) })",
      mark('shop.0003_rename_email'),
    ],
  },
  {
    app: 'billing', name: '0002_invoice_paid', dependencies: [['billing', '0001_initial']],
    operations: [
      "ops.addField({ model: 'Invoice', name: 'paid', field: f.boolean({ default: false }) })",
      pause(0.06),
      "ops.addIndex({ model: 'Invoice', index: index(['paid'], { name: 'billing_invoice_paid_idx' }) })",
      mark('billing.0002_invoice_paid'),
    ],
  },
  {
    app: 'shop', name: '0004_tags', dependencies: [['shop', '0003_rename_email']],
    operations: [
      "ops.createModel({ name: 'Tag', fields: { id: f.bigAuto({ primaryKey: true }), label: f.char({ maxLength: 50 }) } })",
      pause(0.05),
      "ops.addField({ model: 'Client', name: 'tags', field: f.manyToMany('shop.Tag') })",
      mark('shop.0004_tags'),
    ],
  },
  {
    app: 'shop', name: '0005_delete_product', dependencies: [['shop', '0004_tags']],
    operations: [pause(0.06), "ops.deleteModel({ name: 'Product' })", mark('shop.0005_delete_product')],
  },
  {
    app: 'billing', name: '0003_bill', dependencies: [['billing', '0002_invoice_paid'], ['shop', '0005_delete_product']],
    operations: [
      "ops.addField({ model: 'Invoice', name: 'note', field: f.text({ null: true }) })",
      pause(0.05),
      "ops.renameModel({ oldName: 'Invoice', newName: 'Bill' })",
      mark('billing.0003_bill'),
    ],
  },
];

function source(m: HandWritten): string {
  return `import { check, f, index, migration, ops } from 'sediment-migrations';

export default migration({
  dependencies: [${m.dependencies.map(([a, n]) => `['${a}', '${n}']`).join(', ')}],
  operations: [
${m.operations.map((op) => `    ${op},`).join('\n')}
  ],
});
`;
}

export const allCrashMigrations = crashMigrations.map((m) => `${m.app}.${m.name}`).sort();

/** Writes the migrations into the project and returns them as the loader reads them. */
export async function writeCrashMigrations(project: CliProject): Promise<Migration[]> {
  for (const m of crashMigrations) project.writeMigration(m.app, m.name, source(m));
  return loadMigrations({ root: project.root, apps: [['shop', 'src/shop'], ['billing', 'src/billing']] });
}

/** Waits until no other session is connected to the database (the killed client's backend has gone). */
export async function waitForOtherSessions(db: Connection, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    if (rows[0].n === 0) return;
    if (Date.now() - started > timeoutMs) throw new Error(`another session is still connected after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** What the database holds: the history, whether it is consistent, how the schema differs from it, the marker rows. */
export interface CrashInspection {
  readonly history: string[];
  readonly problems: string[];
}

/** Checks that history, schema and rows agree (see the top of this file); returns the problems found. */
export async function inspectAfterCrash(url: string, migrations: readonly Migration[]): Promise<CrashInspection> {
  const db = await connectPostgres(url);
  try {
    await waitForOtherSessions(db);
    const problems: string[] = [];
    const { rows: [{ found }] } = await db.query<{ found: string | null }>(`SELECT to_regclass('sediment_migrations')::text AS found`);
    const history = found
      ? (await db.query<{ key: string }>(`SELECT app || '.' || name AS key FROM sediment_migrations ORDER BY 1`)).rows.map((r) => r.key)
      : [];
    const graph = buildGraph(migrations, history, { apps: ['shop', 'billing'] });
    for (const gap of graph.inconsistencies()) problems.push(`inconsistent history: ${gap.migration} is recorded but not ${gap.dependency}`);
    const state = history.length ? stateAt(graph, history) : ProjectState.empty();
    problems.push(...(await schemaDifferences(db, state)).map((d) => `schema: ${d}`));
    const hasClients = (await db.query<{ found: string | null }>(`SELECT to_regclass('shop_client')::text AS found`)).rows[0].found;
    const marks = hasClients ? (await db.query<{ name: string }>('SELECT name FROM shop_client ORDER BY name')).rows.map((r) => r.name) : [];
    if (JSON.stringify(marks) !== JSON.stringify(history)) {
      problems.push(`rows: shop_client holds ${JSON.stringify(marks)}, the history ${JSON.stringify(history)}`);
    }
    return { history, problems };
  } finally {
    await db.close();
  }
}

export interface TrialResult {
  /** Migrations recorded when the process was killed (all of them if it finished first). */
  readonly recordedAtKill: number;
  /** Whether the kill landed before the process exited by itself. */
  readonly killed: boolean;
  readonly problems: string[];
  readonly runs: readonly CliResult[];
}

/**
 * One trial on a fresh database: `migrate` killed after `killAfterMs`, the database inspected, then
 * `migrate` again and the database inspected once more.
 */
export async function crashTrial(project: CliProject, url: string, migrations: readonly Migration[], killAfterMs: number): Promise<TrialResult> {
  const killed = await spawnSediment(project.root, ['migrate', '--database', url], { killAfterMs });
  const problems: string[] = [];
  const wasKilled = killed.signal === 'SIGKILL';
  if (!wasKilled && killed.code !== 0) problems.push(`migrate exited ${killed.code} before the kill\n${transcript(killed)}`);
  const after = await inspectAfterCrash(url, migrations);
  problems.push(...after.problems.map((p) => `after the kill (${after.history.length} recorded): ${p}`));
  const rerun = await spawnSediment(project.root, ['migrate', '--database', url]);
  if (rerun.code !== 0) problems.push(`the next migrate exited ${rerun.code}\n${transcript(rerun)}`);
  const final = await inspectAfterCrash(url, migrations);
  problems.push(...final.problems.map((p) => `after the next migrate: ${p}`));
  if (JSON.stringify(final.history) !== JSON.stringify(allCrashMigrations)) {
    problems.push(`after the next migrate the history is ${JSON.stringify(final.history)}, not every migration`);
  }
  return { recordedAtKill: after.history.length, killed: wasKilled, problems, runs: [killed, rerun] };
}

/**
 * How long `migrate` takes on this machine: until it prints its first "Applying", and until it exits.
 * Kills are then spread over [first, total], where the migrations run.
 */
export async function calibrate(project: CliProject, url: string): Promise<{ firstMs: number; totalMs: number }> {
  const result = await spawnSediment(project.root, ['migrate', '--database', url], { watchFor: 'Applying' });
  if (result.code !== 0) throw new Error(`the calibration run failed\n${transcript(result)}`);
  return { firstMs: result.seenAtMs ?? 0, totalMs: result.elapsedMs };
}

const stackFrame = /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;

/**
 * Like crashTrial, but the server side goes away: after `terminateAfterMs` every backend of the
 * database is terminated (pg_terminate_backend), as a failover or an administrator would. `migrate`
 * must then end by itself: exit 0 if it had finished, else exit 1 with one clear error (no stack trace,
 * no "internal error"); the history must match the schema and the rows, and the next run finish the job.
 */
export async function terminateTrial(project: CliProject, url: string, migrations: readonly Migration[], terminateAfterMs: number): Promise<TrialResult> {
  const running = spawnSediment(project.root, ['migrate', '--database', url]);
  await new Promise((resolve) => setTimeout(resolve, terminateAfterMs));
  const admin = await connectPostgres(url);
  let terminated = 0;
  try {
    const { rows } = await admin.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    terminated = rows[0].n;
  } finally {
    await admin.close();
  }
  {
    const run = await running;
    const problems: string[] = [];
    const errors = run.stderr.split('\n').filter((line) => /^error(\[\w+\])?:/.test(line));
    const clear = run.code === 0 || (run.code === 1 && errors.length === 1 && !stackFrame.test(run.stderr) && !/internal error/i.test(run.stderr));
    if (!clear) problems.push(`migrate did not end with exit 0, or exit 1 and one clear error, after its connection was terminated\n${transcript(run)}`);
    const after = await inspectAfterCrash(url, migrations);
    problems.push(...after.problems.map((p) => `after the termination (${after.history.length} recorded): ${p}`));
    const rerun = await spawnSediment(project.root, ['migrate', '--database', url]);
    if (rerun.code !== 0) problems.push(`the next migrate exited ${rerun.code}\n${transcript(rerun)}`);
    const final = await inspectAfterCrash(url, migrations);
    problems.push(...final.problems.map((p) => `after the next migrate: ${p}`));
    if (JSON.stringify(final.history) !== JSON.stringify(allCrashMigrations)) problems.push(`after the next migrate the history is ${JSON.stringify(final.history)}`);
    return { recordedAtKill: after.history.length, killed: terminated > 0 && run.code !== 0, problems, runs: [run, rerun] };
  }
}
