import assert from 'node:assert/strict';
import { IntegrityError } from '../../src/errors/index.js';
import { f } from '../../src/model/fields.js';
import { ops } from '../../src/operations/ops.js';
import { store } from './fixtures.js';
import { given, recording, rows, run, testOnEachTarget } from './helpers.js';

const inserts = (log: { sql: string }[]) => log.filter((s) => /^\s*INSERT/i.test(s.sql));

testOnEachTarget('bulkCreate() inserts batchSize rows per statement and counts them', async (db) => {
  const state = await given(db, 'shop', store);
  const recorded = recording(db);
  const result = await run(recorded, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    recorded.reset();
    return objects.bulkCreate(Array.from({ length: 2500 }, (_, i) => ({ name: `c${i}` })), { batchSize: 1000 });
  });
  assert.deepEqual(result, { inserted: 2500, skipped: 0, updated: 0 });
  assert.equal(inserts(recorded.log).length, 3);
  assert.deepEqual(await rows(db, `SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM shop_client`), [{ n: 2500, ids: 2500 }]);
});

testOnEachTarget("bulkCreate(..., { onConflict: 'ignore' }) skips rows that clash with existing rows or each other, and counts them", async (db) => {
  const state = await given(db, 'shop', store);
  await db.query(`INSERT INTO shop_client (name) VALUES ('Ada'), ('Bob')`);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    const names = ['Ada', 'Cy', 'Bob', 'Di', 'Cy', 'Eve'];
    assert.deepEqual(await objects.bulkCreate(names.map((name) => ({ name })), { onConflict: 'ignore', batchSize: 4 }), {
      inserted: 3, skipped: 3, updated: 0,
    });
    assert.deepEqual((await objects.orderBy('name').values('name').toArray()).map((r) => r.name), ['Ada', 'Bob', 'Cy', 'Di', 'Eve']);
  });
});

testOnEachTarget("bulkCreate(..., { onConflict: 'error' }) raises an IntegrityError and keeps no row of the failed batch", async (db) => {
  const state = await given(db, 'shop', store);
  await db.query(`INSERT INTO shop_client (name) VALUES ('Ada')`);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    await assert.rejects(objects.bulkCreate([{ name: 'Bob' }, { name: 'Ada' }]), (error: unknown) => {
      assert.ok(error instanceof IntegrityError);
      assert.equal(error.violation, 'unique');
      assert.deepEqual(error.columns, ['name']);
      assert.equal(error.key, '(name)=(Ada)');
      return true;
    });
    assert.equal(await objects.count(), 1, 'the batch was rolled back to its savepoint, and the transaction goes on');
    assert.deepEqual(await objects.bulkCreate([{ name: 'Bob' }]), { inserted: 1, skipped: 0, updated: 0 });
  });
  assert.deepEqual(await rows(db, `SELECT name FROM shop_client ORDER BY id`), [{ name: 'Ada' }, { name: 'Bob' }]);
});

testOnEachTarget("bulkCreate(..., { onConflict: 'update' }) updates the rows that exist and counts inserted and updated", async (db) => {
  const state = await given(db, 'shop', store);
  await db.query(`INSERT INTO shop_client (name, bought) VALUES ('Ada', 1), ('Bob', 1)`);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    const result = await objects.bulkCreate(
      [{ name: 'Ada', bought: 10 }, { name: 'Cy', bought: 30 }, { name: 'Bob', bought: 20 }],
      { onConflict: 'update' },
    );
    assert.deepEqual(result, { inserted: 1, skipped: 0, updated: 2 });
    assert.deepEqual(await objects.orderBy('name').values('name', 'bought').toArray(), [
      { name: 'Ada', bought: 10 }, { name: 'Bob', bought: 20 }, { name: 'Cy', bought: 30 },
    ]);
    const keyed = await objects.bulkCreate([{ id: 1, name: 'Ada', bought: 11 }], { onConflict: 'update', uniqueFields: ['id'], updateFields: ['bought'] });
    assert.deepEqual(keyed, { inserted: 0, skipped: 0, updated: 1 });
    assert.equal((await objects.get({ name: 'Ada' })).bought, 11);
    await assert.rejects(
      objects.bulkCreate([{ id: 9, name: 'Zed' }], { onConflict: 'update' }),
      /needs uniqueFields: the rows give more than one unique set of fields \(unique sets: \(id\), \(name\)\)/,
    );
    await assert.rejects(objects.bulkCreate([{ name: 'Zed' }], { onConflict: 'update', uniqueFields: ['bought'] }), /no unique constraint on exactly \(bought\)/);
  });
});

