import assert from 'node:assert/strict';
import { InvalidValueError } from '../../src/data/errors.js';
import { f } from '../../src/model/fields.js';
import { ops } from '../../src/operations/ops.js';
import { kinds } from './fixtures.js';
import { given, recording, rows, run, testOnEachTarget } from './helpers.js';

const sample = {
  small: -32768,
  integer: 2147483647,
  big: 9007199254740991,
  positive: 0,
  real: 1.5,
  price: '1234567890.25',
  flag: true,
  label: 'twenty chars exactly',
  body: 'line 1\nline 2 — ünïcödé \\ \'quoted\'',
  slug: 'a-slug',
  email: 'ada@example.com',
  url: 'https://example.com/?q=1&r=2',
  day: new Date(Date.UTC(2024, 1, 29)),
  clock: '13:45:30.123456',
  moment: new Date('2024-03-10T02:30:00.123Z'),
  span: 93784.5,
  token: '0b3a6f3e-8e53-4f6a-9a3e-2b3c4d5e6f70',
  data: { a: [1, 'two', null, { b: true }], n: 1.25 },
  blob: Buffer.from([0, 1, 2, 253, 254, 255]),
};

testOnEachTarget('every field kind round-trips through create and read with the documented JavaScript types', async (db) => {
  const state = await given(db, 'lab', kinds);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('lab', 'Kinds');
    const created = await objects.create(sample);
    const read = await objects.get({ id: created.id });
    for (const row of [created, read]) {
      assert.deepEqual({ ...row, id: undefined }, { ...sample, id: undefined });
      assert.ok(Buffer.isBuffer(row.blob));
      assert.ok(row.day instanceof Date && row.moment instanceof Date);
      assert.equal(typeof row.price, 'string');
    }
  });
});

testOnEachTarget('every field kind reads NULL as null and writes null as NULL', async (db) => {
  const state = await given(db, 'lab', kinds);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('lab', 'Kinds');
    const row = await objects.create({});
    for (const name of Object.keys(sample)) assert.equal(row[name], null, name);
    const filled = await objects.create(sample);
    const nulls = Object.fromEntries(Object.keys(sample).map((name) => [name, null]));
    assert.equal(await objects.filter({ id: filled.id }).update(nulls), 1);
    for (const name of Object.keys(sample)) assert.equal((await objects.get({ id: filled.id }))[name], null, name);
  });
});

testOnEachTarget('every field kind can be filtered by the value it was written with', async (db) => {
  const state = await given(db, 'lab', kinds);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('lab', 'Kinds');
    await objects.create(sample);
    await objects.create({ label: 'other' });
    for (const [name, value] of Object.entries(sample)) {
      assert.equal(await objects.filter({ [name]: value }).count(), 1, `${name} = ...`);
      assert.equal(await objects.filter({ [`${name}__in`]: [value] }).count(), 1, `${name} in [...]`);
    }
    assert.equal(await objects.filter({ day__gte: '2024-02-29', day__lt: new Date(Date.UTC(2024, 2, 1)) }).count(), 1);
    assert.equal(await objects.filter({ moment__gt: new Date('2024-03-10T02:30:00.122Z') }).count(), 1);
    assert.equal(await objects.filter({ span__gt: 86400 }).count(), 1);
    assert.equal(await objects.filter({ span__lt: '1 day' }).count(), 0);
    assert.equal(await objects.filter({ price__gt: '1000000000' }).count(), 1);
    assert.equal(await objects.filter({ data__contains: { a: [1] } }).count(), 1);
    assert.equal(await objects.filter({ data__contains: { n: 2 } }).count(), 0);
    assert.equal(await objects.filter({ clock__gte: '13:00' }).count(), 1);
  });
});

testOnEachTarget('bigint values beyond 2^53 are decimal strings, and may be written as bigint or string', async (db) => {
  const state = await given(db, 'lab', kinds);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('lab', 'Kinds');
    const a = await objects.create({ big: 9223372036854775807n });
    const b = await objects.create({ big: '-9007199254740993' });
    const c = await objects.create({ big: 42 });
    assert.equal(a.big, '9223372036854775807');
    assert.equal(b.big, '-9007199254740993');
    assert.equal(c.big, 42);
    assert.equal(await objects.filter({ big__gt: 9007199254740992n }).count(), 1);
    assert.throws(() => objects.filter({ big: 2 ** 60 }), /exact integer/);
  });
});

testOnEachTarget('a date is read as UTC midnight and written as its UTC calendar date', async (db) => {
  const state = await given(db, 'lab', kinds);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('lab', 'Kinds');
    const row = await objects.create({ day: new Date('2024-07-01T23:30:00-05:00') });
    assert.equal(row.day.toISOString(), '2024-07-02T00:00:00.000Z');
    assert.deepEqual(await rows(db, `SELECT day::text AS d FROM lab_kinds`), [{ d: '2024-07-02' }]);
  });
});

