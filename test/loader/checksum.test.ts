import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, loadMigrations } from '../../src/loader/index.js';
import { tempProject, type TempProject } from './support.js';

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
