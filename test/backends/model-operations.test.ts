import assert from 'node:assert/strict';
import { f } from '../../src/model/fields.js';
import { check, index, unique } from '../../src/model/model.js';
import { ops } from '../../src/operations/ops.js';
import { ProjectState } from '../../src/state/project-state.js';
import { applyForwards } from '../support/apply-operations.js';
import { assertRoundTrip, assertSchemaMatches, given, rows, testOnEachTarget } from './helpers.js';

const pk = { id: f.bigAuto({ primaryKey: true }) };

const everyKind = ops.createModel({
  name: 'Everything',
  fields: {
    id: f.auto({ primaryKey: true }),
    char: f.char({ maxLength: 40 }),
    text: f.text({ null: true }),
    slug: f.slug(),
    email: f.email(),
    url: f.url(),
    integer: f.integer(),
    bigInteger: f.bigInteger(),
    smallInteger: f.smallInteger(),
    positiveInteger: f.positiveInteger(),
    float: f.float(),
    decimal: f.decimal({ maxDigits: 10, decimalPlaces: 2 }),
    boolean: f.boolean(),
    date: f.date(),
    time: f.time(),
    dateTime: f.dateTime(),
    duration: f.duration(),
    uuid: f.uuid(),
    json: f.json(),
    binary: f.binary(),
  },
});

testOnEachTarget('createModel creates a column of the right type for every field kind and deleteModel drops it', async (db) => {
  await assertRoundTrip(db, ProjectState.empty(), 'shop', [everyKind]);
});