testOnEachTarget('json keeps arrays, strings and numbers as JSON (never as PostgreSQL arrays)', async (db) => {
  const state = await given(db, 'lab', kinds);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('lab', 'Kinds');
    for (const value of [[1, 2, 3], 'text', 42, false, { nested: { deep: [] } }]) {
      const row = await objects.create({ data: value });
      assert.deepEqual((await objects.get({ id: row.id })).data, value);
    }
    assert.deepEqual(await rows(db, `SELECT jsonb_typeof(data) AS t FROM lab_kinds ORDER BY id`), [
      { t: 'array' }, { t: 'string' }, { t: 'number' }, { t: 'boolean' }, { t: 'object' },
    ]);
  });
});

testOnEachTarget('a value of the wrong kind is refused before any SQL runs, naming the field', async (db) => {
  const state = await given(db, 'lab', kinds);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('lab', 'Kinds');
    await assert.rejects(objects.create({ integer: 1.5 }), (error: unknown) => {
      assert.ok(error instanceof InvalidValueError);
      assert.match(error.message, /lab\.Kinds\.integer expects an integer, got 1\.5/);
      return true;
    });
    await assert.rejects(objects.create({ small: 40000 }), /between -32768 and 32767/);
    await assert.rejects(objects.create({ flag: 'yes' }), /expects a boolean/);
    await assert.rejects(objects.create({ token: 'not-a-uuid' }), /expects a UUID string/);
    await assert.rejects(objects.create({ price: 'abc' }), /expects a decimal/);
    await assert.rejects(objects.create({ moment: new Date('nonsense') }), /expects a Date or an ISO 8601 string/);
    await assert.rejects(objects.create({ blob: 'bytes' }), /expects a Buffer or Uint8Array/);
    await assert.rejects(objects.create({ label: undefined, body: 3 }), /expects a string/);
    assert.equal(await objects.count(), 0);
  });
});

testOnEachTarget('models keyed by a uuid (f.uuid4 default) or a string work like auto-keyed ones', async (db) => {
  const state = await given(db, 'lab', [
    ops.createModel({ name: 'Doc', fields: { id: f.uuid({ primaryKey: true, default: f.uuid4 }), title: f.text() } }),
    ops.createModel({ name: 'Country', fields: { code: f.char({ maxLength: 2, primaryKey: true }), name: f.text() } }),
    ops.createModel({
      name: 'City',
      fields: { id: f.bigAuto({ primaryKey: true }), country: f.foreignKey('lab.Country', { onDelete: 'cascade', relatedName: 'cities' }) },
    }),
  ]);
  await run(db, state, async ({ apps }) => {
    const Doc = apps.getModel('lab', 'Doc');
    const doc = await Doc.objects.create({ title: 'x' });
    assert.match(doc.id, /^[0-9a-f-]{36}$/);
    assert.equal(doc.pk, doc.id);
    doc.title = 'y';
    await doc.save();
    assert.equal((await Doc.objects.get({ pk: doc.id })).title, 'y');
    const Country = apps.getModel('lab', 'Country');
    const City = apps.getModel('lab', 'City');
    const fr = await Country.objects.create({ code: 'FR', name: 'France' });
    assert.equal(Country.pk, 'code');
    await City.objects.create({ country: fr });
    await City.objects.create({ country: 'FR' });
    assert.equal(await fr.cities.count(), 2);
    const city = await City.objects.first();
    assert.equal(city?.countryId, 'FR');
    assert.equal((await city!.related('country'))?.name, 'France');
    let n = 0;
    for await (const c of Country.objects.all()) n += c.code.length;
    assert.equal(n, 2);
  });
});

testOnEachTarget('save() notices values changed in place: a json object, a Date, a Buffer', async (db) => {
  const state = await given(db, 'lab', kinds);
  const recorded = recording(db);
  await run(recorded, state, async ({ apps }) => {
    const { objects } = apps.getModel('lab', 'Kinds');
    await objects.create(sample);
    for await (const row of objects.all()) {
      row.data.a.push('more');
      row.moment.setUTCFullYear(2030);
      row.blob[0] = 42;
      await row.save();
    }
    const read = await objects.first();
    assert.deepEqual(read?.data.a, [1, 'two', null, { b: true }, 'more']);
    const empty = await objects.create({});
    recorded.reset();
    await empty.save();
    await read!.save();
    assert.deepEqual(recorded.log, [], 'unchanged rows, NULLs included, write nothing');
    assert.equal(read?.moment.getUTCFullYear(), 2030);
    assert.equal(read?.blob[0], 42);
  });
});
