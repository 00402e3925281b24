// `node --import tsx bench/data-migrations.ts [rows] [rowByRowRows]`: the data API of ops.runCode
// against the local PostgreSQL server, side by side with the raw SQL that does the same work.
//   - 1,000,000 rows: set-based update(); batches() + bulkUpdate(); batches() + bulkCreate(), each vs
//     one SQL statement (UPDATE / INSERT ... SELECT), as ratios;
//   - seed 003 row by row on 200,000 clients: for await + c.computers.count() + c.save(), vs one UPDATE
//     (Django took 57.9 s on this form; the goal is 10x faster, <= 5.8 s);
//   - the peak memory while streaming 1,000,000 rows.
// Numbers only: nothing here asserts. Set SEDIMENT_BENCH_POSTGRES_URL to use another server.
import { randomBytes } from 'node:crypto';
import { connectPostgres } from '../src/backends/postgres/pg-connection.js';
import type { Connection } from '../src/backends/base/connection.js';
import { createPostgresSchemaEditor } from '../src/backends/postgres/schema-editor.js';
import { runCodeInMigration } from '../src/executor/run-code.js';
import type { Migration } from '../src/graph/migration.js';
import { f } from '../src/model/fields.js';
import { ops } from '../src/operations/ops.js';
import { databaseForwards, stateForwards } from '../src/operations/registry.js';
import type { Operation, RunCodeContext } from '../src/operations/types.js';
import { Naming } from '../src/state/names.js';
import { ProjectState } from '../src/state/project-state.js';

const serverUrl = process.env.SEDIMENT_BENCH_POSTGRES_URL ?? process.env.SEDIMENT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REPEATS = 2;
const [bigRows = 1_000_000, clientRows = 200_000] = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);

const migration: Migration = {
  app: 'bench', name: '0002_data', file: 'bench', checksum: 'x', dependencies: [], operations: [],
  initial: false, atomic: true, replaces: [], runBefore: [],
};

const schema: Operation[] = [
  ops.createModel({
    name: 'Item',
    fields: { id: f.bigAuto({ primaryKey: true }), name: f.char({ maxLength: 40 }), score: f.integer(), note: f.text({ null: true }) },
  }),
  ops.createModel({
    name: 'Copy',
    fields: { id: f.bigAuto({ primaryKey: true }), name: f.char({ maxLength: 40 }), score: f.integer() },
  }),
  ops.createModel({
    name: 'Client',
    fields: { id: f.bigAuto({ primaryKey: true }), name: f.char({ maxLength: 255 }), bought: f.integer({ null: true }) },
  }),
  ops.createModel({
    name: 'Computer',
    fields: {
      id: f.bigAuto({ primaryKey: true }),
      brand: f.char({ maxLength: 255 }),
      boughtBy: f.foreignKey('bench.Client', { onDelete: 'cascade', relatedName: 'computers' }),
    },
  }),
];

async function setUp(db: Connection): Promise<ProjectState> {
  const naming = new Naming();
  const editor = createPostgresSchemaEditor(db, naming);
  let state = ProjectState.empty();
  for (const op of schema) {
    const next = stateForwards(state, 'bench', op);
    await databaseForwards({ editor, app: 'bench', from: state, to: next, runCode: async () => {} }, op);
    state = next;
  }
  await db.query(`INSERT INTO bench_item (name, score) SELECT 'item ' || g, g % 1000 FROM generate_series(1, ${bigRows}) g`);
  await db.query(`INSERT INTO bench_client (name) SELECT 'client ' || g FROM generate_series(1, ${clientRows}) g`);
  await db.query(`INSERT INTO bench_computer (brand, bought_by_id) SELECT 'pc', c.id FROM bench_client c, generate_series(1, 3) k WHERE k <= c.id % 4`);
  await db.query('VACUUM ANALYZE');
  return state;
}

/** Runs `fn` as an atomic migration's runCode does (BEGIN ... COMMIT around it); returns seconds. */
async function timedCode(db: Connection, state: ProjectState, fn: (ctx: RunCodeContext) => Promise<void>): Promise<number> {
  const started = performance.now();
  await db.query('BEGIN');
  await runCodeInMigration(fn, { connection: db, state, migration, transaction: 'migration' });
  await db.query('COMMIT');
  return (performance.now() - started) / 1000;
}

async function timedSql(db: Connection, sql: string): Promise<number> {
  const started = performance.now();
  await db.query('BEGIN');
  await db.query(sql);
  await db.query('COMMIT');
  return (performance.now() - started) / 1000;
}

