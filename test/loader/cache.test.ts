import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidDefinitionError } from '../../src/errors/index.js';
import { loadMigrations } from '../../src/loader/index.js';
import { ops } from '../../src/operations/ops.js';
import { fixtureProject, recorder, tempProject } from './support.js';

const migration = (n: number, deps = '[]') => `import { f, migration, ops } from 'sediment-migrations';

export default migration({
  dependencies: ${deps},
  operations: [ops.addField({ model: 'Client', name: 'field${n}', field: f.integer({ null: true }) })],
});
`;

const cacheFiles = (root: string) => readdirSync(join(root, '.sediment', 'cache')).sort();

test('a second load with nothing changed compiles nothing and reads the cached bundle', async () => {
  const project = fixtureProject('linear');
  const first = recorder();
  await loadMigrations(project, first);
  assert.deepEqual(first.compiled(), [
    'src/shop/migrations/0001_initial.ts', 'src/shop/migrations/0002_client_bought.ts', 'src/shop/migrations/0003_fill_bought.ts',
  ]);
  const second = recorder();
  const migrations = await loadMigrations(project, second);
  assert.deepEqual(second.events.map((e) => e.kind), ['cache-hit']);
  assert.equal(migrations.length, 3);
});

test('editing a file recompiles that file alone', async () => {
  const project = fixtureProject('linear');
  await loadMigrations(project);
  const path = 'src/shop/migrations/0002_client_bought.ts';
  project.write(path, `${project.read(path)}// edited\n`);
  const again = recorder();
  await loadMigrations(project, again);
  assert.deepEqual(again.compiled(), [path]);
  assert.deepEqual(again.events.map((e) => e.kind), ['compile', 'bundle-written']);
});

test('touching a file without changing its content compiles nothing: the cache is keyed by content', async () => {
  const project = fixtureProject('linear');
  await loadMigrations(project);
  project.touch('src/shop/migrations/0002_client_bought.ts');
  const again = recorder();
  await loadMigrations(project, again);
  assert.deepEqual(again.events.map((e) => e.kind), ['cache-hit']);
});

test('a same-size edit that keeps the modification time is compiled and its new code runs', async () => {
  const project = fixtureProject('linear');
  const path = 'src/shop/migrations/_helpers.ts';
  // A whole second, which every filesystem stores exactly, as `touch -r` or `tar` would restore it.
  const when = new Date('2026-01-01T00:00:00Z');
  utimesSync(project.path(path), when, when);
  await loadMigrations(project);
  const text = project.read(path);
  const edited = text.replace(/\d/, (d) => String((Number(d) + 1) % 10));
  assert.equal(edited.length, text.length);
  project.write(path, edited);
  utimesSync(project.path(path), when, when);
  assert.equal(statSync(project.path(path)).mtimeMs, when.getTime());
  const again = recorder();
  const migrations = await loadMigrations(project, again);
  assert.deepEqual(again.compiled(), ['src/shop/migrations/0003_fill_bought.ts']);
  const op = migrations[2].operations[0];
  assert.ok(op.kind === 'runCode');
  const updates: unknown[] = [];
  const apps = { getModel: () => ({ objects: { filter: () => ({ update: async (values: unknown) => updates.push(values) }) } }) };
  await op.forward({ apps, db: undefined });
  assert.deepEqual(updates, [{ bought: Number(/(\d+)/.exec(edited)![1]) }]);
});

test('a new migration file is compiled alone and appears in the result', async () => {
  const project = fixtureProject('linear');
  await loadMigrations(project);
  project.write('src/shop/migrations/0004_more.ts', migration(4, "[['shop', '0003_fill_bought']]"));
  const again = recorder();
  const migrations = await loadMigrations(project, again);
  assert.deepEqual(again.compiled(), ['src/shop/migrations/0004_more.ts']);
  assert.deepEqual(migrations.map((m) => m.name).at(-1), '0004_more');
});

test('a removed migration file disappears without anything being compiled', async () => {
  const project = fixtureProject('linear');
  await loadMigrations(project);
  project.remove('src/shop/migrations/0003_fill_bought.ts');
  const again = recorder();
  const migrations = await loadMigrations(project, again);
  assert.deepEqual(again.compiled(), []);
  assert.deepEqual(migrations.map((m) => m.name), ['0001_initial', '0002_client_bought']);
});

test('changing a helper file that a migration imports recompiles that migration and uses the new code', async () => {
  const project = fixtureProject('linear');
  await loadMigrations(project);
  project.write('src/shop/migrations/_helpers.ts', 'export const DEFAULT_BOUGHT = 42;\n');
  const again = recorder();
  const migrations = await loadMigrations(project, again);
  assert.deepEqual(again.compiled(), ['src/shop/migrations/0003_fill_bought.ts']);
  const op = migrations[2].operations[0];
  assert.ok(op.kind === 'runCode');
  const updates: unknown[] = [];
  const apps = { getModel: () => ({ objects: { filter: () => ({ update: async (values: unknown) => updates.push(values) }) } }) };
  await op.forward({ apps, db: undefined });
  assert.deepEqual(updates, [{ bought: 42 }]);
});

