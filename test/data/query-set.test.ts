import assert from 'node:assert/strict';
import type { Connection } from '../../src/backends/base/connection.js';
import { DoesNotExistError, InvalidValueError, MultipleObjectsReturnedError, UnknownNameError } from '../../src/data/errors.js';
import { f } from '../../src/model/fields.js';
import { ops } from '../../src/operations/ops.js';
import type { RunCodeContext } from '../../src/operations/types.js';
import { store } from './fixtures.js';
import { given, recording, rows, run, testOnEachTarget } from './helpers.js';

/** The store with Ada (2 computers), Bob (1), Cy (none, bought NULL), and `extra` rows. */
async function shop(db: Connection) {
  const state = await given(db, 'shop', store);
  await db.query(`INSERT INTO shop_client (name, bought) VALUES ('Ada', 2), ('Bob', 1), ('Cy', NULL), ('Di_%', 0)`);
  await db.query(`INSERT INTO shop_computer (brand, bought_by_id) VALUES ('Dell', 1), ('HP', 1), ('Apple', 2)`);
  return state;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const names = async (qs: AsyncIterable<Record<string, any>>) => {
  const out: string[] = [];
  for await (const row of qs) out.push(row.name);
  return out;
};

testOnEachTarget('all() streams every row in primary-key order, fields by their TypeScript names', async (db) => {
  const state = await shop(db);
  await run(db, state, async ({ apps }) => {
    const Client = apps.getModel('shop', 'Client');
    const seen: unknown[] = [];
    for await (const c of Client.objects.all()) seen.push({ ...c });
    assert.deepEqual(seen, [
      { id: 1, name: 'Ada', bought: 2 },
      { id: 2, name: 'Bob', bought: 1 },
      { id: 3, name: 'Cy', bought: null },
      { id: 4, name: 'Di_%', bought: 0 },
    ]);
    assert.deepEqual(Client.fields, ['id', 'name', 'bought']);
    assert.equal(Client.pk, 'id');
    assert.equal(Client.table, 'shop_client');
  });
});

testOnEachTarget('filter() supports equality, null and every lookup of the spec', async (db) => {
  const state = await shop(db);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    assert.deepEqual(await names(objects.filter({ name: 'Bob' })), ['Bob']);
    assert.deepEqual(await names(objects.filter({ bought: null })), ['Cy']);
    assert.deepEqual(await names(objects.filter({ name__in: ['Cy', 'Ada', 'Nobody'] })), ['Ada', 'Cy']);
    assert.deepEqual(await names(objects.filter({ name__in: [] })), []);
    assert.deepEqual(await names(objects.filter({ bought__isNull: true })), ['Cy']);
    assert.deepEqual(await names(objects.filter({ bought__isNull: false })), ['Ada', 'Bob', 'Di_%']);
    assert.deepEqual(await names(objects.filter({ bought__gt: 1 })), ['Ada']);
    assert.deepEqual(await names(objects.filter({ bought__gte: 1 })), ['Ada', 'Bob']);
    assert.deepEqual(await names(objects.filter({ bought__lt: 1 })), ['Di_%']);
    assert.deepEqual(await names(objects.filter({ bought__lte: 1 })), ['Bob', 'Di_%']);
    assert.deepEqual(await names(objects.filter({ name__contains: 'o' })), ['Bob']);
    assert.deepEqual(await names(objects.filter({ name__startsWith: 'A' })), ['Ada']);
    assert.deepEqual(await names(objects.filter({ pk: 2 })), ['Bob']);
    assert.deepEqual(await names(objects.filter({ id__in: [1, 4] })), ['Ada', 'Di_%']);
  });
});

testOnEachTarget('contains and startsWith match LIKE wildcards literally and are case-sensitive', async (db) => {
  const state = await shop(db);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    assert.deepEqual(await names(objects.filter({ name__contains: '_%' })), ['Di_%']);
    assert.deepEqual(await names(objects.filter({ name__contains: '%' })), ['Di_%']);
    assert.deepEqual(await names(objects.filter({ name__startsWith: 'D_' })), []);
    assert.deepEqual(await names(objects.filter({ name__startsWith: 'a' })), []);
  });
});

