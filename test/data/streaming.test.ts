import assert from 'node:assert/strict';
import type { Connection } from '../../src/backends/base/connection.js';
import type { ProgressEvent, ProgressReporter } from '../../src/data/progress.js';
import { IntegrityError } from '../../src/errors/index.js';
import { store } from './fixtures.js';
import { given, recording, rows, run, testOnEachTarget } from './helpers.js';

/** `n` clients, client i owning i % 3 computers. */
async function clients(db: Connection, n: number) {
  const state = await given(db, 'shop', store);
  await db.query(`INSERT INTO shop_client (name) SELECT 'c' || g FROM generate_series(1, ${n}) g`);
  await db.query(`INSERT INTO shop_computer (brand, bought_by_id) SELECT 'pc', c.id FROM shop_client c, generate_series(1, 2) k WHERE k <= c.id % 3`);
  return state;
}

const selects = (log: { sql: string; rows: number }[]) => log.filter((s) => /^\s*(SELECT|FETCH)/i.test(s.sql));

testOnEachTarget('batches({ size }) yields arrays of at most size rows, reading one batch per statement', async (db) => {
  const state = await clients(db, 2500);
  const recorded = recording(db);
  await run(recorded, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    recorded.reset();
    const sizes: number[] = [];
    let last = 0;
    for await (const batch of objects.batches({ size: 1000 })) {
      sizes.push(batch.length);
      for (const c of batch) {
        assert.ok(c.id > last, 'in key order, each row once');
        last = c.id;
      }
    }
    assert.deepEqual(sizes, [1000, 1000, 500]);
  });
  const reads = selects(recorded.log);
  assert.ok(reads.length <= 4, `${reads.length} statements: the largest key, then one per batch`);
  assert.ok(reads.every((s) => s.rows <= 1000), 'no statement returned more than a batch');
});

testOnEachTarget('for await streams a query set 1000 rows per statement, never the whole table at once', async (db) => {
  const state = await clients(db, 2500);
  const recorded = recording(db);
  const seen = await run(recorded, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    recorded.reset();
    let n = 0;
    for await (const c of objects.filter({ name__startsWith: 'c' })) {
      n++;
      if (n === 1) assert.equal(c.name, 'c1');
    }
    return n;
  });
  assert.equal(seen, 2500);
  const reads = selects(recorded.log);
  assert.equal(Math.max(...reads.map((s) => s.rows)), 1000);
  assert.ok(reads.length <= 4);
});

testOnEachTarget('descending key order streams by keyset too; other orders stream through a cursor', async (db) => {
  const state = await clients(db, 1200);
  const recorded = recording(db);
  await run(recorded, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    recorded.reset();
    const ids: number[] = [];
    for await (const batch of objects.orderBy('-id').batches({ size: 500 })) ids.push(...batch.map((c) => c.id));
    assert.deepEqual(ids, Array.from({ length: 1200 }, (_, i) => 1200 - i));
    assert.ok(selects(recorded.log).every((s) => s.rows <= 500));
    recorded.reset();
    const names: string[] = [];
    for await (const batch of objects.orderBy('name').batches({ size: 500 })) names.push(...batch.map((c) => c.name));
    assert.deepEqual(names, [...names].sort());
    assert.equal(names.length, 1200);
    assert.ok(recorded.log.some((s) => /DECLARE .* CURSOR/.test(s.sql)));
    assert.ok(selects(recorded.log).every((s) => s.rows <= 500));
  });
});

testOnEachTarget('a cursor also streams without a transaction (atomic: false)', async (db) => {
  const state = await clients(db, 30);
  const names = await run(db, state, async ({ apps }) => {
    const out: string[] = [];
    for await (const batch of apps.getModel('shop', 'Client').objects.orderBy('-name').batches({ size: 7 })) out.push(...batch.map((c) => c.name));
    return out;
  }, { transaction: 'none' });
  assert.equal(names.length, 30);
  assert.equal(names[0], 'c9');
});

testOnEachTarget('rows the loop inserts into the table it iterates are not visited (no endless loop)', async (db) => {
  const state = await clients(db, 1500);
  const visited = await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    let n = 0;
    for await (const c of objects.all()) {
      n++;
      await objects.create({ name: `copy of ${c.name}` });
    }
    return n;
  });
  assert.equal(visited, 1500);
  assert.deepEqual(await rows(db, `SELECT count(*)::int AS n FROM shop_client`), [{ n: 3000 }]);
});

