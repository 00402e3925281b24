import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { createPostgresSchemaEditor } from '../../src/backends/postgres/schema-editor.js';
import { applyFixes, planFixes, type Report } from '../../src/doctor/index.js';
import type { Connection } from '../../src/backends/base/connection.js';
import { buildGraph } from '../../src/graph/index.js';
import type { Migration } from '../../src/graph/migration.js';
import { f } from '../../src/model/fields.js';
import { ops } from '../../src/operations/ops.js';
import { Recorder } from '../../src/recorder/recorder.js';
import { Naming } from '../../src/state/names.js';
import { doctor, edited, migrateAll, migration, summarize, testOnEachTarget } from './helpers.js';

/**
 * How much of an unapplied migration the database already has, and the safe fixes: recording what is
 * there, pruning rows without a file, re-recording accepted edits, resetting sequences.
 */
const pk = { id: f.bigAuto({ primaryKey: true }) };
const initial = migration('shop.0001_initial', [], ops.createModel({ name: 'Tag', fields: { ...pk, name: f.char({ maxLength: 100 }) } }));
const tagType = migration('shop.0002_tag_type', ['shop.0001_initial'], ops.addField({ model: 'Tag', name: 'type', field: f.char({ maxLength: 100, null: true }) }));
const twoColumns = migration(
  'shop.0002_tag_type_color',
  ['shop.0001_initial'],
  ops.addField({ model: 'Tag', name: 'type', field: f.char({ maxLength: 100, null: true }) }),
  ops.addField({ model: 'Tag', name: 'color', field: f.char({ maxLength: 10, null: true }) }),
);

async function fixAll(db: Connection, migrations: readonly Migration[], report: Report, acceptEdited = false): Promise<string[]> {
  const recorder = new Recorder(db);
  const graph = buildGraph(migrations, (await recorder.applied()).keys(), { apps: ['shop'] });
  const plan = planFixes(report, { acceptEdited });
  const naming = new Naming();
  await applyFixes(plan, { connection: db, recorder, graph, executor: { naming, createEditor: (c) => createPostgresSchemaEditor(c, naming) } });
  return plan.fixes.map((fix) => fix.description);
}

describe('unapplied migrations whose schema is already there', () => {
  testOnEachTarget('an unapplied migration whose column exists is present, fixed by recording it, and its column is not reported twice', async (db) => {
    await migrateAll(db, [initial]);
    await db.query('ALTER TABLE shop_tag ADD COLUMN type varchar(100)');
    const report = await doctor(db, [initial, tagType]);
    assert.deepEqual(summarize(report), ['unapplied shop.0002_tag_type: present']);
    const [finding] = report.findings;
    assert.match(finding.message, /its schema is already in the database \(column shop_tag\.type exists\)/);
    assert.deepEqual(finding.fix.action, { kind: 'fake', migration: 'shop.0002_tag_type' });

    assert.deepEqual(await fixAll(db, [initial, tagType], report), [
      'Record shop.0002_tag_type as applied without running it (its schema is already in the database).',
    ]);
    assert.deepEqual(summarize(await doctor(db, [initial, tagType])), []);
  });

  testOnEachTarget('an unapplied migration of which only one column exists is partial, and is not recorded by the fixes', async (db) => {
    await migrateAll(db, [initial]);
    await db.query('ALTER TABLE shop_tag ADD COLUMN type varchar(100)');
    const report = await doctor(db, [initial, twoColumns]);
    assert.deepEqual(summarize(report), ['unapplied shop.0002_tag_type_color: partial', 'extra-column shop_tag.type <- unapplied shop.0002_tag_type_color']);
    const [finding] = report.findings;
    assert.ok(finding.kind === 'unapplied' && finding.presence.kind === 'partial');
    assert.deepEqual(finding.presence, {
      kind: 'partial',
      present: ['column shop_tag.type exists'],
      missing: ['Column shop_tag.color (character varying(10) NULL) is missing.'],
    });
    assert.deepEqual(planFixes(report, { acceptEdited: false }).fixes, []);
  });

  testOnEachTarget('an unapplied migration none of which exists is simply unapplied', async (db) => {
    await migrateAll(db, [initial]);
    assert.deepEqual(summarize(await doctor(db, [initial, tagType])), ['unapplied shop.0002_tag_type: absent']);
  });

  testOnEachTarget('a present migration that also runs SQL is not recorded by the fixes: the SQL would be skipped', async (db) => {
    const withSql = migration(
      'shop.0002_tag_type',
      ['shop.0001_initial'],
      ops.addField({ model: 'Tag', name: 'type', field: f.char({ maxLength: 100, null: true }) }),
      ops.runSql({ sql: "UPDATE shop_tag SET type = 'plain'", reverseSql: ops.noop }),
    );
    await migrateAll(db, [initial]);
    await db.query('ALTER TABLE shop_tag ADD COLUMN type varchar(100)');
    const report = await doctor(db, [initial, withSql]);
    assert.deepEqual(summarize(report), ['unapplied shop.0002_tag_type: present']);
    assert.equal(report.findings[0].fix.action, undefined);
    assert.match(report.findings[0].fix.text, /runs SQL or code/);
  });

  testOnEachTarget('an applied migration whose dependency is not recorded, but whose schema is there, is fixed by recording the dependency', async (db) => {
    await migrateAll(db, [initial, tagType]);
    await db.query("DELETE FROM sediment_migrations WHERE name = '0001_initial'");
    const report = await doctor(db, [initial, tagType]);
    assert.deepEqual(summarize(report), ['inconsistent-history shop.0002_tag_type before shop.0001_initial', 'unapplied shop.0001_initial: present']);
    assert.deepEqual(report.findings[0].fix.action, { kind: 'fake', migration: 'shop.0001_initial' });
    assert.deepEqual(await fixAll(db, [initial, tagType], report), [
      'Record shop.0001_initial as applied without running it (its schema is already in the database).',
    ]);
    assert.deepEqual(summarize(await doctor(db, [initial, tagType])), []);
  });
});

