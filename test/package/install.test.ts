import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { withServerDatabase } from '../support/databases.js';

/**
 * The package as a user gets it (issue 8 item 20, "Done when"): `npm pack` once, install the tarball
 * into a fresh ESM project and a fresh CommonJS project, and run the README's quick start through
 * `npx sediment` on PGlite and on the PostgreSQL server; the consumer's own code imports or requires
 * the package, and its TypeScript type-checks under node16 and bundler resolution. Slow (npm install
 * per project, from the local cache where it can): one file, one pack.
 */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

const MODELS = `import { model, f, index } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
  bought: f.integer({ null: true }),
});

export const Computer = model('Computer', {
  brand: f.char({ maxLength: 255 }),
  boughtBy: f.foreignKey('Client', { onDelete: 'cascade', relatedName: 'computers' }),
}, {
  indexes: [index(['brand'], { name: 'app_computer_brand_idx' })],
});
`;

/** A CommonJS config, as a project without "type": "module" may write it. */
const CTS_CONFIG = `const { defineConfig } = require('sediment-migrations');
const path = require('node:path');

module.exports = defineConfig({
  database: process.env.DATABASE_URL ?? 'pglite:' + path.join('.', '.sediment', 'dev'),
  apps: { app: 'src/app' },
});
`;

/** The consumer's own code using the package. */
const ESM_CONSUMER = `import { defineConfig, model, f, SedimentError } from 'sediment-migrations';
const Note = model('Note', { title: f.char({ maxLength: 200 }) });
const config = defineConfig({ apps: { notes: 'src/notes' } });
console.log(JSON.stringify({ model: Note.name, apps: Object.keys(config.apps), errors: typeof SedimentError }));
`;
const CJS_CONSUMER = `const { defineConfig, model, f, SedimentError } = require('sediment-migrations');
const Note = model('Note', { title: f.char({ maxLength: 200 }) });
const config = defineConfig({ apps: { notes: 'src/notes' } });
console.log(JSON.stringify({ model: Note.name, apps: Object.keys(config.apps), errors: typeof SedimentError }));
`;
/** Typed consumer code for the tsc checks: the DSL and a config, with their declared types. */
const TYPED_CONSUMER = `import { defineConfig, model, f, type SedimentConfig, type ModelDefinition } from 'sediment-migrations';
export const Note: ModelDefinition = model('Note', { title: f.char({ maxLength: 200 }) });
export const config: SedimentConfig = defineConfig({ apps: { notes: 'src/notes' } });
`;

let scratch: string;
let tarball: string;

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'sediment-package-test-'));
  // --ignore-scripts: pack the dist/ built for the test run instead of rebuilding it under other tests.
  run('npm', ['pack', '--ignore-scripts', '--pack-destination', scratch], repo);
  const [file] = readdirSync(scratch).filter((name) => name.endsWith('.tgz'));
  tarball = join(scratch, file);
});
after(() => rmSync(scratch, { recursive: true, force: true }));

interface Flavour {
  readonly name: 'esm' | 'cjs';
  readonly packageJson: Record<string, unknown>;
}
const flavours: Flavour[] = [
  { name: 'esm', packageJson: { name: 'consumer-esm', version: '1.0.0', private: true, type: 'module' } },
  { name: 'cjs', packageJson: { name: 'consumer-cjs', version: '1.0.0', private: true } },
];

for (const flavour of flavours) {
  describe(`a fresh ${flavour.name === 'esm' ? 'ESM' : 'CommonJS'} project with the packed tarball installed`, () => {
    let project: string;
    const sediment = (args: readonly string[], env: NodeJS.ProcessEnv = {}) =>
      run('npx', ['--no-install', 'sediment', ...args], project, env);

    before(() => {
      project = join(scratch, flavour.name);
      run('mkdir', ['-p', project], scratch);
      writeFileSync(join(project, 'package.json'), `${JSON.stringify(flavour.packageJson, null, 2)}\n`);
      const install = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '-D', tarball], project);
      installOutput = `${install.stdout}\n${install.stderr}`;
    });
    let installOutput = '';

    it('installs without engine, peer or deprecation warnings on this Node', () => {
      // npm 11 also lists packages whose install scripts no allowScripts covers: Sediment has none
      // (it builds on prepack, not prepare). esbuild's own postinstall is esbuild's, and optional.
      const warnings = installOutput
        .split('\n')
        .filter((line) => /EBADENGINE|ERESOLVE|peer dep|deprecated|install-scripts +sediment-migrations/i.test(line));
      assert.deepEqual(warnings, []);
    });

    it('runs the quick start: init, makemigrations, migrate, showmigrations on PGlite', () => {
      sediment(['init', '--app', 'app']);
      if (flavour.name === 'cjs') {
        rmSync(join(project, 'sediment.config.ts'));
        writeFileSync(join(project, 'sediment.config.cts'), CTS_CONFIG);
      }
      writeFileSync(join(project, 'src', 'app', 'models.ts'), MODELS);
      assert.match(sediment(['makemigrations']).stdout, /0001_initial/);
      sediment(['migrate']);
      assert.match(sediment(['showmigrations']).stdout, /\[X\] 0001_initial/);
    });

    it('runs migrate and showmigrations on the PostgreSQL server', { skip: !process.env.SEDIMENT_TEST_POSTGRES_URL }, async () => {
      await withServerDatabase(async (url) => {
        sediment(['migrate'], { DATABASE_URL: url });
        assert.match(sediment(['showmigrations'], { DATABASE_URL: url }).stdout, /\[X\] 0001_initial/);
      });
    });

    it(`${flavour.name === 'esm' ? 'imports' : 'requires'} sediment-migrations from the project's own code`, () => {
      const file = 'consumer.js'; // ESM or CommonJS as the project's package.json says
      writeFileSync(join(project, file), flavour.name === 'esm' ? ESM_CONSUMER : CJS_CONSUMER);
      const printed = JSON.parse(run(process.execPath, [file], project).stdout);
      assert.deepEqual(printed, { model: 'Note', apps: ['notes'], errors: 'function' });
    });

    for (const [resolution, module] of [['node16', 'node16'], ['bundler', 'esnext']] as const) {
      it(`type-checks the project's models and code under ${resolution} resolution`, () => {
        writeFileSync(join(project, 'typed.ts'), TYPED_CONSUMER);
        const tsconfig = {
          compilerOptions: {
            module, moduleResolution: resolution, target: 'es2022', strict: true, noEmit: true,
            // The package's declarations are checked too; they name Node's types (node:stream), which
            // a TypeScript project on Node has: this repository's @types/node stands in for its own.
            skipLibCheck: false, typeRoots: [join(repo, 'node_modules', '@types')], types: ['node'],
          },
          files: ['typed.ts', 'src/app/models.ts'],
        };
        writeFileSync(join(project, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig));
        run(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`], project);
      });
    }
  });
}
