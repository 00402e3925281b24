import { join, resolve, sep } from 'node:path';
import type { BuildFailure, Message, Metafile, Plugin } from 'esbuild';
import { InvalidDefinitionError } from '../errors/index.js';
import { pieceFromOutput, UnexpectedOutputError, type Piece } from './piece.js';
import { displayPath } from './project.js';
import { virtualModuleSource } from './sediment-api.js';

/**
 * The cold path: everything that runs esbuild. Nothing here is imported until a cache entry is
 * missing (load-migrations.ts and load-models.ts import this module dynamically), so that a warm load
 * never pays for starting esbuild.
 */

type Esbuild = typeof import('esbuild');
let esbuild: Promise<Esbuild> | undefined;
const loadEsbuild = (): Promise<Esbuild> => (esbuild ??= import('esbuild'));

const VIRTUAL_NAMESPACE = 'sediment';

/** Maps `import ... from 'sediment-migrations'` to the virtual module bound to the running instance. */
function sedimentPlugin(apiNames: readonly string[]): Plugin {
  return {
    name: 'sediment',
    setup(build) {
      build.onResolve({ filter: /^sediment-migrations$/ }, () => ({ path: 'sediment', namespace: VIRTUAL_NAMESPACE }));
      build.onLoad({ filter: /.*/, namespace: VIRTUAL_NAMESPACE }, () => ({
        contents: virtualModuleSource(apiNames),
        loader: 'js',
      }));
    },
  };
}

/** esbuild options shared by both bundles. */
const common = {
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Other packages stay imports, resolved from the project's node_modules (the cache is inside it).
  packages: 'external',
  metafile: true,
  logLevel: 'silent',
  legalComments: 'none',
} as const;

export interface CompiledPiece {
  /** Absolute path of the migration file, as given. */
  readonly file: string;
  readonly piece: Piece;
  /** Absolute paths of the local files it includes (itself and the helpers it imports). */
  readonly inputs: readonly string[];
}

/** Compiles each migration file separately (one esbuild run, one entry point per file), in the order given. */
export async function compileMigrationPieces(
  root: string,
  files: readonly string[],
  apiNames: readonly string[],
  outdir: string,
): Promise<CompiledPiece[]> {
  if (files.length === 0) return [];
  const { build } = await loadEsbuild();
  const result = await build({
    ...common,
    absWorkingDir: root,
    // Outputs named by position: entry paths come back from esbuild with symlinks resolved.
    entryPoints: files.map((file, i) => ({ in: file, out: `piece-${i}` })),
    outdir,
    // A top-level await cannot run inside the function that holds the file in the bundle.
    supported: { 'top-level-await': false },
    plugins: [sedimentPlugin(apiNames)],
  }).catch((error: unknown) => {
    throw compileError(root, error, 'migration');
  });
  const texts = new Map(result.outputFiles.map((output) => [output.path, output.text]));
  const pieces: CompiledPiece[] = new Array(files.length);
  for (const [outputPath, output] of Object.entries(result.metafile.outputs)) {
    const index = /(?:^|[/\\])piece-(\d+)\.js$/.exec(outputPath);
    if (!output.entryPoint || !index) continue;
    const file = files[Number(index[1])];
    const externals = new Set(output.imports.filter((x) => x.external && x.kind === 'import-statement').map((x) => x.path));
    const where = displayPath(root, file);
    const text = texts.get(resolve(root, outputPath));
    if (text === undefined) throw new Error(`esbuild gave no output for ${where}`);
    try {
      pieces[Number(index[1])] = { file, piece: pieceFromOutput(text, externals, where), inputs: localInputs(root, output) };
    } catch (error) {
      if (!(error instanceof UnexpectedOutputError)) throw error;
      throw new InvalidDefinitionError(`Cannot use ${error.message}`, {
        file,
        hint: 'Migration files import from other packages with plain `import` statements and export the migration as `export default migration({...})`.',
      });
    }
  }
  return pieces;
}

/** Local files an output includes: real paths only, not the virtual 'sediment' module. */
function localInputs(root: string, output: Metafile['outputs'][string]): string[] {
  return Object.keys(output.inputs)
    .filter((input) => !input.startsWith(`${VIRTUAL_NAMESPACE}:`))
    .map((input) => resolve(root, input));
}

/** The packages an output imports (left external: resolved when the bundle is imported). */
function externalImports(output: Metafile['outputs'][string]): string[] {
  return output.imports.filter((x) => x.external).map((x) => x.path);
}

/**
 * Compiles sediment.config.ts into one module, with 'sediment' bound to the running instance like
 * every other user file (so a config works even without Sediment in the project's node_modules).
 */
export async function compileConfigFile(root: string, file: string, apiNames: readonly string[]): Promise<{ code: string; packages: string[] }> {
  const { build } = await loadEsbuild();
  const result = await build({
    ...common,
    absWorkingDir: root,
    entryPoints: [file],
    plugins: [sedimentPlugin(apiNames)],
    // A CommonJS config (.cts/.cjs: `module.exports = …`, `require('dotenv')`) becomes the ESM
    // module's default export; require() of other packages needs a real require in an ESM output.
    banner: { js: "import { createRequire as __sedimentCreateRequire } from 'node:module'; const require = __sedimentCreateRequire(import.meta.url);" },
  }).catch(
    (error: unknown) => {
      throw compileError(root, error, 'config');
    },
  );
  return { code: result.outputFiles[0].text, packages: externalImports(Object.values(result.metafile.outputs)[0]) };
}

