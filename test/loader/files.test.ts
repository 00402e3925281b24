import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMigrationNumber, migrationFiles, modelsFile, nextMigrationNumber } from '../../src/loader/index.js';
import { InvalidDefinitionError } from '../../src/errors/index.js';
import { tempProject } from './support.js';

const empty = "import { migration } from 'sediment-migrations';\nexport default migration({});\n";

test('migration files are listed per app in configuration order, then by name, with their numbers', () => {
  const project = tempProject([['shop', 'src/shop'], ['address_book', 'src/address_book']]);
  project.write('src/address_book/migrations/0001_initial.ts', empty);
  project.write('src/shop/migrations/0002_second.mts', empty);
  project.write('src/shop/migrations/0001_initial.js', empty);
  project.write('src/shop/migrations/0010_tenth.mjs', empty);
  const files = migrationFiles(project);
  assert.deepEqual(files.map((m) => `${m.app}.${m.name}#${m.number}`), [
    'shop.0001_initial#1', 'shop.0002_second#2', 'shop.0010_tenth#10', 'address_book.0001_initial#1',
  ]);
  assert.equal(files[0].file, project.path('src/shop/migrations/0001_initial.js'));
  assert.equal(files[0].relativePath, 'src/shop/migrations/0001_initial.js');
  assert.deepEqual(migrationFiles(project, ['address_book']).map((m) => m.name), ['0001_initial']);
});

test('helpers, dot files, declaration files, folders and non-code files in migrations/ are ignored', () => {
  const project = tempProject();
  project.write('src/shop/migrations/0001_initial.ts', empty);
  project.write('src/shop/migrations/_shared.ts', 'export {};\n');
  project.write('src/shop/migrations/.scratch.ts', 'export {};\n');
  project.write('src/shop/migrations/0001_initial.d.ts', 'export {};\n');
  project.write('src/shop/migrations/notes.md', '# notes\n');
  project.write('src/shop/migrations/data.json', '{}\n');
  project.write('src/shop/migrations/fixtures/0002_not_here.ts', empty);
  assert.deepEqual(migrationFiles(project).map((m) => m.name), ['0001_initial']);
});

test('numbers past 9999 keep working', () => {
  const project = tempProject();
  project.write('src/shop/migrations/10000_big.ts', empty);
  assert.deepEqual(migrationFiles(project).map((m) => m.number), [10000]);
});

test('a code file with another name is an error that says how to name it or mark it as a helper', () => {
  const project = tempProject();
  project.write('src/shop/migrations/index.ts', 'export {};\n');
  assert.throws(() => migrationFiles(project), (error: InvalidDefinitionError) => {
    assert.match(error.message, /'index\.ts' is not a migration file name; migration files are named NNNN_words\.ts/);
    assert.match(error.hint!, /start its name with '_'/);
    return true;
  });
});

test('the next migration number is one more than the highest, whatever the gaps and squashes', () => {
  assert.equal(nextMigrationNumber([]), 1);
  assert.equal(nextMigrationNumber(['0001_initial', '0002_x']), 3);
  assert.equal(nextMigrationNumber(['0001_initial', '0001_squashed_0004_y', '0004_y', '0002_x']), 5);
  assert.equal(formatMigrationNumber(5), '0005');
  assert.equal(formatMigrationNumber(12345), '12345');
});

test('an app has at most one models file', () => {
  const project = tempProject();
  assert.equal(modelsFile(project, 'shop', 'src/shop'), undefined);
  project.write('src/shop/models.ts', 'export {};\n');
  assert.equal(modelsFile(project, 'shop', 'src/shop'), project.path('src/shop/models.ts'));
  project.write('src/shop/models.js', 'export {};\n');
  assert.throws(() => modelsFile(project, 'shop', 'src/shop'), /App 'shop' has more than one models file/);
});
