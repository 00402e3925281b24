import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, loadMigrations } from '../../src/loader/index.js';
import { fixtureProject, tempProject, type TempProject } from './support.js';

const FILE = 'src/shop/migrations/0002_client_bought.ts';

const original = `import { f, migration, ops } from 'sediment-migrations';

export default migration({
  dependencies: [['shop', '0001_initial']],
  operations: [
    ops.addField({ model: 'Client', name: 'bought', field: f.integer({ null: true, default: 0 }) }),
    ops.runCode({
      forward: async ({ apps }) => {
        const Client = (apps as any).getModel('shop', 'Client');
        await Client.objects.filter({ bought: null }).update({ bought: 0, note: 'filled' });
      },
      reverse: ops.noop,
    }),
  ],
});
`;

/** The same migration, formatted by a different hand: quotes, line breaks, key order, comments, explicit defaults. */
const reformatted = `import {f,migration,ops} from "sediment-migrations"
// Fills in bought.
export default migration({
    operations: [
        ops.addField({
            name: "bought",
            model: "Client",
            field: f.integer({ default: 0, null: true, }),
        }),
        ops.runCode({
            forward: async ({ apps }) => {
                // one query, not a loop
                const Client = (apps as any).getModel("shop", "Client")
                await Client.objects
                    .filter({ bought: null })
                    .update({
                        bought: 0,
                        note: "filled",
                    })
            },
            reverse: ops.noop,
        }),
    ],
    dependencies: [["shop", "0001_initial"]],
    atomic: true,
    replaces: [],
})
`;

async function checksumOf(project: TempProject, text: string): Promise<string> {
  project.write(FILE, text);
  project.touch(FILE);
  const migrations = await loadMigrations(project);
  return migrations.find((m) => m.name === '0002_client_bought')!.checksum;
}

function projectWithInitial(): TempProject {
  const project = tempProject();
  project.write(
    'src/shop/migrations/0001_initial.ts',
    `import { f, migration, ops } from 'sediment-migrations';
export default migration({ initial: true, operations: [ops.createModel({ name: 'Client', fields: { id: f.bigAuto({ primaryKey: true }) } })] });
`,
  );
  return project;
}

test('reformatting a migration file, runCode functions included, leaves its checksum unchanged', async () => {
  const project = projectWithInitial();
  const before = await checksumOf(project, original);
  assert.equal(await checksumOf(project, reformatted), before);
});

test('changing an operation changes the checksum', async () => {
  const project = projectWithInitial();
  const before = await checksumOf(project, original);
  assert.notEqual(await checksumOf(project, original.replace('default: 0 })', 'default: 1 })')), before);
  assert.notEqual(await checksumOf(project, original.replace("name: 'bought'", "name: 'spent'")), before);
});

test('changing the body of a runCode function changes the checksum', async () => {
  const project = projectWithInitial();
  const before = await checksumOf(project, original);
  assert.notEqual(await checksumOf(project, original.replace("note: 'filled'", "note: 'backfilled'")), before);
  assert.notEqual(await checksumOf(project, original.replace('bought: null', 'bought: 0')), before);
});

test('changing dependencies or flags changes the checksum', async () => {
  const project = projectWithInitial();
  const before = await checksumOf(project, original);
  assert.notEqual(await checksumOf(project, original.replace("dependencies: [['shop', '0001_initial']],", 'dependencies: [],')), before);
  assert.notEqual(await checksumOf(project, original.replace('operations: [', 'atomic: false,\n  operations: [')), before);
});

test("a migration's checksum does not depend on the other files, even when they use the same names", async () => {
  const project = projectWithInitial();
  const alone = await checksumOf(project, original);
  // Top-level names that the data migration uses as locals: a single shared bundle scope would rename them.
  project.write(
    'src/shop/migrations/0003_same_names.ts',
    `import { migration, ops } from 'sediment-migrations';
const apps = 1;
const Client = 2;
function forward() { return apps + Client; }
export default migration({ dependencies: [['shop', '0002_client_bought']], operations: [ops.runCode({ forward })] });
`,
  );
  const migrations = await loadMigrations(project);
  assert.equal(migrations.find((m) => m.name === '0002_client_bought')!.checksum, alone);
});

test('the same migration has the same checksum in another project folder', async () => {
  assert.equal(await checksumOf(projectWithInitial(), original), await checksumOf(projectWithInitial(), original));
});

test('the checksum read from the warm cache is the one computed on the cold path', async () => {
  const project = projectWithInitial();
  const cold = await checksumOf(project, original);
  const warm = (await loadMigrations(project)).find((m) => m.name === '0002_client_bought')!.checksum;
  assert.equal(warm, cold);
});

