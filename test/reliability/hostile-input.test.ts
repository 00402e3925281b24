import { postgresBackend } from '../../src/backends/postgres/backend.js';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_EXCLUDED_TABLES, introspectPostgres } from '../../src/backends/postgres/introspector.js';
import { buildGraph, stateAt } from '../../src/graph/index.js';
import { loadMigrations } from '../../src/loader/index.js';
import { compareSchemas } from '../../src/schema/compare.js';
import { expectedSchema } from '../../src/schema/expected-schema.js';
import { Naming } from '../../src/state/names.js';
import { assertRun, cliTargets, expectRun, withProject, type CliProject, type CliResult } from '../support/cli.js';

/**
 * Hostile input (issue 5). Whatever people put in their migration files, models files and history
 * table, Sediment answers with one clear error — exit 1 (2 for bad usage), one `error:` block, no
 * stack trace, no "internal error" — and leaves the database as it was: the schema (introspected,
 * history table included) and the history rows are compared before and after every case. Names that
 * are legal in PostgreSQL but need quoting (reserved words, quotes, semicolons, spaces, unicode, names
 * cut to 63 bytes) work end to end, and defaults that look like SQL are stored as the strings they are.
 */

const shopModels = `import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
});
`;

/** The schema (every table, the history table too) and the history rows with their checksums. */
async function databaseState(project: CliProject): Promise<string> {
  return project.withDatabase(async (db) => {
    const schema = await introspectPostgres(db, { exclude: [] });
    const { rows: [{ found }] } = await db.query<{ found: string | null }>(`SELECT to_regclass('sediment_migrations')::text AS found`);
    const history = found ? (await db.query('SELECT * FROM sediment_migrations ORDER BY app, name')).rows : [];
    return JSON.stringify({ schema, history }, null, 1);
  });
}

/** One `error:` line on stderr (the rest of the block is indented under it). */
function assertOneError(result: CliResult): void {
  const errors = result.stderr.split('\n').filter((line) => /^error(\[\w+\])?:/.test(line));
  assertRun(result, errors.length === 1, `expected exactly one 'error:' line on stderr, found ${errors.length}`);
}

interface HostileCase {
  readonly name: string;
  /** Files written (relative to the project) before the command and removed after it. */
  readonly files: Readonly<Record<string, string>>;
  readonly args: readonly string[];
  readonly code: 1 | 2;
  readonly stderr: readonly (string | RegExp)[];
}

const migrationFile = (body: string) => `import { check, f, index, migration, ops } from 'sediment-migrations';\n\n${body}\n`;
const after0001 = (operations: string) =>
  migrationFile(`export default migration({\n  dependencies: [['shop', '0001_initial']],\n  operations: [\n    ${operations},\n  ],\n});`);
const bad = 'src/shop/migrations/0002_bad.ts';

