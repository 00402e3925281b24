import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { ConfigError, InvalidDefinitionError } from '../../src/errors/index.js';
import { loadMigrations } from '../../src/loader/index.js';
import { f } from '../../src/model/fields.js';
import { ops } from '../../src/operations/ops.js';
import { fixtureProject, tempProject } from './support.js';

/** Asserts the load fails with an InvalidDefinitionError whose message matches every pattern. */
async function rejectsWith(project: Parameters<typeof loadMigrations>[0], file: string | undefined, ...patterns: RegExp[]) {
  await assert.rejects(loadMigrations(project), (error: unknown) => {
    assert.ok(error instanceof InvalidDefinitionError, `expected InvalidDefinitionError, got ${String(error)}`);
    for (const pattern of patterns) assert.match(error.message, pattern);
    if (file !== undefined) assert.ok(error.file?.endsWith(file), `error.file is ${error.file}, expected it to end with ${file}`);
    return true;
  });
}

test('a linear history loads in name order with dependencies, flags and defaults filled in', async () => {
  const project = fixtureProject('linear');
  const migrations = await loadMigrations(project);
  assert.deepEqual(migrations.map((m) => `${m.app}.${m.name}`), ['shop.0001_initial', 'shop.0002_client_bought', 'shop.0003_fill_bought']);
  const [first, second, third] = migrations;
  assert.equal(first.initial, true);
  assert.equal(second.initial, false);
  assert.equal(second.atomic, true);
  assert.deepEqual(second.dependencies, [['shop', '0001_initial']]);
  assert.deepEqual(second.replaces, []);
  assert.deepEqual(second.runBefore, []);
  assert.deepEqual(second.operations, [ops.addField({ model: 'Client', name: 'bought', field: f.integer({ null: true }) })]);
  assert.equal(second.file, project.path('src/shop/migrations/0002_client_bought.ts'));
  assert.match(second.checksum, /^[0-9a-f]{64}$/);
  assert.equal(third.operations[0].kind, 'runCode');
});

test('a data migration keeps its functions, with imports from a helper file inlined', async () => {
  const [, , third] = await loadMigrations(fixtureProject('linear'));
  const op = third.operations[0];
  assert.equal(op.kind, 'runCode');
  if (op.kind !== 'runCode') return;
  assert.equal(typeof op.forward, 'function');
  assert.deepEqual(op.reverse, ops.noop);
  const updates: unknown[] = [];
  const apps = { getModel: () => ({ objects: { filter: () => ({ update: async (values: unknown) => updates.push(values) }) } }) };
  await op.forward({ apps, db: undefined });
  assert.deepEqual(updates, [{ bought: 0 }]);
});

test('migrations of several apps come in configuration order, with cross-app dependencies and runBefore', async () => {
  const migrations = await loadMigrations(fixtureProject('cross-app'));
  assert.deepEqual(migrations.map((m) => `${m.app}.${m.name}`), [
    'shop.0001_initial', 'shop.0002_computer', 'address_book.0001_initial', 'address_book.0002_address_street',
  ]);
  assert.deepEqual(migrations[2].dependencies, [['shop', '0001_initial']]);
  assert.deepEqual(migrations[1].runBefore, [['address_book', '0002_address_street']]);
  assert.equal(migrations[3].atomic, false);
  assert.deepEqual(migrations[3].operations[1], ops.addField({ model: 'Address', name: 'createdAt', field: f.dateTime({ default: f.now }) }));
});

test('only the apps asked for are loaded when a project lists a subset', async () => {
  const project = fixtureProject('cross-app');
  const migrations = await loadMigrations({ root: project.root, apps: project.apps.filter(([app]) => app === 'address_book') });
  assert.deepEqual(migrations.map((m) => m.app), ['address_book', 'address_book']);
});

test('a squashed migration is loaded next to the migrations it replaces, with its replaces list', async () => {
  const migrations = await loadMigrations(fixtureProject('replaces'));
  assert.deepEqual(migrations.map((m) => m.name), ['0001_initial', '0001_squashed_0002_client_name', '0002_client_name']);
  assert.deepEqual(migrations[1].replaces, [['shop', '0001_initial'], ['shop', '0002_client_name']]);
});

test('a syntax error names the file, line and column, and shows the line', async () => {
  await rejectsWith(
    fixtureProject('syntax-error'),
    'src/shop/migrations/0002_broken.ts',
    /src\/shop\/migrations\/0002_broken\.ts:6:86: /,
    /Expected "}" but found "\)"/,
    /\n {2}6 \| {5}ops\.addField/,
    /\n {4}\| {86}\^$/,
  );
});

test('a file without a default export is reported with how a migration file should end', async () => {
  const project = fixtureProject('no-default-export');
  await assert.rejects(loadMigrations(project), (error: InvalidDefinitionError) => {
    assert.match(error.message, /^src\/shop\/migrations\/0002_forgot_default\.ts: the file has no default export\.$/);
    assert.match(error.hint!, /export default migration\(/);
    return true;
  });
});

test('a default export that is not migration({...}) is reported', async () => {
  await rejectsWith(fixtureProject('not-a-migration'), '0002_plain_object.ts', /0002_plain_object\.ts: the default export is not migration\(\{\.\.\.\}\)/);
});

test('an unknown operation kind is reported with the known kinds', async () => {
  await rejectsWith(
    fixtureProject('unknown-operation'),
    '0002_typo.ts',
    /0002_typo\.ts: operations\[0\]: unknown operation kind "addFeild"; known kinds: createModel, deleteModel, .*addField.*createExtension/,
  );
});

test('dependencies that are not [app, name] pairs are reported', async () => {
  await rejectsWith(fixtureProject('bad-dependencies'), '0002_flat_dependency.ts', /dependencies: must be a list of \[app, migration\] pairs/);
});

test('a field of an unknown kind is reported with its place and the known kinds', async () => {
  await rejectsWith(
    fixtureProject('bad-field'),
    '0002_bad_field.ts',
    /operations\[0\] \(addField\)\.field: must be a field \(f\.\*\), got kind "integr"; known field kinds: auto, bigAuto/,
  );
});

test('a code file in migrations/ that is not named NNNN_words is reported; helpers and other files are not', async () => {
  await rejectsWith(
    fixtureProject('bad-file-name'),
    '2_client_bought.ts',
    /src\/shop\/migrations\/2_client_bought\.ts: '2_client_bought\.ts' is not a migration file name/,
  );
  // The linear fixture holds _helpers.ts and README.md: both ignored.
  assert.equal((await loadMigrations(fixtureProject('linear'))).length, 3);
});

test('two files with the same migration name are reported', async () => {
  await rejectsWith(fixtureProject('duplicate-name'), undefined, /Two files define migration shop\.0001_initial/);
});

test('a file that throws while it is evaluated is reported by name with the error as its cause', async () => {
  await assert.rejects(loadMigrations(fixtureProject('evaluation-error')), (error: InvalidDefinitionError) => {
    assert.match(error.message, /^src\/shop\/migrations\/0002_throws\.ts: loading the migration failed: f\.char\(\) needs \{ maxLength \}/);
    assert.ok(error.cause instanceof TypeError);
    return true;
  });
});

test('an app folder that does not exist is a configuration error', async () => {
  const project = tempProject();
  await assert.rejects(loadMigrations({ root: project.root, apps: [['ghost', 'src/ghost']] }), ConfigError);
});

test('an app without a migrations folder has no migrations', async () => {
  const project = tempProject();
  rmSync(project.path('src/shop/migrations'), { recursive: true });
  assert.deepEqual(await loadMigrations(project), []);
});
