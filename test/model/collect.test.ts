import { test } from 'node:test';
import assert from 'node:assert/strict';
import { projectStateFromModels } from '../../src/model/collect.js';
import { check, f, index, model, unique } from '../../src/index.js';
import type { ModelDefinition } from '../../src/model/model.js';
import { InvalidDefinitionError } from '../../src/errors/index.js';
import { getField } from '../../src/state/project-state.js';

const name = f.char({ maxLength: 255 });
const Client = model('Client', { name });

function collect(apps: Record<string, ModelDefinition[]>) {
  return projectStateFromModels(Object.entries(apps));
}

/** Asserts that collecting fails with an InvalidDefinitionError whose message matches every pattern. */
function rejects(apps: Record<string, ModelDefinition[]>, ...patterns: RegExp[]): void {
  assert.throws(
    () => collect(apps),
    (error: unknown) => {
      assert.ok(error instanceof InvalidDefinitionError, String(error));
      for (const pattern of patterns) assert.match(error.message, pattern);
      return true;
    },
  );
}

test('references by bare name, app-qualified name, model value and self all become app.Model', () => {
  const Computer = model('Computer', {
    a: f.foreignKey('Client', { onDelete: 'cascade' }),
    b: f.foreignKey('shop.client', { onDelete: 'cascade' }),
    c: f.foreignKey(Client, { onDelete: 'cascade' }),
    parent: f.foreignKey('self', { onDelete: 'cascade', null: true }),
  });
  const Invoice = model('Invoice', { computer: f.oneToOne(Computer, { onDelete: 'protect' }), clients: f.manyToMany(Client) });
  const state = collect({ shop: [Client, Computer], billing: [Invoice] });
  const to = (app: string, m: string, field: string) => (getField(state.get(app, m), field) as { to: string }).to;
  assert.deepEqual(
    ['a', 'b', 'c', 'parent'].map((field) => to('shop', 'Computer', field)),
    ['shop.Client', 'shop.Client', 'shop.Client', 'shop.Computer'],
  );
  assert.equal(to('billing', 'Invoice', 'computer'), 'shop.Computer');
  assert.equal(to('billing', 'Invoice', 'clients'), 'shop.Client');
});

test('a model without a primary key gets id first', () => {
  const state = collect({ shop: [Client] });
  assert.deepEqual(state.get('shop', 'Client').fields.map(([n]) => n), ['id', 'name']);
  assert.deepEqual(state.get('shop', 'Client').fields[0][1], { kind: 'bigAuto', primaryKey: true });
});

test('unnamed indexes and constraints get deterministic names', () => {
  const Computer = model('Computer', { brand: name, boughtBy: f.foreignKey('Client', { onDelete: 'cascade' }) }, {
    indexes: [index(['brand']), index(['brand'], { condition: "brand <> ''" })],
    constraints: [unique(['brand', 'boughtBy']), check("brand <> ''")],
  });
  const options = collect({ shop: [Client, Computer] }).get('shop', 'Computer').options;
  const names = [...options.indexes!, ...options.constraints!].map((x) => x.name);
  assert.equal(names[0], 'shop_computer_brand_b222600a_idx');
  assert.match(names[1]!, /^shop_computer_brand_[0-9a-f]{8}_idx$/);
  assert.equal(names[2], 'shop_computer_brand_bought_by_id_104e2f4e_uniq');
  assert.match(names[3]!, /^shop_computer_[0-9a-f]{8}_check$/);
  assert.deepEqual(names, [...collect({ shop: [Client, Computer] }).get('shop', 'Computer').options.indexes!, ...options.constraints!].map((x) => x.name));
});

test('generated names of long tables and columns stay within 63 bytes', () => {
  const Long = model('AVeryLongModelNameThatKeepsGoingAndGoing', {
    anEvenLongerFieldNameThatNobodyShouldWrite: name,
    anotherRatherLongFieldName: name,
  }, { indexes: [index(['anEvenLongerFieldNameThatNobodyShouldWrite', 'anotherRatherLongFieldName'])] });
  const [generated] = collect({ shop: [Long] }).get('shop', Long.name).options.indexes!;
  assert.ok(Buffer.byteLength(generated.name!) <= 63, generated.name);
  assert.match(generated.name!, /_idx$/);
});

test('options that restate a default are dropped, so they are never a change', () => {
  const state = collect({ shop: [model('Client', { name: f.char({ maxLength: 9, null: false, unique: false, blank: false }) }, { managed: true })] });
  const model_ = state.get('shop', 'Client');
  assert.deepEqual(getField(model_, 'name'), { kind: 'char', maxLength: 9 });
  assert.deepEqual(model_.options, {});
});

test('a reference to an unknown model names the models the app has', () => {
  rejects({ shop: [Client, model('Computer', { owner: f.foreignKey('Cilent', { onDelete: 'cascade' }) })] }, /shop\.Computer\.owner refers to "Cilent", but app shop has no model Cilent \(it has: Client, Computer\)/);
});

