import { test } from 'node:test';
import assert from 'node:assert/strict';
import { f, model, UnplannableChangeError } from '../../src/index.js';
import { NotNullWithoutDefaultError } from '../../src/questioner/errors.js';
import { assertChanges, assertReplays, detect, formatChanges, project } from './helpers.js';
import { Author, Book, Client, Computer, Post, Tag, cases, with_ } from './cases.js';

// The autodetector table itself lives in cases.ts, so that applied-to-database.test.ts runs every case
// against a real database too.

for (const c of cases) {
  test(c.name, async () => {
    const detection = await detect(project(c.before), project(c.after), c.flags, c.apps ? { apps: c.apps } : {});
    assertChanges(detection, c.expected);
    if (c.asked) assert.deepEqual(detection.asked, c.asked, `questions asked:\n${formatChanges(detection.changes)}`);
    if (!c.apps) assertReplays(detection);
  });
}

test('the table has at least 40 cases', () => {
  assert.ok(cases.length >= 40, `${cases.length} cases`);
});

// ----------------------------------------------------------------------------------- quitting

test('an unanswered NOT NULL addition throws NotNullWithoutDefaultError naming both flags', async () => {
  const before = project({ shop: [Client] });
  const after = project({ shop: [with_(Client, { rank: f.integer() })] });
  await assert.rejects(detect(before, after, { noInput: true }), (error: unknown) => {
    assert.ok(error instanceof NotNullWithoutDefaultError);
    assert.equal(error.code, 'NotNullWithoutDefault');
    assert.match(error.message, /shop\.Client\.rank/);
    assert.match(error.hint!, /--default shop\.Client\.rank=<json>/);
    assert.match(error.hint!, /--assume-handled shop\.Client\.rank/);
    return true;
  });
});

test('an unanswered null to NOT NULL alteration throws NotNullWithoutDefaultError', async () => {
  const before = project({ shop: [Client] });
  const after = project({ shop: [with_(Client, { bought: f.integer() })] });
  await assert.rejects(detect(before, after), (error: unknown) => {
    assert.ok(error instanceof NotNullWithoutDefaultError);
    assert.match(error.message, /NOT NULL/);
    assert.equal(error.field, 'bought');
    return true;
  });
});

test('giving a many-to-many a through model is refused with the steps that keep its rows', async () => {
  const Tagging = model('Tagging', { post: f.foreignKey('Post', { onDelete: 'cascade' }), tag: f.foreignKey('Tag', { onDelete: 'cascade' }) });
  const before = project({ shop: [Tag, with_(Post, { tags: f.manyToMany('Tag') })] });
  const after = project({ shop: [Tag, with_(Post, { tags: f.manyToMany('Tag', { through: 'Tagging' }) }), Tagging] });
  await assert.rejects(detect(before, after, { noInput: true }), (error: unknown) => {
    assert.ok(error instanceof UnplannableChangeError);
    assert.match(error.message, /through model .* shop\.Post\.tags .*would be lost/);
    assert.match(error.hint!, /--rename-field shop\.Post\.tagsNew=tags/);
    return true;
  });
});

test('pointing a many-to-many at another model is refused the same way', async () => {
  const Label = model('Label', { name: f.char({ maxLength: 50 }) });
  const before = project({ shop: [Tag, Label, with_(Post, { tags: f.manyToMany('Tag') })] });
  const after = project({ shop: [Tag, Label, with_(Post, { tags: f.manyToMany('Label') })] });
  await assert.rejects(detect(before, after, { noInput: true }), /its target \(shop\.Tag -> shop\.Label\)/);
});

test('a --default of the wrong type for the field is a usage error', async () => {
  const before = project({ shop: [Client] });
  const after = project({ shop: [with_(Client, { rank: f.integer() })] });
  await assert.rejects(detect(before, after, { defaults: ['shop.Client.rank="high"'] }), { code: 'UsageError' });
});

test('the output is the same whatever order the models are declared in', async () => {
  const a = await detect(project({}), project({ shop: [Client, Computer, Author, Book], billing: [Tag] }));
  const b = await detect(project({}), project({ billing: [Tag], shop: [Book, Author, Computer, Client] }));
  assert.equal(formatChanges(a.changes), formatChanges(b.changes));
});

test('options a hand-written migration spells out at their default value are not a change', async () => {
  const { stateForwards } = await import('../../src/operations/registry.js');
  const { ops } = await import('../../src/operations/ops.js');
  const fromMigrations = [
    ops.createModel({
      name: 'Client',
      fields: { id: f.bigAuto({ primaryKey: true, null: false }), name: f.char({ maxLength: 255, unique: false }), bought: f.integer({ null: true }) },
      options: { managed: true },
    }),
  ].reduce((state, op) => stateForwards(state, 'shop', op), project({}));
  const detection = await detect(fromMigrations, project({ shop: [Client] }));
  assertChanges(detection, {});
});
