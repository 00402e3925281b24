import assert from 'node:assert/strict';
import { f } from '../../src/model/fields.js';
import { ops } from '../../src/operations/ops.js';
import { InvalidDefinitionError } from '../../src/errors/index.js';
import { applyBackwards, applyForwards } from '../support/apply-operations.js';
import { assertRoundTrip, assertSchemaMatches, given, rows, testOnEachTarget } from './helpers.js';

const pk = { id: f.bigAuto({ primaryKey: true }) };
const client = ops.createModel({ name: 'Client', fields: { ...pk, name: f.char({ maxLength: 100 }) } });
const tag = ops.createModel({ name: 'Tag', fields: { ...pk, label: f.text() } });

async function withClients(db: Parameters<Parameters<typeof testOnEachTarget>[1]>[0], ...names: string[]) {
  for (const name of names) await db.query('INSERT INTO shop_client (name) VALUES ($1)', [name]);
}

// addField

testOnEachTarget('addField with a default fills the existing rows, then leaves no default on the column', async (db) => {
  const before = await given(db, 'shop', [client]);
  await withClients(db, 'Ada', 'Grace');
  await assertRoundTrip(db, before, 'shop', [ops.addField({ model: 'Client', name: 'visits', field: f.integer({ default: 7 }) })], {
    between: async () => {
      assert.deepEqual(await rows(db, 'SELECT visits FROM shop_client ORDER BY id'), [{ visits: 7 }, { visits: 7 }]);
    },
  });
});

testOnEachTarget('addField with a one-off default (preserveDefault: false) fills rows and records no default', async (db) => {
  const before = await given(db, 'shop', [client]);
  await withClients(db, 'Ada');
  const after = await assertRoundTrip(db, before, 'shop', [
    ops.addField({ model: 'Client', name: 'email', field: f.email({ default: 'unknown@example.com' }), preserveDefault: false }),
  ]);
  assert.equal((after.get('shop', 'Client').fields[2][1] as { default?: unknown }).default, undefined);
});

testOnEachTarget('addField with a dbDefault keeps the default in the database', async (db) => {
  const before = await given(db, 'shop', [client]);
  await withClients(db, 'Ada');
  await assertRoundTrip(db, before, 'shop', [
    ops.addField({ model: 'Client', name: 'status', field: f.char({ maxLength: 10, dbDefault: "it's new" }) }),
    ops.addField({ model: 'Client', name: 'settings', field: f.json({ dbDefault: { theme: 'dark', size: 2 } }) }),
    ops.addField({ model: 'Client', name: 'active', field: f.boolean({ dbDefault: true }) }),
  ], {
    between: async () => {
      await db.query(`INSERT INTO shop_client (name) VALUES ('Grace')`);
      assert.deepEqual(await rows(db, 'SELECT status, active FROM shop_client ORDER BY id'), [
        { status: "it's new", active: true }, { status: "it's new", active: true },
      ]);
    },
  });
});

testOnEachTarget('addField with f.now and f.uuid4 fills every existing row from the database', async (db) => {
  const before = await given(db, 'shop', [client]);
  await withClients(db, 'Ada', 'Grace');
  await assertRoundTrip(db, before, 'shop', [
    ops.addField({ model: 'Client', name: 'joined', field: f.dateTime({ default: f.now }) }),
    ops.addField({ model: 'Client', name: 'token', field: f.uuid({ default: f.uuid4, unique: true }) }),
  ], {
    between: async () => {
      const found = await rows<{ joined: unknown; token: string }>(db, 'SELECT joined, token FROM shop_client');
      assert.ok(found.every((row) => row.joined !== null));
      assert.equal(new Set(found.map((row) => row.token)).size, 2);
    },
  });
});

testOnEachTarget('addField of a foreign key adds the column, its constraint and its index', async (db) => {
  const before = await given(db, 'shop', [client, tag]);
  await assertRoundTrip(db, before, 'shop', [
    ops.addField({ model: 'Tag', name: 'owner', field: f.foreignKey('Client', { onDelete: 'cascade', null: true }) }),
    ops.addField({ model: 'Tag', name: 'parent', field: f.oneToOne('Tag', { onDelete: 'setNull', null: true }) }),
  ]);
});

testOnEachTarget('addField can close a circle of foreign keys between models created earlier', async (db) => {
  const before = await given(db, 'shop', [
    client,
    ops.createModel({ name: 'Address', fields: { ...pk, client: f.foreignKey('Client', { onDelete: 'cascade' }) } }),
  ]);
  await assertRoundTrip(db, before, 'shop', [
    ops.addField({ model: 'Client', name: 'mainAddress', field: f.foreignKey('Address', { onDelete: 'setNull', null: true }) }),
  ]);
});