/**
 * Compiles every app's models file into one module (one scope, so a model value imported by another
 * app's models file is the very same object): its default export lists the files' namespaces.
 */
export async function compileModelsBundle(
  root: string,
  entries: readonly (readonly [app: string, file: string])[],
  apiNames: readonly string[],
  outfile: string,
): Promise<{ code: string; inputs: string[]; packages: string[] }> {
  const { build } = await loadEsbuild();
  const entry = [
    ...entries.map(([, file], i) => `import * as __sediment_models_${i} from ${JSON.stringify(file)};`),
    `export default [${entries.map((_, i) => `__sediment_models_${i}`).join(', ')}];`,
  ].join('\n');
  const result = await build({
    ...common,
    absWorkingDir: root,
    stdin: { contents: entry, resolveDir: root, sourcefile: 'sediment-models-entry.js', loader: 'js' },
    outfile,
    plugins: [sedimentPlugin(apiNames)],
  }).catch((error: unknown) => {
    throw compileError(root, error, 'models');
  });
  const output = Object.values(result.metafile.outputs)[0];
  const inputs = localInputs(root, output).filter((file) => !file.endsWith(`${sep}sediment-models-entry.js`));
  return { code: `// Models files compiled by Sediment; a cache, safe to delete.\n${result.outputFiles[0].text}`, inputs, packages: externalImports(output) };
}

/**
 * A function's source with formatting removed (esbuild's whitespace minifier: no renaming), so that
 * reformatting a runCode function, e.g. breaking an object literal over several lines, does not
 * change its migration's checksum.
 */
export async function normalizeFunctionSources(sources: readonly string[]): Promise<string[]> {
  if (sources.length === 0) return [];
  const { transform } = await loadEsbuild();
  const minify = async (code: string) =>
    (await transform(code, { loader: 'js', minifyWhitespace: true, legalComments: 'none' })).code.trim();
  return Promise.all(
    sources.map(async (source) => {
      try {
        return await minify(`(${source});`);
      } catch {
        // A method (`forward() {...}`) is not an expression on its own.
        return minify(`({${source}});`).catch(() => source);
      }
    }),
  );
}

/**
 * A compiled piece's code (piece.ts: a function body ending with `return {...}`) with formatting
 * removed, for the checksum of a migration with module-level code or local imports (checksum.ts
 * moduleContext). It hashes esbuild's printed output rather than the files' bytes: that output is
 * already free of comments, quotes style and semicolons, and the whitespace minifier (no renaming, no
 * syntax changes) also drops indentation and line breaks, which esbuild keeps for multi-line
 * literals. So reformatting a helper or adding a comment to it is not an edit, and changing a value
 * it exports is. The cost is one esbuild transform per such migration, only when its piece is new.
 */
export async function normalizeModuleCode(codes: readonly string[]): Promise<string[]> {
  if (codes.length === 0) return [];
  const { transform } = await loadEsbuild();
  return Promise.all(
    codes.map(async (code) => (await transform(`(function () {\n${code}\n});`, { loader: 'js', minifyWhitespace: true, legalComments: 'none' })).code.trim()),
  );
}

/** esbuild's failure as one clear error: the first problem with its location and line, and a count of the rest. */
function compileError(root: string, error: unknown, what: 'migration' | 'models' | 'config'): unknown {
  const errors = (error as Partial<BuildFailure>).errors;
  if (!Array.isArray(errors) || errors.length === 0) return error;
  const [first] = errors;
  const more = errors.length > 1 ? `\n(and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
  const file = first.location ? fileOf(root, first) : undefined;
  const subject = { migration: 'a migration file', models: 'the models files', config: 'the config file' }[what];
  return new InvalidDefinitionError(`Cannot compile ${subject}: ${describeMessage(root, first)}${more}`, {
    file,
    cause: error,
    hint: hintFor(first.text),
  });
}

function fileOf(root: string, message: Message): string | undefined {
  const location = message.location;
  if (!location || location.namespace === VIRTUAL_NAMESPACE) return undefined;
  return resolve(root, location.file);
}

/** `src/shop/migrations/0003_x.ts:4:12: Expected "}" but found ")"` and the line with a caret under the column. */
export function describeMessage(root: string, message: Message): string {
  const location = message.location;
  if (!location) return message.text;
  const file = fileOf(root, message);
  const name = file ? displayPath(root, file) : location.file;
  const gutter = String(location.line);
  const frame =
    location.lineText === ''
      ? ''
      : `\n  ${gutter} | ${location.lineText}\n  ${' '.repeat(gutter.length)} | ${' '.repeat(location.column)}^`;
  return `${name}:${location.line}:${location.column + 1}: ${message.text}${frame}`;
}

function hintFor(text: string): string | undefined {
  if (text.startsWith('No matching export in "sediment:')) return "Import only what 'sediment-migrations' exports: migration, ops, f, model, index, unique, check, ...";
  if (text.startsWith('Could not resolve')) return 'Check the import path; relative imports are resolved from the importing file.';
  if (text.startsWith('Top-level await')) return 'Move the await into a runCode function: migration files are evaluated synchronously.';
  return undefined;
}

export const cacheSubdirectory = (cacheDir: string): string => join(cacheDir, 'compiled');
