import assert from 'node:assert/strict';
import type { Connection } from '../../src/backends/base/connection.js';
import { scalarColumnType } from '../../src/backends/postgres/column-types.js';
import { SedimentError } from '../../src/errors/index.js';
import type { ScalarField } from '../../src/model/fields.js';
import { f } from '../../src/model/fields.js';
import { ops } from '../../src/operations/ops.js';
import type { ProjectState } from '../../src/state/project-state.js';
import { applyForwards } from '../support/apply-operations.js';
import { given, rows, testOnEachTarget } from './helpers.js';

/**
 * Issue 8 item 2, trust finding 2: the 13 type changes measured there (9 of them changed rows
 * silently), each on a table with a row that does not fit the new type and one that does. A change
 * either succeeds with every value unchanged, or fails and leaves the rows exactly as they were —
 * never truncates, rounds or cuts a value.
 */

interface TypeChange {
  readonly name: string;
  readonly from: ScalarField;
  readonly to: ScalarField;
  /** SQL expressions of values of the old type. */
  readonly misfit: string;
  readonly fit: string;
  /** The refusal names the example and what it would become. */
  readonly example?: RegExp;
}

const changes: readonly TypeChange[] = [
  { name: 'char(50) → char(5)', from: f.char({ maxLength: 50 }), to: f.char({ maxLength: 5 }), misfit: "'a very long name'", fit: "'short'", example: /'a very long name' → 'a ver'/ },
  { name: 'text → char(5)', from: f.text(), to: f.char({ maxLength: 5 }), misfit: "'a very long name'", fit: "'ok'", example: /'a very long name' → 'a ver'/ },
  { name: 'slug(50) → slug(5)', from: f.slug(), to: f.slug({ maxLength: 5 }), misfit: "'a-long-slug'", fit: "'slug'" },
  { name: 'email → char(5)', from: f.email(), to: f.char({ maxLength: 5 }), misfit: "'someone@example.com'", fit: "'a@b.c'" },
  { name: 'uuid → char(10)', from: f.uuid({ null: true }), to: f.char({ maxLength: 10, null: true }), misfit: "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", fit: 'NULL' },
  { name: 'decimal(10,4) → decimal(10,2)', from: f.decimal({ maxDigits: 10, decimalPlaces: 4 }), to: f.decimal({ maxDigits: 10, decimalPlaces: 2 }), misfit: '1.2399', fit: '1.2500', example: /'1\.2399' → '1\.24'/ },
  { name: 'float → integer', from: f.float(), to: f.integer(), misfit: '2.7', fit: '3', example: /'2\.7' → '3'/ },
  { name: 'dateTime → date', from: f.dateTime(), to: f.date(), misfit: "'2024-05-01 13:45:00+00'", fit: "date '2024-05-01'::timestamptz" },
  { name: 'integer → boolean', from: f.integer(), to: f.boolean(), misfit: '5', fit: '1', example: /'5' → 'true'/ },
  { name: 'decimal(10,2) → decimal(5,2) (overflow)', from: f.decimal({ maxDigits: 10, decimalPlaces: 2 }), to: f.decimal({ maxDigits: 5, decimalPlaces: 2 }), misfit: '12345.67', fit: '123.45' },
  { name: 'bigInteger → integer (overflow)', from: f.bigInteger(), to: f.integer(), misfit: '3000000000', fit: '42' },
  { name: 'text → json', from: f.text(), to: f.json(), misfit: "'not json'", fit: `'{"a": 1}'` },
  { name: 'json → text', from: f.json(), to: f.text(), misfit: `'{"a": [1, "x"]}'`, fit: "'[1, 2]'" },
];

const pk = { id: f.bigAuto({ primaryKey: true }) };

async function setUp(db: Connection, field: ScalarField, values: readonly string[]): Promise<ProjectState> {
  const state = await given(db, 'shop', [ops.createModel({ name: 'Item', fields: { ...pk, value: field } })]);
  for (const value of values) await db.query(`INSERT INTO shop_item (value) VALUES (${value})`);
  return state;
}

/** The rows as text, read back in the old type (so 1.25 in numeric(10,2) reads as 1.2500 again). */
async function valuesAs(db: Connection, field: ScalarField): Promise<(string | null)[]> {
  const found = await rows<{ value: string | null }>(db, `SELECT value::${scalarColumnType(field).sql}::text AS value FROM shop_item ORDER BY id`);
  return found.map((row) => row.value);
}

const alter = (field: ScalarField) => [ops.alterField({ model: 'Item', name: 'value', field })];