test('canonical JSON sorts keys, drops undefined members and tags values JSON cannot hold', () => {
  const text = (fn: Function) => `<${fn.name}>`;
  assert.equal(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined }, text), '{"a":[true,null,"x"],"b":1}');
  assert.equal(canonicalJson([NaN, -0, 0, Infinity], text), '[#number(NaN),#number(-0),0,#number(Infinity)]');
  assert.equal(canonicalJson({ forward: function fill() {} }, text), '{"forward":#function("<fill>")}');
  assert.notEqual(canonicalJson({ a: 'x' }, text), canonicalJson({ a: ['x'] }, text));
});

// What a runCode function uses from outside itself: a module-level constant and a helper file's export.
const withContext = `import { migration, ops } from 'sediment-migrations';
import { NAME } from './_helpers';

const LOCAL = 'local-v1';

export default migration({
  dependencies: [['shop', '0001_initial']],
  operations: [
    ops.runCode({
      forward: async ({ apps }) => {
        const Client = (apps as any).getModel('shop', 'Client');
        await Client.objects.create({ name: NAME });
        await Client.objects.create({ name: LOCAL });
      },
    }),
  ],
});
`;

const HELPERS = 'src/shop/migrations/_helpers.ts';
const helpers = `// Shared by the data migrations.
export const NAME = 'from-helper-v1';
export function label(x: string) {
  return \`[\${x}]\`;
}
`;

function projectWithHelpers(): TempProject {
  const project = projectWithInitial();
  project.write(HELPERS, helpers);
  return project;
}

test('changing a constant in a helper file that a migration imports changes its checksum', async () => {
  const project = projectWithHelpers();
  const before = await checksumOf(project, withContext);
  project.write(HELPERS, helpers.replace('helper-v1', 'helper-v2'));
  assert.notEqual(await checksumOf(project, withContext), before);
});

test('changing a module-level constant of the migration file changes its checksum', async () => {
  const project = projectWithHelpers();
  const before = await checksumOf(project, withContext);
  assert.notEqual(await checksumOf(project, withContext.replace('local-v1', 'local-v2')), before);
});

test('changing which package a name is imported from changes the checksum', async () => {
  const project = projectWithInitial();
  const uses = (spec: string) => `import { migration, ops } from 'sediment-migrations';
import { EOL } from '${spec}';
export default migration({ dependencies: [['shop', '0001_initial']], operations: [ops.runCode({ forward: async () => { console.log(EOL); } })] });
`;
  project.write('src/shop/migrations/_other.ts', "export const EOL = '\\n';\n");
  assert.notEqual(await checksumOf(project, uses('node:os')), await checksumOf(project, uses('./_other')));
});

test('reformatting helper files and module-level code, and adding comments to them, leaves the checksum unchanged', async () => {
  const project = projectWithHelpers();
  const before = await checksumOf(project, withContext);
  project.write(HELPERS, `// Shared by the data migrations; reformatted.
export const NAME    =    "from-helper-v1"   // the name
/** Brackets. */
export function label(x: string) { return \`[\${x}]\` }
`);
  assert.equal(await checksumOf(project, withContext), before);
  const reformattedContext = withContext
    .replace("const LOCAL = 'local-v1';", '/* the local one */\nconst LOCAL =\n  "local-v1"')
    .replace("import { NAME } from './_helpers';", 'import {NAME} from "./_helpers"');
  assert.equal(await checksumOf(project, reformattedContext), before);
});

// Checksums of test/fixtures/linear as Sediment 0.1.0 computed them (commit 7f1e0ec): databases hold these.
const CHECKSUMS_0_1_0 = {
  '0001_initial': '7cb34f699f7840cc9c01b241023d1b176e9787e55699ed716cca9f421f499a13',
  '0002_client_bought': '9629e799ac44e3b9ba249eef52f9ca6e0a9b328cb293aacd66220d424b41e415',
  '0003_fill_bought': 'ded7f37568e1e646fb67a510c7cef733c6d83d64bfd389cb6a4636cfea2b98de',
};

test('a migration without module-level code or local imports keeps the checksum Sediment 0.1.0 gave it', async () => {
  const migrations = await loadMigrations(fixtureProject('linear'));
  for (const name of ['0001_initial', '0002_client_bought'] as const) {
    const migration = migrations.find((m) => m.name === name)!;
    assert.equal(migration.checksum, CHECKSUMS_0_1_0[name], name);
    assert.equal(migration.olderChecksum, undefined, name);
  }
});

test("a migration with a helper import gets a new checksum and keeps 0.1.0's as its older checksum, also from the warm cache", async () => {
  const project = fixtureProject('linear');
  for (let load = 0; load < 2; load++) {
    const migration = (await loadMigrations(project)).find((m) => m.name === '0003_fill_bought')!;
    assert.notEqual(migration.checksum, CHECKSUMS_0_1_0['0003_fill_bought']);
    assert.equal(migration.olderChecksum, CHECKSUMS_0_1_0['0003_fill_bought']);
  }
});