const migrationCases: readonly HostileCase[] = [
  {
    name: 'a syntax error names the file, line and column',
    files: { [bad]: after0001("ops.runSql({ sql: 'SELECT 1' }) ops.noop") },
    args: ['migrate'], code: 1, stderr: [/src\/shop\/migrations\/0002_bad\.ts:\d+:\d+/],
  },
  {
    name: 'a file without a default export',
    files: { [bad]: migrationFile("export const operations = [ops.runSql({ sql: 'SELECT 1' })];") },
    args: ['migrate'], code: 1, stderr: ['0002_bad.ts', 'no default export'],
  },
  {
    name: 'a default export that is not migration({...})',
    files: { [bad]: migrationFile("export default { dependencies: [['shop', '0001_initial']], operations: [] };") },
    args: ['migrate'], code: 1, stderr: ['0002_bad.ts', 'is not migration({...})'],
  },
  {
    name: 'a file that throws while it is evaluated',
    files: { [bad]: migrationFile("throw new Error('boom at load');\nexport default migration({ operations: [] });") },
    args: ['migrate'], code: 1, stderr: ['0002_bad.ts', 'boom at load'],
  },
  {
    name: 'an unknown operation kind',
    files: { [bad]: after0001("{ kind: 'frobnicate', model: 'Client' } as never") },
    args: ['migrate'], code: 1, stderr: ['0002_bad.ts', 'unknown operation kind "frobnicate"', 'createModel'],
  },
  {
    name: "maxLength: 'x'",
    files: { [bad]: after0001("ops.addField({ model: 'Client', name: 'code', field: f.char({ maxLength: 'x' as never, null: true }) })") },
    args: ['migrate'], code: 1, stderr: ['0002_bad.ts', 'maxLength: must be an integer, got "x"'],
  },
  {
    name: "onDelete: 'boom'",
    files: { [bad]: after0001("ops.addField({ model: 'Client', name: 'parent', field: f.foreignKey('shop.Client', { onDelete: 'boom' as never, null: true }) })") },
    args: ['migrate'], code: 1, stderr: ['0002_bad.ts', 'onDelete: must be one of', 'got "boom"'],
  },
  {
    name: "null: 'yes'",
    files: { [bad]: after0001("ops.addField({ model: 'Client', name: 'rank', field: f.integer({ null: 'yes' as never }) })") },
    args: ['migrate'], code: 1, stderr: ['0002_bad.ts', 'null: must be true or false, got "yes"'],
  },
  {
    name: "atomic: 'yes'",
    files: { [bad]: migrationFile("export default migration({ dependencies: [['shop', '0001_initial']], atomic: 'yes' as never, operations: [] });") },
    args: ['migrate'], code: 1, stderr: ['0002_bad.ts', 'atomic: must be true or false'],
  },
  {
    name: 'dependencies that are not [app, name] pairs',
    files: { [bad]: migrationFile("export default migration({ dependencies: 'shop' as never, operations: [] });") },
    args: ['migrate'], code: 1, stderr: ['0002_bad.ts', 'dependencies: must be a list of [app, migration] pairs'],
  },
  {
    name: 'a dependency cycle',
    files: {
      'src/shop/migrations/0002_a.ts': migrationFile("export default migration({ dependencies: [['shop', '0001_initial'], ['shop', '0003_b']], operations: [] });"),
      'src/shop/migrations/0003_b.ts': migrationFile("export default migration({ dependencies: [['shop', '0002_a']], operations: [] });"),
    },
    args: ['migrate'], code: 1, stderr: ['Circular dependency', 'shop.0002_a', 'shop.0003_b'],
  },
  {
    name: 'two files defining one migration name',
    files: {
      'src/shop/migrations/0002_dup.ts': after0001("ops.runSql({ sql: 'SELECT 1', reverseSql: ops.noop })"),
      'src/shop/migrations/0002_dup.js': after0001("ops.runSql({ sql: 'SELECT 2', reverseSql: ops.noop })"),
    },
    args: ['migrate'], code: 1, stderr: ['shop.0002_dup', '0002_dup.js', '0002_dup.ts'],
  },
  {
    name: 'a dependency on a migration that does not exist',
    files: { [bad]: migrationFile("export default migration({ dependencies: [['shop', '0009_gone']], operations: [] });") },
    args: ['migrate'], code: 1, stderr: ['shop.0002_bad depends on shop.0009_gone, which does not exist'],
  },
  {
    name: 'a dependency on an app that is not in the project',
    files: { [bad]: migrationFile("export default migration({ dependencies: [['ghost', '0001_initial']], operations: [] });") },
    args: ['migrate'], code: 1, stderr: ['ghost.0001_initial', 'not in the project'],
  },
  {
    name: 'an operation on a model that does not exist',
    files: { [bad]: after0001("ops.addField({ model: 'Ghost', name: 'x', field: f.integer({ null: true }) })") },
    args: ['migrate'], code: 1, stderr: ['shop.Ghost does not exist', 'Client'],
  },
  {
    name: 'a foreign key to a model that does not exist',
    files: { [bad]: after0001("ops.addField({ model: 'Client', name: 'x', field: f.foreignKey('shop.Ghost', { onDelete: 'cascade', null: true }) })") },
    args: ['migrate'], code: 1, stderr: ['shop.0002_bad', 'shop.Ghost', 'does not exist'],
  },
  {
    name: 'a migration prefix that matches two migrations',
    files: {
      'src/shop/migrations/0002_one.ts': after0001("ops.runSql({ sql: 'SELECT 1', reverseSql: ops.noop })"),
    },
    args: ['migrate', 'shop', '000'], code: 1, stderr: ["More than one migration of shop starts with '000'", '0001_initial', '0002_one'],
  },
  {
    name: 'a file in migrations/ that is not named like a migration',
    files: { 'src/shop/migrations/helpers.ts': 'export const x = 1;\n' },
    args: ['migrate'], code: 1, stderr: ["'helpers.ts' is not a migration file name"],
  },
  {
    name: 'a table name over 63 bytes in a hand-written migration',
    files: { [bad]: after0001(`ops.alterModelTable({ name: 'Client', table: '${'t'.repeat(70)}' })`) },
    args: ['migrate'], code: 1, stderr: ['shop.0002_bad', '70 bytes', '63'],
  },
];