for (const change of changes) {
  testOnEachTarget(`${change.name} with a row that does not fit either keeps every value or fails and changes nothing`, async (db) => {
    const before = await setUp(db, change.from, [change.misfit, change.fit]);
    const was = await valuesAs(db, change.from);
    let failure: unknown;
    try {
      await applyForwards(db, before, 'shop', alter(change.to));
    } catch (error) {
      failure = error;
    }
    if (failure === undefined) {
      assert.deepEqual(await valuesAs(db, change.from), was, 'the change succeeded and changed a value');
      return;
    }
    assert.deepEqual(await valuesAs(db, change.from), was, 'the change failed and left rows changed');
    const code = (failure as { code?: unknown }).code;
    assert.ok(failure instanceof SedimentError || (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)), `not a clear error: ${String(failure)}`);
    if (failure instanceof SedimentError) {
      assert.equal(failure.code, 'LossyChange');
      assert.match(failure.message, /^shop\.Item\.value \(column shop_item\.value\): 1 row\(s\) would change when the column becomes /);
      if (change.example) assert.match(failure.message, change.example);
      assert.match(failure.hint ?? '', /data migration/);
    }
  });

  testOnEachTarget(`${change.name} succeeds with every value kept when all rows fit`, async (db) => {
    const before = await setUp(db, change.from, [change.fit, change.fit]);
    const was = await valuesAs(db, change.from);
    await applyForwards(db, before, 'shop', alter(change.to));
    assert.deepEqual(await valuesAs(db, change.from), was);
  });
}

testOnEachTarget('the 9 changes measured as silent are now refused with the count of rows that would change', async (db) => {
  const silent = changes.slice(0, 9);
  for (const change of silent) {
    const before = await setUp(db, change.from, [change.misfit, change.misfit, change.fit]);
    await assert.rejects(applyForwards(db, before, 'shop', alter(change.to)), (error: unknown) => {
      assert.ok(error instanceof SedimentError, `${change.name}: ${String(error)}`);
      assert.match(error.message, /: 2 row\(s\) would change/, change.name);
      return true;
    });
    await db.query('DROP TABLE shop_item');
  }
});

const widenings: readonly (readonly [string, ScalarField, ScalarField, string])[] = [
  ['integer → bigInteger', f.integer(), f.bigInteger(), '2147483647'],
  ['smallInteger → integer', f.smallInteger(), f.integer(), '-32768'],
  ['char(10) → char(50)', f.char({ maxLength: 10 }), f.char({ maxLength: 50 }), "'exactly 10'"],
  ['char(10) → text', f.char({ maxLength: 10 }), f.text(), "'exactly 10'"],
  ['uuid → char(36)', f.uuid(), f.char({ maxLength: 36 }), "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"],
  ['decimal(10,2) → decimal(12,4)', f.decimal({ maxDigits: 10, decimalPlaces: 2 }), f.decimal({ maxDigits: 12, decimalPlaces: 4 }), '12345678.91'],
  ['integer → float', f.integer(), f.float(), '-2147483648'],
  ['date → dateTime', f.date(), f.dateTime(), "'2024-05-01'"],
];

for (const [name, from, to, value] of widenings) {
  testOnEachTarget(`widening ${name} keeps the rows and runs no check`, async (db) => {
    const before = await setUp(db, from, [value]);
    const was = await valuesAs(db, from);
    const collect: string[] = [];
    await applyForwards(db, before, 'shop', alter(to), { collect });
    assert.ok(collect.every((sql) => !sql.startsWith('DO ')), collect.join('\n'));
    await applyForwards(db, before, 'shop', alter(to));
    assert.deepEqual(await valuesAs(db, from), was);
  });
}

testOnEachTarget('a narrowing within one base type is sent without USING, so the database itself refuses what does not fit', async (db) => {
  const before = await setUp(db, f.char({ maxLength: 50 }), []);
  const collect: string[] = [];
  await applyForwards(db, before, 'shop', alter(f.char({ maxLength: 10 })), { collect });
  assert.equal(collect.length, 2);
  assert.match(collect[0], /^DO \$sediment_check\$/);
  assert.equal(collect[1], 'ALTER TABLE "shop_item" ALTER COLUMN "value" TYPE varchar(10);');
  // The check statement refuses by itself when pasted into psql (sqlmigrate prints it).
  await db.query("INSERT INTO shop_item (value) VALUES ('far too long for ten')");
  await assert.rejects(db.query(collect[0].replace(/;$/, '')), /1 row\(s\) would change when the column becomes varchar\(10\), e\.g\. 'far too long for ten' → 'far too lo'/);
});

testOnEachTarget('foreign keys that follow a narrowed key get no USING cast either', async (db) => {
  const before = await given(db, 'shop', [
    ops.createModel({ name: 'Code', fields: { code: f.char({ maxLength: 20, primaryKey: true }) } }),
    ops.createModel({ name: 'Use', fields: { ...pk, code: f.foreignKey('Code', { onDelete: 'cascade' }) } }),
  ]);
  const collect: string[] = [];
  await applyForwards(db, before, 'shop', [ops.alterField({ model: 'Code', name: 'code', field: f.char({ maxLength: 5, primaryKey: true }) })], { collect });
  assert.ok(collect.includes('ALTER TABLE "shop_use" ALTER COLUMN "code_id" TYPE varchar(5);'), collect.join('\n'));
  assert.ok(collect.filter((sql) => sql.startsWith('ALTER')).every((sql) => !/USING/.test(sql)), collect.join('\n'));
});