test('a reference to an unknown app names the apps', () => {
  rejects({ shop: [model('Computer', { owner: f.foreignKey('crm.Client', { onDelete: 'cascade' }) })] }, /there is no app crm \(apps: shop\)/);
});

test('a model value that no app exports cannot be referenced', () => {
  const Stray = model('Stray', {});
  rejects({ shop: [model('Computer', { owner: f.foreignKey(Stray, { onDelete: 'cascade' }) })] }, /model value Stray, which no app's models\.ts exports/);
});

test('a model exported by two apps is an error', () => {
  rejects({ shop: [Client], billing: [Client] }, /exported by both shop and billing/);
});

test('two models with the same name in an app are an error, whatever the case', () => {
  rejects({ shop: [Client, model('client', {})] }, /two models named Client and client/);
});

test('indexes, constraints, uniqueTogether and ordering must name existing fields', () => {
  rejects(
    {
      shop: [model('Client', { name, tags: f.manyToMany('Client') }, {
        indexes: [index(['nmae'])],
        constraints: [unique(['tags'])],
        uniqueTogether: [['name', 'missing']],
        ordering: ['-age'],
      })],
    },
    /index #1 names the field "nmae", which Client does not have \(fields: id, name, tags\)/,
    /names the many-to-many field tags/,
    /uniqueTogether\[0\] names the field "missing"/,
    /ordering names "-age"/,
    /4 problems/,
  );
});

test('a model has exactly one primary key', () => {
  rejects({ shop: [model('Client', { code: f.char({ maxLength: 9, primaryKey: true }), other: f.integer({ primaryKey: true }) })] }, /2 primary keys \(code, other\)/);
});

test('field names must be identifiers without __ or a trailing underscore', () => {
  rejects({ shop: [model('Client', { 'bad name': name, a__b: name, trailing_: name, pk: name })] }, /not a valid identifier/, /"__"/, /underscore/, /"pk" is reserved/);
});

test("onDelete: 'setNull' needs null: true", () => {
  rejects({ shop: [Client, model('Computer', { owner: f.foreignKey('Client', { onDelete: 'setNull' }) })] }, /shop\.Computer\.owner: onDelete: 'setNull' needs null: true/);
});

test('toField must exist on the target and be unique', () => {
  const Target = model('Target', { code: f.char({ maxLength: 9 }), slug: f.slug({ unique: true }) });
  rejects({ shop: [Target, model('A', { t: f.foreignKey('Target', { onDelete: 'cascade', toField: 'nope' }) })] }, /toField nope does not exist on shop\.Target \(fields: id, code, slug\)/);
  rejects({ shop: [Target, model('A', { t: f.foreignKey('Target', { onDelete: 'cascade', toField: 'code' }) })] }, /shop\.Target\.code must be unique/);
  assert.ok(collect({ shop: [Target, model('A', { t: f.foreignKey('Target', { onDelete: 'cascade', toField: 'slug' }) })] }));
});

test('two fields on one column are an error', () => {
  rejects({ shop: [Client, model('A', { client: f.foreignKey('Client', { onDelete: 'cascade' }), clientId: f.integer() })] }, /fields client and clientId both use the column client_id/);
});

test('index and constraint names are unique across the project', () => {
  rejects({
    shop: [model('A', { x: name }, { indexes: [index(['x'], { name: 'same' })] })],
    billing: [model('B', { y: name }, { constraints: [unique(['y'], { name: 'same' })] })],
  }, /the name same is used by two indexes or constraints \(shop\.A and billing\.B\)/);
});

test('a through model must point at both ends', () => {
  const Tag = model('Tag', { label: name });
  const Tagging = model('Tagging', { tag: f.foreignKey('Tag', { onDelete: 'cascade' }) });
  rejects({ shop: [Tag, Tagging, model('Post', { tags: f.manyToMany('Tag', { through: 'Tagging' }) })] }, /through model shop\.Tagging needs a foreign key to shop\.Post/);
});

test('auto fields must be the primary key and decimals must fit', () => {
  rejects({ shop: [model('A', { n: f.auto(), d: f.decimal({ maxDigits: 2, decimalPlaces: 3 }) })] }, /f\.auto\(\) must be the primary key/, /decimalPlaces \(3\) cannot exceed maxDigits \(2\)/);
});

test('two ways of making the same fields unique are refused', () => {
  const Computer = model('Computer', { brand: f.char({ maxLength: 10, unique: true }), code: f.integer() }, {
    constraints: [unique(['brand'])],
    uniqueTogether: [['code', 'brand'], ['brand', 'code']],
  });
  assert.throws(() => projectStateFromModels([['shop', [Computer]]]), (error: Error) => {
    assert.match(error.message, /the field brand \(unique\) and the constraint shop_computer_brand_\w+_uniq both make \(brand\) unique/);
    assert.match(error.message, /uniqueTogether \[code, brand\] and uniqueTogether \[brand, code\] both make/);
    return true;
  });
});