const models = (body: string) => `import { check, index, model, f, unique } from 'sediment-migrations';\n\n${body}\n`;
const modelsFile = 'src/shop/models.ts';

const modelCases: readonly HostileCase[] = [
  {
    name: 'a syntax error names the file, line and column',
    files: { [modelsFile]: models("export const Client = model('Client', { name: f.char({ maxLength: 255 }) ;") },
    args: ['makemigrations'], code: 1, stderr: [/src\/shop\/models\.ts:\d+:\d+/],
  },
  {
    name: 'a models file that throws while it is evaluated',
    files: { [modelsFile]: models("throw new Error('models exploded');") },
    args: ['makemigrations'], code: 1, stderr: ['src/shop/models.ts', 'models exploded'],
  },
  {
    name: 'a field that is not a field',
    files: { [modelsFile]: models("export const Client = model('Client', { name: f.char({ maxLength: 255 }), kind: 'char' as never });") },
    args: ['makemigrations'], code: 1, stderr: ['shop.Client.kind is not a field'],
  },
  {
    name: 'a foreign key to a model that does not exist',
    files: { [modelsFile]: models("export const Client = model('Client', { name: f.char({ maxLength: 255 }), owner: f.foreignKey('Ghost', { onDelete: 'cascade' }) });") },
    args: ['makemigrations'], code: 1, stderr: ['shop.Client.owner refers to "Ghost"', 'has no model Ghost', 'Client'],
  },
  {
    name: 'a reference to an app that does not exist',
    files: { [modelsFile]: models("export const Client = model('Client', { name: f.char({ maxLength: 255 }), tags: f.manyToMany('ghost.Tag') });") },
    args: ['makemigrations'], code: 1, stderr: ['"ghost.Tag"', 'there is no app ghost'],
  },
  {
    name: "wrong option types: maxLength: 'x', onDelete: 'boom', null: 'yes', unique: 1",
    files: {
      [modelsFile]: models(`export const Client = model('Client', {
  name: f.char({ maxLength: 'x' as never }),
  parent: f.foreignKey('Client', { onDelete: 'boom' as never }),
  rank: f.integer({ null: 'yes' as never, unique: 1 as never }),
});`),
    },
    args: ['makemigrations'], code: 1,
    stderr: ['shop.Client.name: maxLength must be a positive integer', 'shop.Client.parent: onDelete must be one of', 'shop.Client.rank: null must be true or false', 'unique must be true or false'],
  },
  {
    name: 'model options of the wrong shape',
    files: {
      [modelsFile]: models(`export const Client = model('Client', { name: f.char({ maxLength: 255 }) }, {
  indexes: 'name' as never,
  constraints: [null as never],
  uniqueTogether: [[5]] as never,
  ordering: 'name' as never,
});`),
    },
    args: ['makemigrations'], code: 1,
    stderr: ['indexes must be a list of index() definitions', 'constraints[0] is not a unique() or check() definition', 'uniqueTogether[0]', 'ordering must be a list'],
  },
  {
    name: 'a model name with a quote, a semicolon and unicode',
    files: { [modelsFile]: models("export const Client = model('Clïent\"; DROP TABLE x', { name: f.char({ maxLength: 255 }) });") },
    args: ['makemigrations'], code: 1, stderr: ['model name must be an identifier'],
  },
  {
    name: 'a dbTable over 63 bytes',
    files: { [modelsFile]: models(`export const Client = model('Client', { name: f.char({ maxLength: 255 }) }, { dbTable: '${'x'.repeat(70)}' });`) },
    args: ['makemigrations'], code: 1, stderr: ['dbTable', 'longer than 63 bytes'],
  },
  {
    name: 'a dbColumn over 63 bytes',
    files: { [modelsFile]: models(`export const Client = model('Client', { name: f.char({ maxLength: 255, dbColumn: '${'é'.repeat(40)}' }) });`) },
    args: ['makemigrations'], code: 1, stderr: ['dbColumn', 'longer than 63 bytes'],
  },
  {
    name: 'an index naming a field the model does not have',
    files: { [modelsFile]: models("export const Client = model('Client', { name: f.char({ maxLength: 255 }) }, { indexes: [index(['nmae'])] });") },
    args: ['makemigrations'], code: 1, stderr: ['names the field "nmae"', 'fields: id, name'],
  },
  {
    name: 'two models with one name',
    files: { [modelsFile]: models("export const Client = model('Client', { name: f.char({ maxLength: 255 }) });\nexport const Client2 = model('client', {});") },
    args: ['makemigrations'], code: 1, stderr: ['two models named Client and client'],
  },
  {
    name: 'the same fields made unique twice',
    files: { [modelsFile]: models("export const Client = model('Client', { name: f.char({ maxLength: 255, unique: true }) }, { constraints: [unique(['name'], { name: 'client_name_uniq' })] });") },
    args: ['makemigrations'], code: 1, stderr: ['both make (name) unique'],
  },
  {
    name: 'an unknown app on the command line is bad usage',
    files: {},
    args: ['makemigrations', 'shpo'], code: 2, stderr: ['No app named shpo'],
  },
];

