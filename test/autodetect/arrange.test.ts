import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrangeChanges, parseNumber, suggestName } from '../../src/autodetect/arrange.js';
import type { Changes } from '../../src/autodetect/types.js';
import { f, model } from '../../src/index.js';
import { ops } from '../../src/operations/ops.js';
import { detect, project } from './helpers.js';

const field = f.integer({ null: true });
const addField = (m: string, name: string) => ops.addField({ model: m, name, field });

test('the first migration of an app without migrations is 0001_initial', () => {
  const changes: Changes = { shop: [{ operations: [ops.createModel({ name: 'Client', fields: {} })], dependencies: [], initial: true }] };
  const arranged = arrangeChanges(changes, {});
  assert.equal(arranged[0].name, '0001_initial');
  assert.deepEqual(arranged[0].dependencies, []);
  assert.equal(arranged[0].initial, true);
});

test('a migration after the leaf takes the next number and the operations’ name fragments', () => {
  const changes: Changes = {
    shop: [{ operations: [addField('Client', 'bought')], dependencies: [{ kind: 'existing', app: 'shop', name: '0003_x' }], initial: false }],
  };
  const [migration] = arrangeChanges(changes, { shop: '0003_x' });
  assert.equal(migration.name, '0004_client_bought');
  assert.deepEqual(migration.dependencies, [['shop', '0003_x']]);
});

test('fragments are joined while the name stays within 52 characters, then _and_more', () => {
  const operations = [addField('Client', 'first_field'), addField('Client', 'second_field'), addField('Client', 'third_field')];
  assert.equal(suggestName({ operations, initial: false }), 'client_first_field_client_second_field_and_more');
  assert.equal(suggestName({ operations: operations.slice(0, 2), initial: false }), 'client_first_field_client_second_field');
});

test('a migration without operations is named auto with the injected time', () => {
  const name = suggestName({ operations: [], initial: false }, () => new Date(2024, 0, 2, 3, 4));
  assert.equal(name, 'auto_20240102_0304');
});

test('--name replaces the words of every migration written', () => {
  const changes: Changes = {
    shop: [
      { operations: [addField('A', 'x')], dependencies: [], initial: false },
      { operations: [addField('A', 'y')], dependencies: [{ kind: 'planned', app: 'shop', index: 0 }], initial: false },
    ],
  };
  const arranged = arrangeChanges(changes, { shop: '0007_prev' }, { name: 'backfill' });
  assert.deepEqual(arranged.map((m) => m.name), ['0008_backfill', '0009_backfill']);
  assert.deepEqual(arranged[1].dependencies, [['shop', '0008_backfill']]);
});

test('an invalid --name is a usage error', () => {
  assert.throws(() => arrangeChanges({}, {}, { name: 'has space' }), { code: 'UsageError' });
});

test('numbers continue after a squashed migration from the last number it replaces', () => {
  assert.equal(parseNumber('0001_squashed_0004_auto'), 4);
  assert.equal(parseNumber('0012_client_bought'), 12);
  assert.equal(parseNumber('custom'), 0);
});

test('cross-app dependencies resolve to the names chosen for the planned migrations', async () => {
  const Order = model('Order', { invoice: f.foreignKey('billing.Invoice', { onDelete: 'cascade', null: true }) });
  const Invoice = model('Invoice', { order: f.foreignKey('shop.Order', { onDelete: 'cascade', null: true }) });
  const { changes } = await detect(project({}), project({ shop: [Order], billing: [Invoice] }));
  const arranged = arrangeChanges(changes, {});
  assert.deepEqual(
    arranged.map((m) => [`${m.app}.${m.name}`, m.dependencies.map((d) => d.join('.'))]),
    [
      ['billing.0001_initial', []],
      ['billing.0002_initial', ['billing.0001_initial', 'shop.0001_initial']],
      ['shop.0001_initial', ['billing.0001_initial']],
    ],
  );
});
