import assert from 'node:assert/strict';
import { IntegrityError, MigrationFailedError } from '../../src/errors/index.js';
import { f } from '../../src/model/fields.js';
import { ops } from '../../src/operations/ops.js';
import type { RunCodeContext } from '../../src/operations/types.js';
import { store } from './fixtures.js';
import { given, migrate, migrationOf, rows, run, testOnEachTarget } from './helpers.js';

/** Seed 000: create.Event rows move into generic.Event, whose event_id is unique. */
const events = [
  ops.createModel({ name: 'CreateEvent', fields: { id: f.bigAuto({ primaryKey: true }), eventId: f.char({ maxLength: 40 }), payload: f.text() } }),
  ops.createModel({ name: 'Event', fields: { id: f.bigAuto({ primaryKey: true }), eventId: f.char({ maxLength: 40, unique: true }), payload: f.text() } }),
];

testOnEachTarget('seed 000: a unique violation caught in a data migration does not poison the transaction', async (db) => {
  const state = await given(db, 'generic', events);
  await db.query(`INSERT INTO generic_event (event_id, payload) VALUES ('dup', 'already there')`);
  await db.query(`INSERT INTO generic_create_event (event_id, payload) VALUES ('a', '1'), ('dup', '2'), ('b', '3')`);
  const ignored: IntegrityError[] = [];
  await run(db, state, async ({ apps }) => {
    const Source = apps.getModel('generic', 'CreateEvent');
    const Event = apps.getModel('generic', 'Event');
    for await (const source of Source.objects.all()) {
      const { id: _id, ...fields } = source;
      try {
        await Event.objects.create(fields);
      } catch (error) {
        if (!(error instanceof IntegrityError)) throw error;
        ignored.push(error);
      }
    }
  });
  assert.equal(ignored.length, 1);
  assert.deepEqual(await rows(db, `SELECT event_id, payload FROM generic_event ORDER BY event_id`), [
    { event_id: 'a', payload: '1' }, { event_id: 'b', payload: '3' }, { event_id: 'dup', payload: 'already there' },
  ]);
});

