import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { cliTargets, expectRun, withProject, type CliProject, type CliResult } from '../support/cli.js';

/**
 * Issue 8 item 19, SPEC §1: "Sediment only reads the project: its cache lives in `.sediment/cache`
 * when that is writable, else in the OS cache folder, else nowhere". A deploy runs the commands as an
 * unprivileged user in a read-only copy of the project: as root, these tests run them as `nobody`
 * (setpriv); as another user, the read-only folder is enough.
 */
const bin = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'bin', 'sediment.js');
const isRoot = process.getuid?.() === 0;
const nobody = isRoot ? unprivilegedIds() : undefined;
const skip = isRoot && !nobody ? 'running as root without setpriv or a nobody user' : false;

function unprivilegedIds(): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'nobody'], { encoding: 'utf8' });
  const setpriv = spawnSync('setpriv', ['--version'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0 || setpriv.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

const models = `import { model, f } from 'sediment-migrations';

export const Client = model('Client', { name: f.char({ maxLength: 255 }) });
`;

/** A data migration that uses a helper file and a package from the project's node_modules. */
const data = `import { migration, ops } from 'sediment-migrations';
import { bracket } from 'tiny-bracket';
import { NAME } from './_helpers';

export default migration({
  dependencies: [['shop', '0001_initial']],
  operations: [ops.runCode({ forward: async ({ apps }) => { await apps.getModel('shop', 'Client').objects.create({ name: bracket(NAME) }); } })],
});
`;

function writeProject(project: CliProject): void {
  project.write('node_modules/tiny-bracket/package.json', JSON.stringify({ name: 'tiny-bracket', type: 'module', exports: { import: './index.js' } }));
  project.write('node_modules/tiny-bracket/index.js', 'export const bracket = (s) => `[${s}]`;\n');
  project.write('src/shop/migrations/_helpers.ts', "export const NAME = 'ada';\n");
  project.write('src/shop/migrations/0002_data.ts', data);
}

/** Every file and folder under `root` with its modification time and size, except `exclude`. */
function snapshot(root: string, exclude: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (path === exclude || entry.name === 'node_modules') continue;
      const stats = statSync(path);
      out.push(`${path} ${stats.mtimeMs} ${entry.isDirectory() ? 'dir' : stats.size}`);
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(root);
  return out.sort();
}

/** Makes the folder read-only for everyone but readable (and `db`, outside it, writable by the runner). */
function readOnly(root: string): void {
  const walk = (path: string) => {
    const stats = statSync(path);
    if (stats.isDirectory()) for (const name of readdirSync(path)) if (name !== 'node_modules') walk(join(path, name));
    chmodSync(path, stats.isDirectory() ? 0o555 : 0o444);
  };
  walk(root);
}

function writable(root: string): void {
  const walk = (path: string) => {
    const stats = statSync(path);
    chmodSync(path, stats.isDirectory() ? 0o755 : 0o644);
    if (stats.isDirectory()) for (const name of readdirSync(path)) if (name !== 'node_modules') walk(join(path, name));
  };
  walk(root);
}

/** Runs sediment in `cwd` as the unprivileged user, with the environment given (HOME and XDG_CACHE_HOME). */
function runUnprivileged(cwd: string, args: readonly string[], env: Record<string, string | undefined>): CliResult {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  delete base.DATABASE_URL;
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete base[key];
  const command = nobody
    ? ['setpriv', `--reuid=${nobody.uid}`, `--regid=${nobody.gid}`, '--clear-groups', process.execPath, bin, ...args]
    : [process.execPath, bin, ...args];
  const result = spawnSync(command[0], command.slice(1), { cwd, env: base, encoding: 'utf8', timeout: 120_000 });
  return { command: `sediment ${args.join(' ')}`, code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A copy of the project as a deploy would have it: `cp -r` (new modification times), owned by root
 * and read-only; its PGlite database moved to a data folder the unprivileged user owns.
 */
function deployedCopy(project: CliProject, withCache: boolean): { root: string; database: string[]; cleanup: () => void } {
  const parent = mkdtempSync(join(tmpdir(), 'sediment-read-only-'));
  chmodSync(parent, 0o755);
  const root = join(parent, 'app');
  cpSync(project.root, root, { recursive: true, verbatimSymlinks: true });
  if (!withCache) rmSync(join(root, '.sediment'), { recursive: true, force: true });
  let database = project.databaseUrl ? ['--database', project.databaseUrl] : [];
  if (!project.databaseUrl) {
    // The data area is the user's: the database and, beside it, its lock file (folder-lock.ts).
    const data = join(parent, 'data');
    mkdirSync(data);
    const db = join(data, 'db');
    renameSync(join(root, 'db'), db);
    if (nobody) chownTree(data, nobody.uid, nobody.gid);
    database = ['--database', `pglite:${db}`];
  }
  readOnly(root);
  return {
    root,
    database,
    cleanup: () => {
      writable(root);
      rmSync(parent, { recursive: true, force: true });
    },
  };
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name), uid, gid);
}

const commands = (database: string[]) => [['migrate', ...database], ['showmigrations', ...database], ['doctor', ...database], ['sqlmigrate', 'shop', '0002', ...database]];

for (const target of cliTargets()) {
  describe(`a read-only deploy on ${target}`, { skip }, () => {
    test('in a read-only copy without a cache, with no writable home, every command works and nothing is written into the project', async () => {
      await withProject(target, { apps: { shop: models } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        writeProject(project);
        const copy = deployedCopy(project, false);
        try {
          const before = snapshot(copy.root, join(copy.root, 'db'));
          for (const args of commands(copy.database)) {
            expectRun(runUnprivileged(copy.root, args, { HOME: '/nonexistent', XDG_CACHE_HOME: undefined }), { code: 0 });
          }
          assert.deepEqual(snapshot(copy.root, join(copy.root, 'db')), before);
          assert.ok(!existsSync(join(copy.root, '.sediment')));
          expectRun(runUnprivileged(copy.root, ['showmigrations', ...copy.database], { HOME: '/nonexistent' }), { code: 0, stdout: ['[X] 0002_data'] });
        } finally {
          copy.cleanup();
        }
      });
    });

    test('in a read-only copy whose copied cache is read-only too, the OS cache folder is used and kept', async () => {
      await withProject(target, { apps: { shop: models } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        writeProject(project);
        expectRun(await project.run('showmigrations'), { code: 0 });
        const copy = deployedCopy(project, true);
        const cacheHome = mkdtempSync(join(tmpdir(), 'sediment-xdg-'));
        if (nobody) chownSync(cacheHome, nobody.uid, nobody.gid);
        try {
          const before = snapshot(copy.root, join(copy.root, 'db'));
          for (const args of commands(copy.database)) {
            expectRun(runUnprivileged(copy.root, args, { HOME: '/nonexistent', XDG_CACHE_HOME: cacheHome }), { code: 0 });
          }
          assert.deepEqual(snapshot(copy.root, join(copy.root, 'db')), before);
          const [folder] = readdirSync(join(cacheHome, 'sediment'));
          const files = readdirSync(join(cacheHome, 'sediment', folder));
          assert.ok(files.some((name) => /^migrations-\w+\.json$/.test(name)), files.join(', '));
          assert.ok(files.some((name) => /^config-\w+\.mjs$/.test(name)), files.join(', '));
        } finally {
          copy.cleanup();
          rmSync(cacheHome, { recursive: true, force: true });
        }
      });
    });
  });

  describe(`a copied project on ${target}`, () => {
    test('a copy with new modification times (cp -r) and its old cache works', async () => {
      await withProject(target, { apps: { shop: models } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        writeProject(project);
        expectRun(await project.run('migrate'), { code: 0 });
        const parent = mkdtempSync(join(tmpdir(), 'sediment-copied-'));
        try {
          const root = join(parent, 'app');
          cpSync(project.root, root, { recursive: true, verbatimSymlinks: true });
          const database = project.databaseUrl ? ['--database', project.databaseUrl] : [];
          for (const args of [['showmigrations', ...database], ['doctor', ...database], ['migrate', ...database]]) {
            expectRun(spawnResult(root, args), { code: 0 });
          }
        } finally {
          rmSync(parent, { recursive: true, force: true });
        }
      });
    });

    test('a copy with the same modification times (cp -a) and then a same-size edit runs the new code', async () => {
      await withProject(target, { apps: { shop: models } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        writeProject(project);
        // Whole seconds, which every copy keeps exactly (cp -a, tar, rsync -a).
        const when = new Date('2026-01-01T00:00:00Z');
        for (const file of ['sediment.config.ts', 'src/shop/models.ts', 'src/shop/migrations/0001_initial.ts', 'src/shop/migrations/0002_data.ts', 'src/shop/migrations/_helpers.ts']) {
          utimesSync(project.path(file), when, when);
        }
        expectRun(await project.run('showmigrations'), { code: 0 });
        const parent = mkdtempSync(join(tmpdir(), 'sediment-copied-'));
        try {
          const root = join(parent, 'app');
          cpSync(project.root, root, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
          const helper = join(root, 'src/shop/migrations/_helpers.ts');
          const { mtime } = statSync(helper);
          writeFileSync(helper, "export const NAME = 'bob';\n");
          utimesSync(helper, mtime, mtime);
          const database = project.databaseUrl ? ['--database', project.databaseUrl] : [];
          expectRun(spawnResult(root, ['migrate', ...database]), { code: 0 });
          assert.deepEqual(await names(project, root), ['[bob]']);
        } finally {
          rmSync(parent, { recursive: true, force: true });
        }
      });
    });
  });
}

function spawnResult(cwd: string, args: readonly string[]): CliResult {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.DATABASE_URL;
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { command: `sediment ${args.join(' ')}`, code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** The names in shop_client of the copy's database (the server database, or the copy's PGlite folder). */
async function names(project: CliProject, root: string): Promise<string[]> {
  if (project.databaseUrl) return (await project.sql<{ name: string }>('SELECT name FROM shop_client')).map((r) => r.name);
  const { connectPglite } = await import('../../src/backends/pglite/pglite-connection.js');
  const connection = await connectPglite(join(root, 'db'));
  try {
    return (await connection.query<{ name: string }>('SELECT name FROM shop_client')).rows.map((r) => r.name);
  } finally {
    await connection.close();
  }
}
