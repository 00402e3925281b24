// The store demo (seed 003's first story), run on embedded PGlite — no server needed.
// It copies this example into a fresh folder and drives the real `sediment` binary through
// makemigrations, migrate, a data migration, showmigrations, sqlmigrate and migrate zero.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const bin = join(repo, 'bin', 'sediment.js');
const project = mkdtempSync(join(tmpdir(), 'sediment-store-'));

// A user's project: the config, an app folder, and sediment installed in node_modules.
cpSync(join(here, 'sediment.config.ts'), join(project, 'sediment.config.ts'));
mkdirSync(join(project, 'src/store/migrations'), { recursive: true });
mkdirSync(join(project, 'node_modules'));
symlinkSync(repo, join(project, 'node_modules/sediment-migrations'), 'dir');

const models = join(project, 'src/store/models.ts');
const migrations = join(project, 'src/store/migrations');
// The demo always runs on the embedded PGlite database of its own folder.
const env = { ...process.env };
delete env.DATABASE_URL;
const step = (title) => console.log(`\n\x1b[1m== ${title}\x1b[0m`);

/** Reads the demo's PGlite database directly, to show what the migrations did to the rows. */
async function showClients(title) {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(join(project, '.sediment/demo'));
  const { rows } = await db.query('SELECT name, bought FROM store_client ORDER BY name');
  await db.close();
  console.log(`\n${title}`);
  for (const row of rows) console.log(`  ${row.name.padEnd(6)} bought ${row.bought}`);
}

function sediment(...args) {
  console.log(`\x1b[2m$ sediment ${args.join(' ')}\x1b[0m`);
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: project, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`\nThe demo stopped: 'sediment ${args.join(' ')}' exited with ${result.status}. The project is in ${project}.`);
    process.exit(1);
  }
}

step('1. Models: Client and Computer. Make the initial migration and apply it.');
cpSync(join(here, 'steps/1-models.ts'), models);
sediment('makemigrations');
sediment('migrate');

step('2. Some existing rows (a migration with runSql), so the next steps meet real data.');
// The hand-written migrations come from the finished example project, as a user would write them.
cpSync(join(here, 'src/store/migrations/0002_sample_data.ts'), join(migrations, '0002_sample_data.ts'));
sediment('migrate');

step('3. Add Client.bought, nullable for now (seed 003, step 1).');
cpSync(join(here, 'steps/2-models.ts'), models);
sediment('makemigrations');
sediment('migrate');

step('4. A data migration fills bought from each client\'s computers (seed 003, steps 2-3).');
sediment('makemigrations', '--empty', 'store', '--name', 'prepopulate_bought');
const empty = readdirSync(migrations).find((f) => f.startsWith('0004_'));
cpSync(join(here, 'src/store/migrations/0004_prepopulate_bought.ts'), join(migrations, empty));
sediment('migrate');

step('5. Make bought required; the rows were handled by the data migration (seed 003, step 4).');
cpSync(join(here, 'steps/3-models.ts'), models);
sediment('makemigrations', '--assume-handled', 'store.Client.bought');
sediment('migrate');
sediment('makemigrations', '--check');

await showClients('Every client now has bought = the number of computers it bought:');

step('6. Where we are.');
sediment('showmigrations');
sediment('sqlmigrate', 'store', '0003');

step('7. Reverse everything, then apply it again.');
sediment('migrate', 'store', 'zero');
sediment('showmigrations');
sediment('migrate');

await showClients('The rows are back, filled by the same migrations:');

writeFileSync(join(project, 'README.txt'), 'Made by the Sediment store demo: examples/store/demo.mjs\n');
console.log(`\nDone. The demo project (config, models, migrations, PGlite database) is in ${project}`);