testOnEachTarget('an IntegrityError carries the violation, constraint, table, columns, key, model, fields and the database message', async (db) => {
  const state = await given(db, 'generic', events);
  await db.query(`INSERT INTO generic_event (event_id, payload) VALUES ('the-duplicate-key', 'x')`);
  await run(db, state, async ({ apps }) => {
    const Event = apps.getModel('generic', 'Event');
    const error = await Event.objects.create({ eventId: 'the-duplicate-key', payload: 'y' }).catch((e: unknown) => e);
    assert.ok(error instanceof IntegrityError);
    assert.equal(error.code, 'IntegrityError');
    assert.equal(error.violation, 'unique');
    assert.equal(error.sqlState, '23505');
    assert.equal(error.table, 'generic_event');
    assert.match(error.constraint ?? '', /^generic_event_event_id/);
    assert.deepEqual(error.columns, ['event_id']);
    assert.equal(error.key, '(event_id)=(the-duplicate-key)');
    assert.equal(error.model, 'generic.Event');
    assert.deepEqual(error.fields, ['eventId']);
    assert.match(error.databaseMessage, /duplicate key value violates unique constraint "generic_event_event_id/);
    assert.equal(error.databaseDetail, 'Key (event_id)=(the-duplicate-key) already exists.');
    assert.match(error.message, /IntegrityError while inserting into generic\.Event: duplicate key value .*Key \(event_id\)=\(the-duplicate-key\) already exists/);
    assert.match(error.hint ?? '', /catch IntegrityError/);
    assert.equal(await Event.objects.count(), 1, 'the transaction still works');
  });
});

testOnEachTarget('a not-null violation is an IntegrityError naming the column and field', async (db) => {
  const state = await given(db, 'generic', events);
  await run(db, state, async ({ apps }) => {
    const Event = apps.getModel('generic', 'Event');
    const error = await Event.objects.create({ eventId: 'x' }).catch((e: unknown) => e);
    assert.ok(error instanceof IntegrityError);
    assert.equal(error.violation, 'not-null');
    assert.deepEqual(error.columns, ['payload']);
    assert.deepEqual(error.fields, ['payload']);
    const row = await Event.objects.create({ eventId: 'x', payload: 'p' });
    row.eventId = null;
    await assert.rejects(row.save(), (e: unknown) => e instanceof IntegrityError && e.violation === 'not-null');
    await assert.rejects(Event.objects.all().update({ payload: null }), IntegrityError);
  });
});

testOnEachTarget('every kind of write runs under a savepoint: a failed update, save, bulkCreate or delete leaves the transaction usable', async (db) => {
  const state = await given(db, 'shop', [
    store[0],
    ops.createModel({
      name: 'Order',
      fields: { id: f.bigAuto({ primaryKey: true }), client: f.foreignKey('shop.Client', { onDelete: 'protect' }) },
    }),
  ]);
  await db.query(`INSERT INTO shop_client (name) VALUES ('Ada'), ('Bob')`);
  await db.query(`INSERT INTO shop_order (client_id) VALUES (1)`);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    const protectedRow = await objects.get({ name: 'Ada' });
    await assert.rejects(protectedRow.delete(), (e: unknown) => e instanceof IntegrityError && e.violation === 'foreign-key');
    await assert.rejects(objects.filter({ name: 'Ada' }).delete(), IntegrityError);
    await assert.rejects(objects.filter({ name: 'Bob' }).update({ name: 'Ada' }), IntegrityError);
    const bob = await objects.get({ name: 'Bob' });
    bob.name = 'Ada';
    await assert.rejects(bob.save(), IntegrityError);
    await assert.rejects(objects.bulkCreate([{ name: 'Ada' }]), IntegrityError);
    const { row, created } = await objects.getOrCreate({ name: 'Cy' });
    assert.equal(created, true);
    assert.equal(row.name, 'Cy');
    assert.equal(await objects.count(), 3);
  });
  assert.deepEqual(await rows(db, `SELECT name FROM shop_client ORDER BY id`), [{ name: 'Ada' }, { name: 'Bob' }, { name: 'Cy' }]);
});

testOnEachTarget('an uncaught IntegrityError fails the migration naming the migration, the operation, the constraint and the key, and rolls it all back', async (db) => {
  const moveEvents = async function moveEvents({ apps }: RunCodeContext) {
    const Event = apps.getModel('generic', 'Event');
    await Event.objects.create({ eventId: 'same', payload: '1' });
    await Event.objects.create({ eventId: 'same', payload: '2' });
  };
  const error = await migrate(db, [
    migrationOf('generic', '0001_initial', [events[1], ops.runCode({ forward: moveEvents, reverse: ops.noop })]),
  ]).catch((e: unknown) => e);
  assert.ok(error instanceof MigrationFailedError);
  assert.match(error.message, /Applying generic\.0001_initial failed at operation 2 of 2 \(Run code moveEvents\)/);
  assert.match(error.message, /unique constraint "generic_event_event_id_[a-z0-9_]+"/);
  assert.match(error.message, /Key \(event_id\)=\(same\) already exists/);
  assert.match(error.databaseState ?? '', /the whole migration was rolled back; generic\.0001_initial is not applied/);
  assert.match(error.hint ?? '', /catch IntegrityError/);
  assert.ok(error.cause instanceof IntegrityError);
  assert.deepEqual(await rows(db, `SELECT to_regclass('generic_event') AS t`), [{ t: null }]);
  assert.deepEqual(await rows(db, `SELECT count(*)::int AS n FROM sediment_migrations`), [{ n: 0 }]);
});