/** Runs each case on a project whose 0001_initial is applied: one clear error, the database unchanged, no file written. */
async function runCases(cases: readonly HostileCase[]): Promise<void> {
  await withProject('pglite', { apps: { shop: shopModels } }, async (project) => {
    expectRun(await project.run('makemigrations'), { code: 0 });
    expectRun(await project.run('migrate'), { code: 0 });
    const models = project.read('src/shop/models.ts');
    const failures: string[] = [];
    const before = await databaseState(project);
    const filesBefore = project.migrationFiles('shop');
    for (const c of cases) {
      for (const [path, text] of Object.entries(c.files)) project.write(path, text);
      const result = await project.run(...c.args);
      for (const path of Object.keys(c.files)) {
        if (path === 'src/shop/models.ts') project.write(path, models);
        else project.remove(path);
      }
      try {
        expectRun(result, { code: c.code, stderr: c.stderr });
        assertOneError(result);
        assert.deepEqual(project.migrationFiles('shop'), filesBefore, 'no migration file was written or removed');
        // makemigrations never connects; the other commands must leave the database as it was.
        if (c.args[0] !== 'makemigrations') assert.equal(await databaseState(project), before, 'the schema and the history are unchanged');
      } catch (error) {
        failures.push(`--- ${c.name} ---\n${(error as Error).message}`);
      }
    }
    if (failures.length) assert.fail(`${failures.length} of ${cases.length} cases failed:\n${failures.join('\n\n')}`);
    assert.equal(await databaseState(project), before, 'the schema and the history are unchanged');
  });
}

describe('hostile migration and models files: one clear error, nothing changed', () => {
  test(`${migrationCases.length} broken migration files: syntax, exports, unknown kinds, wrong option types, cycles, duplicates, unknown nodes and models, ambiguous prefixes`, () =>
    runCases(migrationCases));
  test(`${modelCases.length} broken models files: syntax, exports, unknown models and apps, wrong option types, invalid and over-long names, duplicates`, () =>
    runCases(modelCases));
});