testOnEachTarget('addField of a many-to-many field creates its join table', async (db) => {
  const before = await given(db, 'shop', [client, tag]);
  await assertRoundTrip(db, before, 'shop', [ops.addField({ model: 'Client', name: 'tags', field: f.manyToMany('Tag') })]);
});

testOnEachTarget('addField of a positive integer adds its check, which refuses negative values', async (db) => {
  const before = await given(db, 'shop', [client]);
  await assertRoundTrip(db, before, 'shop', [ops.addField({ model: 'Client', name: 'age', field: f.positiveInteger({ null: true }) })], {
    between: async () => {
      await assert.rejects(db.query(`INSERT INTO shop_client (name, age) VALUES ('x', -1)`), /check/);
    },
  });
});

testOnEachTarget('addField with a comment sets the column comment', async (db) => {
  const before = await given(db, 'shop', [client]);
  await assertRoundTrip(db, before, 'shop', [ops.addField({ model: 'Client', name: 'notes', field: f.text({ null: true, dbComment: 'Free text' }) })]);
});

// removeField

testOnEachTarget('removeField drops the column and reversing adds it back', async (db) => {
  const before = await given(db, 'shop', [
    client,
    ops.createModel({ name: 'Order', fields: { ...pk, code: f.char({ maxLength: 5, unique: true }), client: f.foreignKey('Client', { onDelete: 'cascade' }) } }),
  ]);
  await assertRoundTrip(db, before, 'shop', [
    ops.removeField({ model: 'Order', name: 'code' }),
    ops.removeField({ model: 'Order', name: 'client' }),
  ]);
});

testOnEachTarget('removeField of a many-to-many field drops its join table', async (db) => {
  const before = await given(db, 'shop', [tag, ops.createModel({ name: 'Client', fields: { ...pk, tags: f.manyToMany('Tag') } })]);
  await assertRoundTrip(db, before, 'shop', [ops.removeField({ model: 'Client', name: 'tags' })]);
});

// alterField

testOnEachTarget('alterField from integer to bigint keeps the data', async (db) => {
  const before = await given(db, 'shop', [ops.createModel({ name: 'Stock', fields: { ...pk, count: f.integer() } })]);
  await db.query('INSERT INTO shop_stock (count) VALUES (2147483647)');
  await applyForwards(db, before, 'shop', [ops.alterField({ model: 'Stock', name: 'count', field: f.bigInteger() })]);
  await db.query('UPDATE shop_stock SET count = count + 1');
  assert.deepEqual(await rows(db, 'SELECT count::text AS count FROM shop_stock'), [{ count: '2147483648' }]);
});

testOnEachTarget('alterField from integer to bigint and back matches the state each way', async (db) => {
  const before = await given(db, 'shop', [ops.createModel({ name: 'Stock', fields: { ...pk, count: f.integer() } })]);
  await db.query('INSERT INTO shop_stock (count) VALUES (5)');
  await assertRoundTrip(db, before, 'shop', [ops.alterField({ model: 'Stock', name: 'count', field: f.bigInteger() })]);
  assert.deepEqual(await rows(db, 'SELECT count FROM shop_stock'), [{ count: 5 }]);
});

testOnEachTarget('alterField from char to text keeps the data', async (db) => {
  const before = await given(db, 'shop', [client]);
  await withClients(db, 'Ada');
  await assertRoundTrip(db, before, 'shop', [ops.alterField({ model: 'Client', name: 'name', field: f.text() })], {
    between: async () => assert.deepEqual(await rows(db, 'SELECT name FROM shop_client'), [{ name: 'Ada' }]),
  });
});

testOnEachTarget('alterField from text to integer converts the values with a cast', async (db) => {
  const before = await given(db, 'shop', [ops.createModel({ name: 'Score', fields: { ...pk, points: f.text() } })]);
  await db.query(`INSERT INTO shop_score (points) VALUES ('42')`);
  await assertRoundTrip(db, before, 'shop', [ops.alterField({ model: 'Score', name: 'points', field: f.integer() })], {
    between: async () => assert.deepEqual(await rows(db, 'SELECT points FROM shop_score'), [{ points: 42 }]),
  });
});

testOnEachTarget('alterField from null to not null fills the NULLs with the new default first', async (db) => {
  const before = await given(db, 'shop', [ops.createModel({ name: 'Client', fields: { ...pk, bought: f.integer({ null: true }) } })]);
  await db.query('INSERT INTO shop_client (bought) VALUES (NULL), (3)');
  await assertRoundTrip(db, before, 'shop', [ops.alterField({ model: 'Client', name: 'bought', field: f.integer({ default: 0 }) })], {
    between: async () => assert.deepEqual(await rows(db, 'SELECT bought FROM shop_client ORDER BY id'), [{ bought: 0 }, { bought: 3 }]),
  });
});