/** Leaves the tables as they were measured from: no dead rows, fresh statistics, a fresh checkpoint. */
async function reset(db: Connection): Promise<void> {
  await db.query(`UPDATE bench_item SET note = NULL WHERE note IS NOT NULL`);
  await db.query('TRUNCATE bench_copy RESTART IDENTITY');
  await db.query('UPDATE bench_client SET bought = NULL');
  await db.query('VACUUM ANALYZE');
  // Start each measurement with no dirty buffers, so no run pays for the checkpoint of the one before.
  await db.query('CHECKPOINT');
}

const results: { form: string; seconds: number; against?: string; raw?: number }[] = [];

/** Best of `REPEATS` runs of each, alternating, every run on a freshly vacuumed table. */
async function compare(db: Connection, form: string, sql: string, code: (ctx: RunCodeContext) => Promise<void>, state: ProjectState): Promise<void> {
  let raw = Infinity;
  let seconds = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    await reset(db);
    raw = Math.min(raw, await timedSql(db, sql));
    await reset(db);
    seconds = Math.min(seconds, await timedCode(db, state, code));
  }
  results.push({ form, seconds, against: sql, raw });
  console.log(`${form}: ${seconds.toFixed(2)} s vs ${raw.toFixed(2)} s raw SQL (x${(seconds / raw).toFixed(2)})`);
}

async function main(): Promise<void> {
  const name = `sediment_bench_${randomBytes(4).toString('hex')}`;
  const admin = await connectPostgres(serverUrl);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await connectPostgres(url.toString());
  try {
    console.log(`Setting up: ${bigRows.toLocaleString('en-US')} items, ${clientRows.toLocaleString('en-US')} clients …`);
    const state = await setUp(db);

    await compare(db, `update() on ${bigRows.toLocaleString('en-US')} rows`, `UPDATE bench_item SET note = 'checked'`, async ({ apps }) => {
      await apps.getModel('bench', 'Item').objects.all().update({ note: 'checked' });
    }, state);

    await compare(db, `batches({ size: 5000 }) + bulkUpdate() on ${bigRows.toLocaleString('en-US')} rows`,
      `UPDATE bench_item SET note = name || ':' || score`, async ({ apps }) => {
        const { objects } = apps.getModel('bench', 'Item');
        for await (const batch of objects.batches({ size: 5000 })) {
          for (const item of batch) item.note = `${item.name}:${item.score}`;
          await objects.bulkUpdate(batch, ['note'], { batchSize: 5000 });
        }
      }, state);

    await compare(db, `batches({ size: 5000 }) + bulkCreate() of ${bigRows.toLocaleString('en-US')} rows`,
      `INSERT INTO bench_copy (name, score) SELECT name, score FROM bench_item ORDER BY id`, async ({ apps }) => {
        const Item = apps.getModel('bench', 'Item');
        const Copy = apps.getModel('bench', 'Copy');
        for await (const batch of Item.objects.batches({ size: 5000 })) {
          await Copy.objects.bulkCreate(batch.map((item) => ({ name: item.name, score: item.score })), { batchSize: 5000 });
        }
      }, state);

    await compare(db, `seed 003 row by row on ${clientRows.toLocaleString('en-US')} clients (for await + c.computers.count() + c.save())`,
      `UPDATE bench_client c SET bought = (SELECT count(*) FROM bench_computer p WHERE p.bought_by_id = c.id)`, async ({ apps }) => {
        const Client = apps.getModel('bench', 'Client');
        for await (const c of Client.objects.all()) {
          c.bought = await c.computers.count();
          await c.save();
        }
      }, state);

    // Peak memory while streaming every item (sampled once per 1000-row batch).
    await reset(db);
    global.gc?.();
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakHeap = baseline.heapUsed;
    let n = 0;
    const seconds = await timedCode(db, state, async ({ apps }) => {
      for await (const item of apps.getModel('bench', 'Item').objects.all()) {
        n += item.score >= 0 ? 1 : 0;
        if (n % 1000 === 0) {
          const m = process.memoryUsage();
          peakRss = Math.max(peakRss, m.rss);
          peakHeap = Math.max(peakHeap, m.heapUsed);
        }
      }
    });
    // The yardstick: each 1,000,000-row form against one raw SQL UPDATE of that table.
    const update = results[0].raw!;
    console.log(`\nAgainst one raw SQL UPDATE of the ${bigRows.toLocaleString('en-US')}-row table (${update.toFixed(2)} s):`);
    for (const r of results.slice(0, 3)) console.log(`  ${r.form}: x${(r.seconds / update).toFixed(2)}`);
    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
    console.log(
      `streaming ${n.toLocaleString('en-US')} rows with for await: ${seconds.toFixed(2)} s; heap ${mb(baseline.heapUsed)} MB before, peak ${mb(peakHeap)} MB; ` +
        `RSS ${mb(baseline.rss)} MB before, peak ${mb(peakRss)} MB`,
    );
  } finally {
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.close();
  }
}

await main();