testOnEachTarget('filter() calls chain with AND, and a query set is immutable', async (db) => {
  const state = await shop(db);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    const some = objects.filter({ bought__gte: 1 });
    const narrower = some.filter({ name: 'Bob' });
    assert.deepEqual(await names(some), ['Ada', 'Bob']);
    assert.deepEqual(await names(narrower), ['Bob']);
    assert.deepEqual(await names(objects.filter({ bought__gte: 1, name__startsWith: 'A' })), ['Ada']);
  });
});

testOnEachTarget('exclude() drops the rows matching all its keys and keeps rows where they are NULL', async (db) => {
  const state = await shop(db);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    assert.deepEqual(await names(objects.exclude({ bought: 1 })), ['Ada', 'Cy', 'Di_%']);
    assert.deepEqual(await names(objects.exclude({ bought__gte: 1, name: 'Ada' })), ['Bob', 'Cy', 'Di_%']);
    assert.deepEqual(await names(objects.exclude({ bought: null })), ['Ada', 'Bob', 'Di_%']);
  });
});

testOnEachTarget('orderBy() orders by several fields, "-" for descending, and streams in that order', async (db) => {
  const state = await shop(db);
  await db.query(`INSERT INTO shop_client (name, bought) VALUES ('Eve', 1)`);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    assert.deepEqual(await names(objects.filter({ bought__isNull: false }).orderBy('bought', '-name')), ['Di_%', 'Eve', 'Bob', 'Ada']);
    assert.deepEqual((await objects.orderBy('-id').toArray()).map((c) => c.name), ['Eve', 'Di_%', 'Cy', 'Bob', 'Ada']);
    assert.equal((await objects.orderBy('-bought').first())?.name, 'Cy', 'NULLs sort first in descending order, as in PostgreSQL');
  });
});

testOnEachTarget('a model with an ordering option is read in that order by default', async (db) => {
  const state = await given(db, 'shop', [
    ops.createModel({ name: 'Tag', fields: { id: f.bigAuto({ primaryKey: true }), name: f.text() }, options: { ordering: ['-name'] } }),
  ]);
  await db.query(`INSERT INTO shop_tag (name) VALUES ('b'), ('c'), ('a')`);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Tag');
    assert.deepEqual(await names(objects.all()), ['c', 'b', 'a']);
    assert.equal((await objects.first())?.name, 'c');
  });
});

testOnEachTarget('first() gives the first row in order or null; count() and exists() count', async (db) => {
  const state = await shop(db);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    assert.equal((await objects.first())?.name, 'Ada');
    assert.equal((await objects.filter({ bought__gt: 1000 }).first()), null);
    assert.equal(await objects.count(), 4);
    assert.equal(await objects.filter({ bought__gte: 1 }).count(), 2);
    assert.equal(await objects.filter({ name: 'Ada' }).exists(), true);
    assert.equal(await objects.filter({ name: 'Zed' }).exists(), false);
  });
});

testOnEachTarget('get() returns exactly one row, else DoesNotExist or MultipleObjectsReturned naming the model and the lookup', async (db) => {
  const state = await shop(db);
  await run(db, state, async ({ apps }) => {
    const Client = apps.getModel('shop', 'Client');
    assert.equal((await Client.objects.get({ name: 'Bob' })).id, 2);
    assert.equal((await Client.objects.filter({ name: 'Bob' }).get()).id, 2);
    await assert.rejects(Client.objects.get({ name: 'Accept/Reject' }), (error: unknown) => {
      assert.ok(error instanceof DoesNotExistError && error instanceof Client.DoesNotExist);
      assert.match(error.message, /shop\.Client matching \{ name: "Accept\/Reject" \} does not exist/);
      return true;
    });
    await assert.rejects(Client.objects.get({ bought__gte: 1 }), (error: unknown) => {
      assert.ok(error instanceof MultipleObjectsReturnedError);
      assert.match(error.message, /more than one shop\.Client for \{ bought__gte: 1 \}: it matched 2 rows/);
      return true;
    });
  });
});