testOnEachTarget('createModel maps field kinds to the PostgreSQL types Django users expect', async (db) => {
  await applyForwards(db, ProjectState.empty(), 'shop', [everyKind]);
  const types = await rows<{ column_name: string; data_type: string }>(
    db,
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'shop_everything' ORDER BY ordinal_position`,
  );
  assert.deepEqual(Object.fromEntries(types.map((t) => [t.column_name, t.data_type])), {
    id: 'integer', char: 'character varying', text: 'text', slug: 'character varying', email: 'character varying',
    url: 'character varying', integer: 'integer', big_integer: 'bigint', small_integer: 'smallint', positive_integer: 'integer',
    float: 'double precision', decimal: 'numeric', boolean: 'boolean', date: 'date', time: 'time without time zone',
    date_time: 'timestamp with time zone', duration: 'interval', uuid: 'uuid', json: 'jsonb', binary: 'bytea',
  });
});

testOnEachTarget('small and big auto keys are identity columns that accept explicit keys', async (db) => {
  await applyForwards(db, ProjectState.empty(), 'shop', [
    ops.createModel({ name: 'Small', fields: { id: f.smallAuto({ primaryKey: true }) } }),
    ops.createModel({ name: 'Big', fields: { ...pk } }),
  ]);
  await db.query('INSERT INTO shop_small DEFAULT VALUES');
  await db.query('INSERT INTO shop_big (id) VALUES (100)');
  assert.deepEqual(await rows(db, 'SELECT id FROM shop_small'), [{ id: 1 }]);
  const [big] = await rows<{ identity: string }>(db, `SELECT is_identity AS identity FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'shop_big'`);
  assert.equal(big.identity, 'YES');
});

const client = ops.createModel({ name: 'Client', fields: { ...pk, name: f.char({ maxLength: 100 }) } });

testOnEachTarget('createModel with every model option creates the constraints, indexes and comments of the state', async (db) => {
  const before = await given(db, 'shop', [client]);
  await assertRoundTrip(db, before, 'shop', [
    ops.createModel({
      name: 'Computer',
      fields: {
        ...pk,
        brand: f.char({ maxLength: 50, dbComment: 'Maker name' }),
        serial: f.char({ maxLength: 50, unique: true }),
        status: f.char({ maxLength: 10, dbDefault: 'new', dbIndex: true }),
        deletedAt: f.dateTime({ null: true }),
        boughtBy: f.foreignKey('Client', { onDelete: 'cascade', relatedName: 'computers' }),
        soldBy: f.foreignKey('Client', { onDelete: 'setNull', null: true, relatedName: '+' }),
        replaces: f.oneToOne('Computer', { onDelete: 'protect', null: true }),
        owners: f.manyToMany('Client', { relatedName: 'owned' }),
        parts: f.manyToMany('Computer'),
      },
      options: {
        dbComment: 'A computer someone bought',
        uniqueTogether: [['brand', 'boughtBy']],
        indexes: [index(['brand', '-deletedAt'], { name: 'computer_brand_idx' }), index(['status'], { name: 'computer_live_idx', condition: 'deleted_at IS NULL' })],
        constraints: [
          unique(['serial', 'brand'], { name: 'computer_serial_brand_uniq' }),
          unique(['brand'], { name: 'computer_live_brand_uniq', condition: 'deleted_at IS NULL' }),
          check("brand <> ''", { name: 'computer_brand_not_empty' }),
          check("status IN ('new', 'used')", { name: 'computer_status_known' }),
        ],
      },
    }),
  ]);
});

testOnEachTarget('foreign keys are deferrable, initially deferred, and enforce onDelete in the database', async (db) => {
  await given(db, 'shop', [
    client,
    ops.createModel({ name: 'Order', fields: { ...pk, client: f.foreignKey('Client', { onDelete: 'cascade' }) } }),
  ]);
  await db.query('BEGIN');
  await db.query('INSERT INTO shop_order (client_id) VALUES (1)');
  await db.query(`INSERT INTO shop_client (id, name) VALUES (1, 'Ada')`);
  await db.query('COMMIT');
  await db.query('DELETE FROM shop_client');
  assert.deepEqual(await rows(db, 'SELECT * FROM shop_order'), []);
});

testOnEachTarget('deleteModel drops the table with its join tables, and reversing recreates them', async (db) => {
  const before = await given(db, 'shop', [
    client,
    ops.createModel({ name: 'Group', fields: { ...pk, members: f.manyToMany('Client') } }),
  ]);
  const after = await assertRoundTrip(db, before, 'shop', [ops.deleteModel({ name: 'Group' })]);
  assert.equal(after.find('shop', 'Group'), undefined);
});

testOnEachTarget('renameModel renames the table, its join tables, the join columns that point at it and its generated names', async (db) => {
  const before = await given(db, 'shop', [
    client,
    ops.createModel({ name: 'Tag', fields: { ...pk, clients: f.manyToMany('Client') } }),
    ops.createModel({
      name: 'Order',
      fields: { ...pk, code: f.char({ maxLength: 10, unique: true }), client: f.foreignKey('Client', { onDelete: 'cascade' }) },
    }),
  ]);
  await assertRoundTrip(db, before, 'shop', [
    ops.renameModel({ oldName: 'Client', newName: 'Customer' }),
    ops.renameModel({ oldName: 'Order', newName: 'Purchase' }),
  ]);
});

testOnEachTarget('a model renamed away leaves no names behind: a new model with the old name can be created', async (db) => {
  const before = await given(db, 'shop', [
    client,
    ops.createModel({ name: 'Order', fields: { ...pk, code: f.char({ maxLength: 10, unique: true, dbIndex: true }), client: f.foreignKey('Client', { onDelete: 'cascade' }), tags: f.manyToMany('Client') } }),
  ]);
  await assertRoundTrip(db, before, 'shop', [
    ops.renameModel({ oldName: 'Order', newName: 'Purchase' }),
    ops.createModel({ name: 'Order', fields: { ...pk, code: f.char({ maxLength: 10, unique: true }), client: f.foreignKey('Client', { onDelete: 'cascade' }), tags: f.manyToMany('Client') } }),
  ]);
});

testOnEachTarget('renameModel keeps the rows and the foreign keys that point at the model', async (db) => {
  const before = await given(db, 'shop', [
    client,
    ops.createModel({ name: 'Order', fields: { ...pk, client: f.foreignKey('Client', { onDelete: 'cascade' }) } }),
  ]);
  await db.query(`INSERT INTO shop_client (id, name) VALUES (1, 'Ada')`);
  await db.query('INSERT INTO shop_order (client_id) VALUES (1)');
  await applyForwards(db, before, 'shop', [ops.renameModel({ oldName: 'Client', newName: 'Customer' })]);
  await assert.rejects(db.query('INSERT INTO shop_order (client_id) VALUES (2)'), /foreign key/);
  assert.deepEqual(await rows(db, 'SELECT name FROM shop_customer'), [{ name: 'Ada' }]);
});

testOnEachTarget('renaming a model with a many-to-many field to itself renames both join columns', async (db) => {
  const before = await given(db, 'shop', [
    ops.createModel({ name: 'Person', fields: { ...pk, friends: f.manyToMany('Person') } }),
  ]);
  await assertRoundTrip(db, before, 'shop', [ops.renameModel({ oldName: 'Person', newName: 'Member' })]);
});

testOnEachTarget('alterModelTable moves the table and its join tables to the new name', async (db) => {
  const before = await given(db, 'shop', [
    client,
    ops.createModel({ name: 'Group', fields: { ...pk, members: f.manyToMany('Client') } }),
  ]);
  await assertRoundTrip(db, before, 'shop', [ops.alterModelTable({ name: 'Group', table: 'legacy_groups' })]);
});

testOnEachTarget('alterModelOptions sets and removes the table comment', async (db) => {
  const before = await given(db, 'shop', [client]);
  await assertRoundTrip(db, before, 'shop', [ops.alterModelOptions({ name: 'Client', options: { dbComment: 'People who buy' } })]);
});

testOnEachTarget('alterUniqueTogether adds new sets and drops removed ones', async (db) => {
  const before = await given(db, 'shop', [
    ops.createModel({
      name: 'Seat',
      fields: { ...pk, row: f.integer(), number: f.integer(), hall: f.char({ maxLength: 5 }) },
      options: { uniqueTogether: [['row', 'number']] },
    }),
  ]);
  await assertRoundTrip(db, before, 'shop', [
    ops.alterUniqueTogether({ name: 'Seat', uniqueTogether: [['hall', 'row', 'number']] }),
  ]);
});

testOnEachTarget('unmanaged models are recorded but their tables are never created', async (db) => {
  const state = await applyForwards(db, ProjectState.empty(), 'shop', [
    ops.createModel({ name: 'Legacy', fields: { ...pk }, options: { managed: false } }),
  ]);
  await assertSchemaMatches(db, state, 'after creating an unmanaged model');
  assert.deepEqual(await rows(db, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`), []);
});