// ---------------------------------------------------------------------------------------------
// Names that need quoting, and defaults that look like SQL

const INJECTION = "x'); DROP TABLE y; --";
const DB_INJECTION = "'; DROP TABLE \"order \"\"items\"\"; x\"; --";

const quotingModels = (withNote: boolean) => `import { check, index, model, f, unique } from 'sediment-migrations';

// Reserved words, a quote, a semicolon, spaces and unicode in table and column names; a 57-letter
// model name whose table name is cut to 63 bytes with a hash.
export const Order = model('Order', {
  select: f.char({ maxLength: 20 }),
  from: f.integer({ null: true, dbIndex: true }),
  group: f.text({ default: ${JSON.stringify(INJECTION)} }),
  quoted: f.char({ maxLength: 30, null: true, dbColumn: 'it"s; col', unique: true }),
  accent: f.char({ maxLength: 30, null: true, dbColumn: 'naïve ünïcode 列' }),
  user: f.foreignKey('User', { onDelete: 'cascade', null: true }),
  tags: f.manyToMany('User'),${withNote ? `\n  note: f.text({ default: ${JSON.stringify(INJECTION)} }),` : ''}
}, {
  dbTable: 'order "items"; x',
  indexes: [index(['select', 'from'])],
  constraints: [check("\\"select\\" <> ''", { name: 'order_select_not_empty' }), unique(['select', 'user'])],
});

export const User = model('User', {
  limit: f.integer({ dbDefault: 5 }),
  table: f.char({ maxLength: 60, dbDefault: ${JSON.stringify(DB_INJECTION)} }),
}, { dbTable: 'Üser table', dbComment: ${JSON.stringify(`it's; ${INJECTION}`)} });

export const ${'Very'.repeat(14)}Long = model('${'Very'.repeat(14)}Long', {
  ${'averyveryverylongfieldname'.repeat(2)}: f.integer({ dbIndex: true, null: true }),
});
`;

/** The live schema against the state the migration files build: the differences. */
async function schemaDrift(project: CliProject): Promise<string[]> {
  const migrations = await loadMigrations({ root: project.root, apps: [['shop', 'src/shop']] });
  const state = stateAt(buildGraph(migrations, [], { apps: ['shop'] }), null);
  return project.withDatabase(async (db) => {
    const actual = await introspectPostgres(db, { exclude: [...DEFAULT_EXCLUDED_TABLES, 'y'] });
    return compareSchemas(expectedSchema(state, new Naming(), postgresBackend), actual).map((f) => f.message);
  });
}

for (const target of cliTargets()) {
  describe(`names that need quoting and defaults that look like SQL on ${target}`, () => {
    test('reserved words, quotes, semicolons, unicode and over-long names round-trip, and SQL-looking defaults are stored as strings', async () => {
      await withProject(target, { apps: { shop: quotingModels(false) } }, async (project) => {
        // A table the injected SQL would drop.
        await project.sql('CREATE TABLE y (id int)');
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        assert.deepEqual(await schemaDrift(project), [], 'the schema is the one the migrations describe');
        expectRun(await project.run('makemigrations', '--check'), { code: 0, stdout: ['No changes detected'] });

        // A row, then a NOT NULL field whose default looks like SQL is added to the table that holds it.
        await project.sql(`INSERT INTO "order ""items""; x" ("select", "group") VALUES ('a', 'g')`);
        await project.sql(`INSERT INTO "Üser table" DEFAULT VALUES`);
        project.writeModels('shop', quotingModels(true));
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        assert.deepEqual(await schemaDrift(project), []);
        const [order] = await project.sql<{ note: string }>(`SELECT note FROM "order ""items""; x"`);
        assert.equal(order.note, INJECTION, 'the default filled the row as a literal string');
        const [user] = await project.sql<{ table: string; limit: number }>(`SELECT "table", "limit" FROM "Üser table"`);
        assert.deepEqual(user, { table: DB_INJECTION, limit: 5 }, 'the database default is the literal string');
        assert.ok((await project.tables()).includes('y'), 'no injected statement ran');
        const [comment] = await project.sql<{ comment: string }>(`SELECT obj_description('"Üser table"'::regclass) AS comment`);
        assert.equal(comment.comment, `it's; ${INJECTION}`);

        // Back to zero and forwards again: every name is quoted on the way back too.
        await project.sql(`DELETE FROM "order ""items""; x"`);
        expectRun(await project.run('migrate', 'shop', 'zero'), { code: 0 });
        assert.deepEqual((await project.tables()).sort(), ['sediment_migrations', 'y']);
        expectRun(await project.run('migrate'), { code: 0 });
        assert.deepEqual(await schemaDrift(project), []);
        expectRun(await project.run('makemigrations', '--check'), { code: 0, stdout: ['No changes detected'] });
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// A history table edited by hand