testOnEachTarget('values() gives plain objects of the named fields, a foreign key as its key', async (db) => {
  const state = await shop(db);
  await run(db, state, async ({ apps }) => {
    const Client = apps.getModel('shop', 'Client');
    const Computer = apps.getModel('shop', 'Computer');
    assert.deepEqual(await Client.objects.filter({ bought__gte: 1 }).values('name', 'bought').toArray(), [
      { name: 'Ada', bought: 2 }, { name: 'Bob', bought: 1 },
    ]);
    assert.deepEqual(await Computer.objects.orderBy('brand').values('brand', 'boughtBy').toArray(), [
      { brand: 'Apple', boughtBy: 2 }, { brand: 'Dell', boughtBy: 1 }, { brand: 'HP', boughtBy: 1 },
    ]);
    assert.deepEqual(await Computer.objects.filter({ brand: 'HP' }).values().first(), { id: 2, brand: 'HP', boughtById: 1 });
    const streamed: unknown[] = [];
    for await (const row of Client.objects.values('name').orderBy('-id')) streamed.push(row);
    assert.deepEqual(streamed, [{ name: 'Di_%' }, { name: 'Cy' }, { name: 'Bob' }, { name: 'Ada' }]);
  });
});

testOnEachTarget('update() is one UPDATE statement whatever the number of rows, and returns the rows changed', async (db) => {
  const state = await shop(db);
  const recorded = recording(db);
  await run(recorded, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    recorded.reset();
    assert.equal(await objects.filter({ bought: null }).update({ bought: 0 }), 1);
    assert.equal(await objects.all().update({ bought: 7 }), 4);
  });
  const updates = recorded.log.filter((s) => /^\s*UPDATE/i.test(s.sql));
  assert.equal(updates.length, 2);
  assert.deepEqual(await rows(db, 'SELECT DISTINCT bought FROM shop_client'), [{ bought: 7 }]);
});

testOnEachTarget('delete() is one DELETE statement and cascades along foreign keys in the database', async (db) => {
  const state = await shop(db);
  const recorded = recording(db);
  await run(recorded, state, async ({ apps }) => {
    const Client = apps.getModel('shop', 'Client');
    recorded.reset();
    assert.equal(await Client.objects.filter({ name__in: ['Ada', 'Bob'] }).delete(), 2);
    assert.equal(recorded.log.filter((s) => /^\s*DELETE/i.test(s.sql)).length, 1);
    assert.equal(await apps.getModel('shop', 'Computer').objects.count(), 0);
    assert.equal(await Client.objects.all().delete(), 2);
  });
  assert.deepEqual(await rows(db, 'SELECT count(*)::int AS n FROM shop_client'), [{ n: 0 }]);
});

testOnEachTarget('create() inserts one row and returns it with its key; missing fields take their defaults', async (db) => {
  const state = await given(db, 'shop', [
    ops.createModel({
      name: 'Ticket',
      fields: {
        id: f.bigAuto({ primaryKey: true }),
        title: f.text(),
        status: f.char({ maxLength: 10, default: 'open' }),
        tags: f.json({ default: ['new'] }),
        token: f.uuid({ default: f.uuid4 }),
        openedAt: f.dateTime({ default: f.now }),
        priority: f.integer({ dbDefault: 3 }),
        note: f.text({ null: true }),
      },
    }),
  ]);
  await run(db, state, async ({ apps }) => {
    const Ticket = apps.getModel('shop', 'Ticket');
    const before = Date.now();
    const a = await Ticket.objects.create({ title: 'first' });
    const b = await Ticket.objects.create({ title: 'second', status: 'closed', priority: 1 });
    assert.equal(a.id, 1);
    assert.equal(b.id, 2);
    assert.equal(a.status, 'open');
    assert.deepEqual(a.tags, ['new']);
    assert.match(a.token, /^[0-9a-f-]{36}$/);
    assert.notEqual(a.token, b.token, 'f.uuid4 runs per row');
    assert.ok(a.openedAt instanceof Date && a.openedAt.getTime() >= before - 1000);
    assert.equal(a.priority, 3, 'a dbDefault is left to the database');
    assert.equal(b.priority, 1);
    assert.equal(a.note, null);
    assert.equal(b.status, 'closed');
  });
});