test('writing a new bundle removes the older one', async () => {
  const project = fixtureProject('linear');
  await loadMigrations(project);
  project.touch('src/shop/migrations/0001_initial.ts');
  await loadMigrations(project);
  const bundles = cacheFiles(project.root).filter((name) => name.startsWith('migrations-'));
  assert.equal(bundles.filter((name) => name.endsWith('.mjs')).length, 1, bundles.join(', '));
  assert.equal(bundles.filter((name) => name.endsWith('.json')).length, 1, bundles.join(', '));
});

test('the cache folder is ignored by git', async () => {
  const project = fixtureProject('linear');
  await loadMigrations(project);
  assert.equal(readFileSync(join(project.root, '.sediment', 'cache', '.gitignore'), 'utf8'), '*\n');
});

test('a deleted cache folder is rebuilt', async () => {
  const project = fixtureProject('linear');
  await loadMigrations(project);
  rmSync(join(project.root, '.sediment'), { recursive: true });
  const again = recorder();
  assert.equal((await loadMigrations(project, again)).length, 3);
  assert.equal(again.compiled().length, 3);
});

test('a bundle without its manifest is put together again from the stored pieces, without compiling', async () => {
  const project = fixtureProject('linear');
  await loadMigrations(project);
  for (const name of cacheFiles(project.root)) {
    if (name.startsWith('migrations-')) rmSync(join(project.root, '.sediment', 'cache', name));
  }
  const again = recorder();
  assert.equal((await loadMigrations(project, again)).length, 3);
  assert.deepEqual(again.events.map((e) => e.kind), ['bundle-written']);
});

test('the cache can live in another folder', async () => {
  const project = fixtureProject('linear');
  const cacheDir = project.path('elsewhere/cache');
  await loadMigrations(project, { cacheDir });
  assert.ok(existsSync(cacheDir));
  assert.ok(!existsSync(project.path('.sediment')));
  const again = recorder();
  await loadMigrations(project, { cacheDir, onEvent: again.onEvent });
  assert.deepEqual(again.events.map((e) => e.kind), ['cache-hit']);
});

test("'sediment-migrations' in a migration file is the running instance, though the project has no node_modules", async () => {
  const project = fixtureProject('linear');
  assert.ok(!existsSync(project.path('node_modules')));
  const [, , third] = await loadMigrations(project);
  const op = third.operations[0];
  assert.ok(op.kind === 'runCode');
  assert.equal(op.reverse, ops.noop);
});

test("other packages imported by migration files resolve from the project's node_modules, in every import form", async () => {
  const project = tempProject();
  project.write('node_modules/fake-pkg/package.json', JSON.stringify({ name: 'fake-pkg', type: 'module', exports: './index.js' }));
  project.write('node_modules/fake-pkg/index.js', "export default 'default-value';\nexport const named = 'named-value';\n");
  project.write('node_modules/cjs-pkg/package.json', JSON.stringify({ name: 'cjs-pkg', main: 'index.js' }));
  project.write('node_modules/cjs-pkg/index.js', "module.exports = { answer: 42 };\n");
  project.write(
    'src/shop/migrations/0001_initial.ts',
    `import { migration, ops } from 'sediment-migrations';
import fake, { named as renamed } from 'fake-pkg';
import * as everything from 'fake-pkg';
import cjs from 'cjs-pkg';
import { join } from 'node:path';

export default migration({
  dependencies: [],
  operations: [
    ops.runSql({ sql: [fake, renamed, everything.named, String(cjs.answer), join('a', 'b')], reverseSql: ops.noop }),
  ],
});
`,
  );
  const [first] = await loadMigrations(project);
  assert.deepEqual(first.operations[0], ops.runSql({ sql: ['default-value', 'named-value', 'named-value', '42', 'a/b'], reverseSql: ops.noop }));
});

test('after a broken file is fixed only that file is recompiled', async () => {
  const project = fixtureProject('linear');
  await loadMigrations(project);
  const path = 'src/shop/migrations/0002_client_bought.ts';
  const good = project.read(path);
  project.write(path, good.replace("f.integer({ null: true })", "{ kind: 'integr' } as any"));
  await assert.rejects(loadMigrations(project), InvalidDefinitionError);
  // Not the original text: that version's bundle is still cached and would be read without compiling.
  project.write(path, `${good}// fixed\n`);
  const again = recorder();
  assert.equal((await loadMigrations(project, again)).length, 3);
  assert.deepEqual(again.compiled(), [path]);
});

test('loading twice in one process gives equal migrations', async () => {
  const project = fixtureProject('cross-app');
  const first = await loadMigrations(project);
  const second = await loadMigrations(project);
  assert.deepEqual(second, first);
});

test('a manifest whose bundle has gone is rebuilt from the stored pieces', async () => {
  const project = fixtureProject('linear');
  await loadMigrations(project);
  for (const name of cacheFiles(project.root)) {
    if (name.startsWith('migrations-') && name.endsWith('.mjs')) rmSync(join(project.root, '.sediment', 'cache', name));
  }
  const again = recorder();
  assert.equal((await loadMigrations(project, again)).length, 3);
  assert.deepEqual(again.events.map((e) => e.kind), ['bundle-written']);
});