testOnEachTarget('alterField turns unique on and off', async (db) => {
  const before = await given(db, 'shop', [client]);
  await assertRoundTrip(db, before, 'shop', [ops.alterField({ model: 'Client', name: 'name', field: f.char({ maxLength: 100, unique: true }) })]);
});

testOnEachTarget('alterField turns dbIndex on and off', async (db) => {
  const before = await given(db, 'shop', [client]);
  await assertRoundTrip(db, before, 'shop', [ops.alterField({ model: 'Client', name: 'name', field: f.char({ maxLength: 100, dbIndex: true }) })]);
});

testOnEachTarget('alterField changes dbDefault and dbComment', async (db) => {
  const before = await given(db, 'shop', [ops.createModel({ name: 'Client', fields: { ...pk, level: f.integer({ dbDefault: 1 }) } })]);
  await assertRoundTrip(db, before, 'shop', [ops.alterField({ model: 'Client', name: 'level', field: f.integer({ dbDefault: 2, dbComment: 'Loyalty level' }) })]);
});

testOnEachTarget('alterField to a positive integer adds the check and back drops it', async (db) => {
  const before = await given(db, 'shop', [ops.createModel({ name: 'Client', fields: { ...pk, age: f.integer() } })]);
  await assertRoundTrip(db, before, 'shop', [ops.alterField({ model: 'Client', name: 'age', field: f.positiveInteger() })]);
});

testOnEachTarget('alterField retargets a foreign key to another model', async (db) => {
  const before = await given(db, 'shop', [
    client,
    ops.createModel({ name: 'Company', fields: { id: f.auto({ primaryKey: true }) } }),
    ops.createModel({ name: 'Invoice', fields: { ...pk, payer: f.foreignKey('Client', { onDelete: 'cascade' }) } }),
  ]);
  await assertRoundTrip(db, before, 'shop', [
    ops.alterField({ model: 'Invoice', name: 'payer', field: f.foreignKey('Company', { onDelete: 'protect' }) }),
  ]);
});

testOnEachTarget('alterField changes onDelete by replacing the constraint', async (db) => {
  const before = await given(db, 'shop', [
    client,
    ops.createModel({ name: 'Invoice', fields: { ...pk, payer: f.foreignKey('Client', { onDelete: 'cascade', null: true }) } }),
  ]);
  await assertRoundTrip(db, before, 'shop', [
    ops.alterField({ model: 'Invoice', name: 'payer', field: f.foreignKey('Client', { onDelete: 'setNull', null: true }) }),
  ]);
});

testOnEachTarget('alterField turns a plain integer column into a foreign key', async (db) => {
  const before = await given(db, 'shop', [
    client,
    ops.createModel({ name: 'Invoice', fields: { ...pk, payer: f.bigInteger({ dbColumn: 'payer_id' }) } }),
  ]);
  await assertRoundTrip(db, before, 'shop', [
    ops.alterField({ model: 'Invoice', name: 'payer', field: f.foreignKey('Client', { onDelete: 'cascade' }) }),
  ]);
});

testOnEachTarget('alterField turns a scalar into a foreign key with a new column name and type', async (db) => {
  const before = await given(db, 'shop', [
    client,
    ops.createModel({ name: 'Invoice', fields: { ...pk, payer: f.integer({ null: true }) } }),
  ]);
  await assertRoundTrip(db, before, 'shop', [
    ops.alterField({ model: 'Invoice', name: 'payer', field: f.foreignKey('Client', { onDelete: 'cascade', null: true }) }),
  ]);
});

testOnEachTarget('alterField of a primary key type makes the foreign keys and join columns that point at it follow', async (db) => {
  const before = await given(db, 'shop', [
    ops.createModel({ name: 'Client', fields: { id: f.auto({ primaryKey: true }), tags: f.manyToMany('Client') } }),
    ops.createModel({ name: 'Order', fields: { ...pk, client: f.foreignKey('Client', { onDelete: 'cascade' }), groups: f.manyToMany('Client') } }),
  ]);
  await db.query('INSERT INTO shop_client DEFAULT VALUES');
  await db.query('INSERT INTO shop_order (client_id) VALUES (1)');
  await assertRoundTrip(db, before, 'shop', [ops.alterField({ model: 'Client', name: 'id', field: f.bigAuto({ primaryKey: true }) })], {
    between: async () => {
      await db.query('INSERT INTO shop_client DEFAULT VALUES');
      assert.deepEqual(await rows(db, 'SELECT id::int AS id FROM shop_client ORDER BY id'), [{ id: 1 }, { id: 2 }]);
    },
  });
});