testOnEachTarget('save() writes only the fields that changed, and nothing when none did', async (db) => {
  const state = await shop(db);
  const recorded = recording(db);
  await run(recorded, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    const bob = await objects.get({ name: 'Bob' });
    recorded.reset();
    await bob.save();
    assert.equal(recorded.log.filter((s) => /UPDATE/.test(s.sql)).length, 0);
    bob.bought = 5;
    await bob.save();
    const update = recorded.log.filter((s) => /UPDATE/.test(s.sql));
    assert.equal(update.length, 1);
    assert.match(update[0].sql, /SET "bought" = \$1 WHERE/);
    assert.doesNotMatch(update[0].sql, /"name"/);
    assert.equal((await objects.get({ name: 'Bob' })).bought, 5);
    assert.equal(await bob.delete(), 1);
    assert.equal(await objects.filter({ name: 'Bob' }).exists(), false);
  });
});

testOnEachTarget('getOrCreate() finds the row, or creates it from the lookup and the defaults', async (db) => {
  const state = await shop(db);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    const found = await objects.getOrCreate({ name: 'Ada' }, { bought: 99 });
    assert.equal(found.created, false);
    assert.equal(found.row.bought, 2);
    const made = await objects.getOrCreate({ name: 'Zoe' }, { bought: 99 });
    assert.equal(made.created, true);
    assert.deepEqual({ ...made.row }, { id: 5, name: 'Zoe', bought: 99 });
    assert.equal((await objects.getOrCreate({ name: 'Zoe' })).created, false);
    await assert.rejects(objects.getOrCreate({ bought__gte: 1 }), MultipleObjectsReturnedError);
  });
});

testOnEachTarget('toArray() loads every matching row in order', async (db) => {
  const state = await shop(db);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    assert.deepEqual((await objects.filter({ bought__gte: 0 }).orderBy('-bought').toArray()).map((c) => c.name), ['Ada', 'Bob', 'Di_%']);
  });
});

testOnEachTarget('an unknown field or lookup is an error that names what exists', async (db) => {
  const state = await shop(db);
  await run(db, state, async ({ apps }: RunCodeContext) => {
    const { objects } = apps.getModel('shop', 'Computer');
    assert.throws(() => objects.filter({ colour: 'red' }), (error: unknown) => {
      assert.ok(error instanceof UnknownNameError);
      assert.match(error.message, /shop\.Computer has no field colour .*its fields are id, brand, boughtBy \(boughtById\)/);
      return true;
    });
    assert.throws(() => objects.filter({ brand__like: 'x' }), /unknown lookup 'like' in 'brand__like'; the lookups are in, isNull, gt, gte, lt, lte, contains, startsWith/);
    assert.throws(() => objects.filter({ boughtBy__name: 'Ada' }), /would follow the relation shop\.Computer\.boughtBy/);
    assert.throws(() => objects.filter({ brand: { isNull: true } }), /lookups are written as key suffixes, e\.g\. \{ brand__isNull: \.\.\. \}/);
    assert.throws(() => objects.orderBy('price'), /has no field price/);
    assert.throws(() => objects.values('owner'), /has no field owner/);
    await assert.rejects(objects.create({ brand: 'x', boughtBy: 1, colour: 'red' }), /has no field colour/);
    await assert.rejects(objects.all().update({ colour: 'red' }), /has no field colour/);
    assert.throws(() => objects.filter({ brand__gt: null }), InvalidValueError);
  });
});