describe('the other safe fixes', () => {
  testOnEachTarget('a history row without a file is pruned', async (db) => {
    await migrateAll(db, [initial, tagType]);
    const report = await doctor(db, [initial]);
    // The column of the deleted migration stays: doctor says which file is missing might explain it.
    assert.deepEqual(summarize(report), ['missing-file shop.0002_tag_type', 'extra-column shop_tag.type <- none']);
    assert.match(report.findings[1].message, /perhaps one whose file is missing \(shop\.0002_tag_type\)/);
    await fixAll(db, [initial], report);
    assert.deepEqual(summarize(await doctor(db, [initial])), ['extra-column shop_tag.type <- none']);
  });

  testOnEachTarget('a row of a migration that a squash replaces is not a missing file', async (db) => {
    await migrateAll(db, [initial, tagType]);
    const squash = { ...migration('shop.0001_squashed_0002_tag_type', [], ...initial.operations, ...tagType.operations), replaces: [['shop', '0001_initial'], ['shop', '0002_tag_type']] as const };
    const report = await doctor(db, [squash]);
    assert.deepEqual(summarize(report), []);
  });

  testOnEachTarget('an edited migration that matches the database is re-recorded only when the edit is accepted', async (db) => {
    await migrateAll(db, [initial, tagType]);
    // The edit makes the column's length what the database has: the database matches the file.
    await db.query('ALTER TABLE shop_tag ALTER COLUMN type TYPE varchar(150)');
    const edit = edited(tagType, ops.addField({ model: 'Tag', name: 'type', field: f.char({ maxLength: 150, null: true }) }));
    const report = await doctor(db, [initial, edit]);
    assert.deepEqual(summarize(report), ['edited shop.0002_tag_type (matches database: true)']);
    const held = planFixes(report, { acceptEdited: false });
    assert.deepEqual(held.fixes, []);
    assert.match(held.held[0].reason, /--accept-edited/);
    await fixAll(db, [initial, edit], report, true);
    assert.deepEqual(summarize(await doctor(db, [initial, edit])), []);
  });

  testOnEachTarget('an edited migration that the database does not match is never re-recorded', async (db) => {
    await migrateAll(db, [initial, tagType]);
    // Seed 002's search-and-replace: the applied migration now adds type_name; the database has type.
    const edit = edited(tagType, ops.addField({ model: 'Tag', name: 'typeName', field: f.char({ maxLength: 100, null: true }) }));
    const report = await doctor(db, [initial, edit]);
    assert.deepEqual(summarize(report), [
      'edited shop.0002_tag_type (matches database: false)',
      'missing-column shop_tag.type_name <- set-by shop.0002_tag_type (edited)',
      'extra-column shop_tag.type <- none',
    ]);
    assert.match(report.findings[0].message, /it has column shop_tag\.type where the file says shop_tag\.type_name/);
    assert.deepEqual(planFixes(report, { acceptEdited: true }).fixes, []);
  });

  testOnEachTarget('a key sequence behind its table is reset past the largest key', async (db) => {
    await migrateAll(db, [initial]);
    await db.query("INSERT INTO shop_tag (id, name) VALUES (1, 'a'), (25, 'b')");
    const report = await doctor(db, [initial]);
    assert.deepEqual(summarize(report), ['sequence-behind shop_tag.id']);
    await fixAll(db, [initial], report);
    assert.deepEqual(summarize(await doctor(db, [initial])), []);
    const { rows } = await db.query<{ id: string }>("INSERT INTO shop_tag (name) VALUES ('c') RETURNING id::text AS id");
    assert.equal(rows[0].id, '26');
  });
});