testOnEachTarget('alterField from an integer to an auto key adds an identity that continues after the largest key', async (db) => {
  const before = await given(db, 'shop', [ops.createModel({ name: 'Code', fields: { id: f.integer({ primaryKey: true }) } })]);
  await db.query('INSERT INTO shop_code (id) VALUES (10)');
  await assertRoundTrip(db, before, 'shop', [ops.alterField({ model: 'Code', name: 'id', field: f.auto({ primaryKey: true }) })], {
    between: async () => {
      await db.query('INSERT INTO shop_code DEFAULT VALUES');
      assert.deepEqual(await rows(db, 'SELECT id FROM shop_code ORDER BY id'), [{ id: 10 }, { id: 11 }]);
      await db.query('DELETE FROM shop_code WHERE id = 11');
    },
  });
});

testOnEachTarget('alterField refuses to change the target of a many-to-many field, with a hint', async (db) => {
  const before = await given(db, 'shop', [client, tag, ops.createModel({ name: 'Post', fields: { ...pk, tags: f.manyToMany('Tag') } })]);
  await assert.rejects(
    applyForwards(db, before, 'shop', [ops.alterField({ model: 'Post', name: 'tags', field: f.manyToMany('Client') })]),
    (error: unknown) => error instanceof InvalidDefinitionError && /cannot be altered/.test(error.message) && /Remove the field/.test(error.hint ?? ''),
  );
  await assertSchemaMatches(db, before, 'after the refused alterField');
});

// renameField

testOnEachTarget('renameField renames the column and the names generated from it', async (db) => {
  const before = await given(db, 'shop', [
    ops.createModel({ name: 'Client', fields: { ...pk, nick: f.char({ maxLength: 20, unique: true }), age: f.positiveInteger(), code: f.char({ maxLength: 5, dbIndex: true }) } }),
  ]);
  await assertRoundTrip(db, before, 'shop', [
    ops.renameField({ model: 'Client', oldName: 'nick', newName: 'handle' }),
    ops.renameField({ model: 'Client', oldName: 'age', newName: 'years' }),
    ops.renameField({ model: 'Client', oldName: 'code', newName: 'ref' }),
    ops.addField({ model: 'Client', name: 'nick', field: f.char({ maxLength: 20, unique: true, null: true }) }),
  ]);
});

testOnEachTarget('renameField of a foreign key renames its column, constraint and index', async (db) => {
  const before = await given(db, 'shop', [
    client,
    ops.createModel({ name: 'Order', fields: { ...pk, client: f.foreignKey('Client', { onDelete: 'cascade' }) } }),
  ]);
  await assertRoundTrip(db, before, 'shop', [ops.renameField({ model: 'Order', oldName: 'client', newName: 'buyer' })]);
});

testOnEachTarget('renameField of a many-to-many field renames its join table', async (db) => {
  const before = await given(db, 'shop', [tag, ops.createModel({ name: 'Post', fields: { ...pk, tags: f.manyToMany('Tag') } })]);
  await db.query('INSERT INTO shop_tag (label) VALUES ($1)', ['a']);
  await db.query('INSERT INTO shop_post DEFAULT VALUES');
  await db.query('INSERT INTO shop_post_tags (post_id, tag_id) VALUES (1, 1)');
  await assertRoundTrip(db, before, 'shop', [ops.renameField({ model: 'Post', oldName: 'tags', newName: 'labels' })], {
    between: async () => assert.deepEqual(await rows(db, 'SELECT post_id::int AS p FROM shop_post_labels'), [{ p: 1 }]),
  });
});

testOnEachTarget('removing a field on the way back restores a NOT NULL column on an empty table', async (db) => {
  const before = await given(db, 'shop', [client]);
  const after = await applyForwards(db, before, 'shop', [ops.removeField({ model: 'Client', name: 'name' })]);
  await assertSchemaMatches(db, after, 'after removing the field');
  await applyBackwards(db, before, 'shop', [ops.removeField({ model: 'Client', name: 'name' })]);
  await assertSchemaMatches(db, before, 'after reversing');
});

testOnEachTarget('alterField of a field that a foreign key targets with toField makes the foreign key column follow', async (db) => {
  const before = await given(db, 'shop', [
    ops.createModel({ name: 'Country', fields: { ...pk, code: f.char({ maxLength: 2, unique: true }) } }),
    ops.createModel({ name: 'City', fields: { ...pk, country: f.foreignKey('Country', { onDelete: 'cascade', toField: 'code' }) } }),
  ]);
  await db.query(`INSERT INTO shop_country (code) VALUES ('fr')`);
  await db.query(`INSERT INTO shop_city (country_id) VALUES ('fr')`);
  await assertRoundTrip(db, before, 'shop', [ops.alterField({ model: 'Country', name: 'code', field: f.char({ maxLength: 3, unique: true }) })], {
    between: async () => {
      await db.query(`INSERT INTO shop_country (code) VALUES ('deu')`);
      await db.query(`INSERT INTO shop_city (country_id) VALUES ('deu')`);
      await db.query(`DELETE FROM shop_country WHERE code = 'deu'`);
    },
  });
});