testOnEachTarget('seed 003 row by row: count() of a reverse relation and save() cost a few statements per thousand rows', async (db) => {
  const state = await clients(db, 2500);
  const recorded = recording(db);
  await run(recorded, state, async ({ apps }) => {
    const Client = apps.getModel('shop', 'Client');
    recorded.reset();
    for await (const c of Client.objects.all()) {
      c.bought = await c.computers.count();
      await c.save();
    }
  });
  assert.ok(recorded.log.length <= 20, `${recorded.log.length} statements for 2,500 rows:\n${recorded.log.map((s) => s.sql.slice(0, 100)).join('\n')}`);
  assert.deepEqual(
    await rows(db, `SELECT count(*)::int AS wrong FROM shop_client c WHERE c.bought IS DISTINCT FROM (SELECT count(*) FROM shop_computer p WHERE p.bought_by_id = c.id)`),
    [{ wrong: 0 }],
  );
});

testOnEachTarget('saves written in bulk are visible to every later read, and to counts after related rows change', async (db) => {
  const state = await clients(db, 10);
  await run(db, state, async ({ apps }) => {
    const Client = apps.getModel('shop', 'Client');
    const Computer = apps.getModel('shop', 'Computer');
    for await (const c of Client.objects.all()) {
      c.bought = 100 + c.id;
      await c.save();
      assert.equal(await Client.objects.filter({ id: c.id, bought: 100 + c.id }).count(), 1, 'read your own save');
      if (c.id === 3) {
        const before = await c.computers.count();
        await c.computers.create({ brand: 'new' });
        assert.equal(await c.computers.count(), before + 1, 'the batch count is refreshed after a write to the related table');
        await Computer.objects.filter({ boughtBy: c }).delete();
        assert.equal(await c.computers.count(), 0);
      }
    }
  });
  assert.deepEqual(await rows(db, `SELECT count(*)::int AS n FROM shop_client WHERE bought = 100 + id`), [{ n: 10 }]);
});

testOnEachTarget('a save that could break a constraint is written at once, so its IntegrityError surfaces at save()', async (db) => {
  const state = await clients(db, 5);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    let failures = 0;
    for await (const c of objects.all()) {
      c.name = 'same';
      try {
        await c.save();
      } catch (error) {
        assert.ok(error instanceof IntegrityError);
        failures++;
      }
    }
    assert.equal(failures, 4);
    assert.equal(await objects.filter({ name: 'same' }).count(), 1);
  });
});

testOnEachTarget('pending saves are written when the loop ends early or the code returns', async (db) => {
  const state = await clients(db, 50);
  await run(db, state, async ({ apps }) => {
    for await (const c of apps.getModel('shop', 'Client').objects.all()) {
      c.bought = -1;
      await c.save();
      if (c.id === 20) break;
    }
  });
  assert.deepEqual(await rows(db, `SELECT count(*)::int AS n FROM shop_client WHERE bought = -1`), [{ n: 20 }]);
});

testOnEachTarget('iteration reports progress (rows done, rate, estimate) to the injected reporter', async (db) => {
  const state = await clients(db, 3000);
  await db.query('ANALYZE shop_client');
  const events: ProgressEvent[] = [];
  const reporter: ProgressReporter = { enabled: true, report: (event) => void events.push(event) };
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    for await (const batch of objects.batches({ size: 500 })) {
      for (const c of batch) void c;
      // An inner iteration does not report: only the outermost one does.
      for await (const computer of batch[0].computers.all()) void computer;
    }
  }, { progress: reporter });
  const last = events[events.length - 1];
  assert.equal(last.finished, true);
  assert.equal(last.done, 3000);
  assert.equal(last.model, 'shop.Client');
  assert.equal(last.migration, 'shop.0099_data');
  assert.ok(last.rowsPerSecond > 0);
  assert.ok(events.every((e) => e.model === 'shop.Client'));
  assert.ok(events.some((e) => !e.finished) === false || events.filter((e) => !e.finished).every((e) => e.total !== null && e.total > 0));
});