testOnEachTarget('a non-atomic runCode in a non-atomic migration commits each write as it goes', async (db) => {
  const base = migrationOf('shop', '0001_initial', store);
  await migrate(db, [base]);
  const fill = migrationOf('shop', '0002_fill', [
    ops.runCode({
      atomic: false,
      forward: async function fill({ apps }) {
        const { objects } = apps.getModel('shop', 'Client');
        await objects.bulkCreate([{ name: 'a' }, { name: 'b' }]);
        await objects.create({ name: 'c' });
        await objects.create({ name: 'a' });
      },
    }),
  ], { atomic: false, dependencies: [['shop', '0001_initial']] });
  const error = await migrate(db, [base, fill]).catch((e: unknown) => e);
  assert.ok(error instanceof MigrationFailedError);
  assert.match(error.databaseState ?? '', /the rows this operation wrote before the error were committed/);
  assert.deepEqual(await rows(db, `SELECT name FROM shop_client ORDER BY id`), [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
  assert.deepEqual(await rows(db, `SELECT name FROM sediment_migrations ORDER BY name`), [{ name: '0001_initial' }]);
});

testOnEachTarget('an atomic runCode in a non-atomic migration runs in a transaction of its own', async (db) => {
  const base = migrationOf('shop', '0001_initial', store);
  const fill = migrationOf('shop', '0002_fill', [
    ops.runCode({
      forward: async ({ apps }) => {
        const { objects } = apps.getModel('shop', 'Client');
        await objects.create({ name: 'kept?' });
        // A caught error inside the code's own transaction does not spoil it either.
        await objects.create({ name: 'kept?' }).catch(() => undefined);
        await objects.create({ name: 'also kept' });
      },
    }),
    ops.runCode({
      forward: async ({ apps }) => {
        await apps.getModel('shop', 'Client').objects.create({ name: 'rolled back' });
        throw new Error('boom');
      },
    }),
  ], { atomic: false, dependencies: [['shop', '0001_initial']] });
  const error = await migrate(db, [base, fill]).catch((e: unknown) => e);
  assert.ok(error instanceof MigrationFailedError);
  assert.match(error.message, /operation 2 of 2.*boom/);
  assert.deepEqual(await rows(db, `SELECT name FROM shop_client ORDER BY id`), [{ name: 'kept?' }, { name: 'also kept' }]);
});

testOnEachTarget('db (Kysely) shares the connection and transaction with the data API', async (db) => {
  const state = await given(db, 'shop', store);
  await run(db, state, async ({ apps, db: kysely }) => {
    const { objects } = apps.getModel('shop', 'Client');
    await objects.create({ name: 'Ada' });
    const seen = await kysely.selectFrom('shop_client').select('name').execute();
    assert.deepEqual(seen, [{ name: 'Ada' }]);
    await kysely.insertInto('shop_client').values({ name: 'Bob' }).execute();
    assert.equal(await objects.count(), 2);
    await kysely.transaction().execute(async (trx) => {
      await trx.insertInto('shop_client').values({ name: 'Cy' }).execute();
      await objects.create({ name: 'Di' });
    });
    await assert.rejects(kysely.transaction().execute(async (trx) => {
      await trx.insertInto('shop_client').values({ name: 'Eve' }).execute();
      throw new Error('undo Eve');
    }), /undo Eve/);
    assert.equal(await objects.count(), 4);
  });
  assert.deepEqual((await rows<{ name: string }>(db, `SELECT name FROM shop_client ORDER BY id`)).map((r) => r.name), ['Ada', 'Bob', 'Cy', 'Di']);
});

testOnEachTarget('writes started concurrently each keep their own savepoint: one failure spoils none of the others', async (db) => {
  const state = await given(db, 'shop', store);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Client');
    const results = await Promise.allSettled(['a', 'b', 'a', 'c', 'd'].map((name) => objects.create({ name })));
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    assert.ok((results[2] as PromiseRejectedResult).reason instanceof IntegrityError);
    assert.equal(await objects.count(), 4);
  });
  assert.deepEqual(await rows(db, `SELECT count(*)::int AS n FROM shop_client`), [{ n: 4 }]);
});