testOnEachTarget('bulkUpdate() writes each row its own values, one statement per batch', async (db) => {
  const state = await given(db, 'shop', store);
  await db.query(`INSERT INTO shop_client (name) SELECT 'c' || g FROM generate_series(1, 250) g`);
  const recorded = recording(db);
  await run(recorded, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    const all = await objects.toArray();
    for (const c of all) c.bought = c.id * 2;
    recorded.reset();
    assert.deepEqual(await objects.bulkUpdate(all, ['bought'], { batchSize: 100 }), { updated: 250 });
    assert.equal(recorded.log.filter((s) => /^\s*UPDATE/i.test(s.sql)).length, 3);
    recorded.reset();
    await all[0].save();
    assert.equal(recorded.log.length, 0, 'the rows remember what bulkUpdate wrote');
  });
  assert.deepEqual(await rows(db, `SELECT count(*)::int AS n FROM shop_client WHERE bought = id * 2`), [{ n: 250 }]);
});

testOnEachTarget('rows written with explicit keys leave the key sequence past the largest key (seed 004)', async (db) => {
  const state = await given(db, 'shop', store);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    await objects.bulkCreate([{ id: 10, name: 'Ten' }, { id: 20, name: 'Twenty' }]);
    await objects.create({ id: 25, name: 'Twenty-five' });
  });
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    const next = await objects.create({ name: 'Next' });
    assert.equal(next.id, 26);
  });
  // Plain SQL inserts after the migration do not collide either.
  await db.query(`INSERT INTO shop_client (name) VALUES ('Raw')`);
  assert.deepEqual(await rows(db, `SELECT id::int AS id FROM shop_client WHERE name = 'Raw'`), [{ id: 27 }]);
});

testOnEachTarget('the key sequence is never moved backwards', async (db) => {
  const state = await given(db, 'shop', store);
  await db.query(`INSERT INTO shop_client (name) SELECT 'c' || g FROM generate_series(1, 50) g`);
  await db.query(`DELETE FROM shop_client WHERE id > 5`);
  await run(db, state, async ({ apps }) => {
    await apps.getModel('shop', 'Client').objects.create({ id: 3000, name: 'far' });
    await apps.getModel('shop', 'Client').objects.filter({ id: 3000 }).delete();
    await apps.getModel('shop', 'Client').objects.create({ id: 4, name: 'low' }).catch(() => undefined);
  });
  await db.query(`INSERT INTO shop_client (name) VALUES ('Raw')`);
  assert.deepEqual(await rows(db, `SELECT id::int AS id FROM shop_client WHERE name = 'Raw'`), [{ id: 51 }]);
});

testOnEachTarget('bulkCreate() rows may give different fields; defaults fill the rest', async (db) => {
  const state = await given(db, 'shop', [
    ops.createModel({
      name: 'Event',
      fields: { id: f.bigAuto({ primaryKey: true }), eventId: f.char({ maxLength: 20, unique: true }), kind: f.char({ maxLength: 10, default: 'create' }), at: f.dateTime({ null: true }) },
    }),
  ]);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Event');
    const result = await objects.bulkCreate([{ eventId: 'a' }, { eventId: 'b', kind: 'delete' }, { eventId: 'c', at: new Date(0) }]);
    assert.deepEqual(result, { inserted: 3, skipped: 0, updated: 0 });
    assert.deepEqual(await objects.orderBy('eventId').values('eventId', 'kind', 'at').toArray(), [
      { eventId: 'a', kind: 'create', at: null },
      { eventId: 'b', kind: 'delete', at: null },
      { eventId: 'c', kind: 'create', at: new Date(0) },
    ]);
  });
});
