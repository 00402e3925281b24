import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidDefinitionError } from '../../src/errors/index.js';
import { loadModels } from '../../src/loader/index.js';
import { f } from '../../src/model/fields.js';
import { fixtureProject, recorder, tempProject } from './support.js';

test("each app's models come back in declaration order, each once, though also exported in a list", async () => {
  const models = await loadModels(fixtureProject('cross-app'));
  assert.deepEqual(Object.keys(models), ['shop', 'address_book']);
  assert.deepEqual(models.shop.map((m) => m.name), ['Computer', 'Client']);
  assert.deepEqual(models.address_book.map((m) => m.name), ['Address']);
});

test('a model value referenced from another app is the very definition that app exports', async () => {
  const models = await loadModels(fixtureProject('cross-app'));
  const client = models.shop.find((m) => m.name === 'Client');
  const address = models.address_book[0];
  const target = address.fields.client;
  assert.ok(target.kind === 'foreignKey');
  assert.equal(target.to, client);
});

test('models keep their fields, options and shared fields spread from a helper file', async () => {
  const models = await loadModels(fixtureProject('cross-app'));
  const [computer] = models.shop;
  assert.deepEqual(Object.keys(computer.fields), ['id', 'brand', 'boughtBy']);
  assert.deepEqual(computer.options.indexes, [{ kind: 'index', fields: ['brand'], name: 'shop_computer_brand_idx' }]);
  assert.equal(computer.options.constraints?.length, 2);
  assert.deepEqual(models.address_book[0].fields.createdAt, f.dateTime({ default: f.now }));
});

test('apps without a models file have no models', async () => {
  const models = await loadModels(fixtureProject('replaces'));
  assert.deepEqual(models, { shop: [] });
});

test('a model exported by the models files of two apps is reported', async () => {
  await assert.rejects(loadModels(fixtureProject('models-shared')), (error: InvalidDefinitionError) => {
    assert.ok(error instanceof InvalidDefinitionError);
    assert.match(error.message, /Model Client is exported by the models files of both 'shop' and 'address_book'/);
    return true;
  });
});

test('two models with the same name in one app are reported', async () => {
  const project = tempProject();
  project.write('src/shop/models.ts', "import { model } from 'sediment-migrations';\nexport const A = model('Client', {});\nexport const B = model('client', {});\n");
  await assert.rejects(loadModels(project), /app 'shop' declares two models named Client and client/);
});

test('a models file that throws while it is evaluated is reported by name', async () => {
  const project = tempProject([['shop', 'src/shop'], ['billing', 'src/billing']]);
  project.write('src/shop/models.ts', "import { f, model } from 'sediment-migrations';\nexport const Client = model('Client', { name: f.text() });\n");
  project.write('src/billing/models.ts', "import { model } from 'sediment-migrations';\nexport const Invoice = model('not an identifier', {});\n");
  await assert.rejects(loadModels(project), (error: InvalidDefinitionError) => {
    assert.match(error.message, /^src\/billing\/models\.ts: loading the models failed: model\(\): the model name must be an identifier/);
    assert.equal(error.file, project.path('src/billing/models.ts'));
    return true;
  });
});

test('a syntax error in a models file names the file and line', async () => {
  const project = tempProject();
  project.write('src/shop/models.ts', "import { f, model } from 'sediment-migrations';\nexport const Client = model('Client', { name: f.text( });\n");
  await assert.rejects(loadModels(project), /Cannot compile the models files: src\/shop\/models\.ts:2:/);
});

test('models are cached: unchanged files compile nothing, a changed helper recompiles', async () => {
  const project = fixtureProject('cross-app');
  await loadModels(project);
  const second = recorder();
  await loadModels(project, second);
  assert.deepEqual(second.events.map((e) => e.kind), ['cache-hit']);
  project.write('src/address_book/_fields.ts', "import { f } from 'sediment-migrations';\nexport const timestamps = { createdAt: f.dateTime(), updatedAt: f.dateTime() };\n");
  const third = recorder();
  const models = await loadModels(project, third);
  assert.deepEqual(third.events.map((e) => e.kind), ['compile', 'bundle-written']);
  assert.deepEqual(Object.keys(models.address_book[0].fields), ['id', 'createdAt', 'updatedAt', 'street', 'client']);
});

test('models files may be JavaScript', async () => {
  const project = tempProject();
  project.write('src/shop/models.mjs', "import { f, model } from 'sediment-migrations';\nexport const Client = model('Client', { name: f.text() });\n");
  const models = await loadModels(project);
  assert.deepEqual(models.shop.map((m) => m.name), ['Client']);
});