for (const target of cliTargets()) {
  describe(`a history table edited by hand on ${target}`, () => {
    test('rows for unknown apps and migrations, and duplicate-looking rows, are reported as such; migrate --prune removes them', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        await project.sql(
          `INSERT INTO sediment_migrations (app, name, checksum) VALUES
             ('ghostapp', '0001_initial', NULL), ('shop', '0009_ghost', 'abc'), ('shop', '0001_initial ', NULL), ('SHOP', '0001_initial', 'x')`,
        );
        const before = await databaseState(project);
        // Rows of this project's app without a file are ghosts; rows of apps it does not configure
        // ('SHOP' is not 'shop') belong to someone else and are left alone (issue 8, item 5).
        const ghosts = ['shop.0001_initial ', 'shop.0009_ghost'];
        const foreign = ['SHOP.0001_initial', 'ghostapp.0001_initial'];
        expectRun(await project.run('migrate'), { code: 0, stdout: ['No migrations to apply'], stderr: [...ghosts, '--prune'], notStderr: foreign });
        expectRun(await project.run('showmigrations'), { code: 0, stdout: [/\[X\] 0009_ghost \(applied, but its file is missing\)/] });
        expectRun(await project.run('migrate', '--check'), { code: 0 });
        assert.equal(await databaseState(project), before, 'reporting them changed nothing');
        expectRun(await project.run('migrate', '--prune'), { code: 0, stdout: [...ghosts.map((g) => `Pruned ${g} from the history`), 'left alone'] });
        assert.deepEqual((await project.history()).sort(), ['shop.0001_initial', ...foreign].sort());
      });
    });

    test('a NULL checksum is an unknown checksum, not an edit', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        await project.sql('UPDATE sediment_migrations SET checksum = NULL');
        const before = await databaseState(project);
        expectRun(await project.run('migrate'), { code: 0, stdout: ['No migrations to apply'], notStderr: ['changed since', 'edited'] });
        assert.equal(await databaseState(project), before);
      });
    });

    test('a recorded migration whose dependency is not recorded is an inconsistent history: one error, nothing run', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        project.writeMigration('shop', '0002_a', after0001("ops.addField({ model: 'Client', name: 'a', field: f.integer({ null: true }) })"));
        project.writeMigration('shop', '0003_b', migrationFile("export default migration({ dependencies: [['shop', '0002_a']], operations: [] });"));
        await project.sql(`INSERT INTO sediment_migrations (app, name) VALUES ('shop', '0003_b')`);
        const before = await databaseState(project);
        const result = expectRun(await project.run('migrate'), { code: 1, stderr: ['shop.0003_b is applied before its dependency shop.0002_a', '--fake'] });
        assertOneError(result);
        assert.equal(await databaseState(project), before);
      });
    });

    test('a history table missing a column is one clear error, not a crash', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        await project.sql('ALTER TABLE sediment_migrations DROP COLUMN checksum');
        const before = await databaseState(project);
        for (const args of [['migrate'], ['showmigrations']]) {
          const result = expectRun(await project.run(...args), { code: 1, stderr: ['sediment_migrations', 'checksum'] });
          assertOneError(result);
        }
        assert.equal(await databaseState(project), before);
      });
    });
  });
}
