import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidDefinitionError } from '../errors/index.js';
import type { Migration } from '../graph/migration.js';
import type { MigrationDefinition } from '../model/migration.js';
import {
  bundleName, cacheDirectory, cacheKey, ensureCacheDirectory, importBundle, importCachedBundle, readJson,
  removeStaleEntries, writeAtomic,
} from './cache.js';
import { linkPackages } from './cache-location.js';
import { contextText, functionsIn, migrationChecksum, moduleContext } from './checksum.js';
import { migrationFiles, type MigrationFile } from './files.js';
import { fingerprint, fingerprintsHold, type Fingerprint } from './fingerprint.js';
import { combinePieces, type Piece } from './piece.js';
import type { LoaderProject, LoadOptions } from './project.js';
import { installSedimentApi, userFacingMessage } from './sediment-api.js';
import { validateMigrationExports } from './validate-migration.js';
import type { MigrationBody } from '../graph/migration.js';

/**
 * Loading migration files, fast. The warm path lists the files, hashes their content, and imports one
 * cached bundle whose name is a hash of every file's path and content hash (fingerprint.ts says why
 * not modification times); esbuild is not even imported. On a miss, only the files that changed are
 * compiled (see piece.ts); the others are reused from the piece store, and the bundle is put together
 * again.
 *
 * Cache files, in `<root>/.sediment/cache` (or its fallback, cache-location.ts):
 * - `migrations-<key>.json`: the manifest: the bundle's file name, the helper files it includes
 *   (checked on every load, as they are not part of the key), each migration's checksum, and the
 *   checksum an older Sediment gave it where that differs (see Migration.olderChecksum);
 * - `migrations-<key>-<content hash>.mjs`: the bundle;
 * - `migration-pieces.json`: each file's compiled piece, for recompiling only what changed.
 */

interface Manifest {
  readonly bundle: string;
  readonly helpers: readonly Fingerprint[];
  readonly checksums: Readonly<Record<string, string>>;
  readonly olderChecksums: Readonly<Record<string, string>>;
}

interface PieceRecord {
  /** The file itself first, then the helpers it includes. */
  readonly inputs: readonly Fingerprint[];
  readonly piece: Piece;
  readonly checksum?: string;
  readonly olderChecksum?: string;
}

interface PieceStore {
  readonly format: string;
  readonly pieces: Readonly<Record<string, PieceRecord>>;
}

type BundleEntry = { readonly exports: Readonly<Record<string, unknown>>; readonly error?: undefined } | { readonly error: unknown };
type Bundle = Readonly<Record<string, BundleEntry | undefined>>;

/**
 * Every migration of the project's apps, validated, in configuration order and then by name.
 *
 * @example
 * const migrations = await loadMigrations({ root: '/app', apps: [['shop', 'src/shop']] });
 */
export async function loadMigrations(project: LoaderProject, options: LoadOptions = {}): Promise<Migration[]> {
  const files = migrationFiles(project);
  if (files.length === 0) return [];
  const apiNames = installSedimentApi();
  const dir = cacheDirectory(project, options);
  const prints = files.map((m) => fingerprint(project.root, m.file, m.relativePath));
  const key = cacheKey('migrations', apiNames, prints);
  const manifest = readJson<Manifest>(join(dir, `migrations-${key}.json`));
  const bundleFile = manifest && join(dir, manifest.bundle);
  if (manifest && bundleFile && existsSync(bundleFile) && fingerprintsHold(project.root, manifest.helpers)) {
    const module = (await importCachedBundle(bundleFile)) as { default: Bundle } | undefined;
    if (module) {
      options.onEvent?.({ kind: 'cache-hit', target: 'migrations', bundle: bundleFile });
      // The manifest is written only once every file of this very bundle has been validated, so the
      // warm path does not validate again (it would cost as much as the rest of the load).
      return files.map((m) => {
        const content = trustedContent(exportsOf(module.default, m));
        return record(m, content, manifest.checksums[m.relativePath] ?? missingChecksum(m.relativePath), manifest.olderChecksums[m.relativePath]);
      });
    }
  }
  return rebuild(project, options, { files, prints, key, apiNames, dir });
}

function missingChecksum(where: string): never {
  throw new Error(`The migration cache manifest has no checksum for ${where}; delete .sediment/cache and retry.`);
}

interface RebuildInput {
  readonly files: readonly MigrationFile[];
  readonly prints: readonly Fingerprint[];
  readonly key: string;
  readonly apiNames: readonly string[];
  readonly dir: string;
}

type Compile = typeof import('./compile.js');

/** The cold path: compile what changed, put the bundle together, validate, checksum, write the cache. */
async function rebuild(project: LoaderProject, options: LoadOptions, input: RebuildInput): Promise<Migration[]> {
  const { files, key, apiNames, dir } = input;
  const compile = await import('./compile.js');
  const store = openPieceStore(dir, project.root, apiNames);
  await compileStale(project, options, input, store.records, compile);

  ensureCacheDirectory(dir);
  const recordOf = (m: MigrationFile) => store.records.get(m.relativePath)!;
  const text = combinePieces(files.map((m) => ({ file: m.relativePath, piece: recordOf(m).piece })), apiNames);
  const bundle = bundleName('migrations', key, text);
  const bundleFile = join(dir, bundle);
  writeAtomic(bundleFile, text);
  linkPackages(dir, project.root, files.flatMap((m) => recordOf(m).piece.imports.map((i) => i.spec)));
  options.onEvent?.({ kind: 'bundle-written', target: 'migrations', bundle: bundleFile });
  let loaded: Bundle;
  try {
    loaded = ((await importBundle(bundleFile)) as { default: Bundle }).default;
  } catch (error) {
    throw bundleImportError(project, error, files, recordOf);
  }

  // Validate everything first: a broken file is reported before any checksum is computed, while the
  // compiled pieces are kept so that fixing it recompiles that file alone.
  const contents: MigrationBody[] = [];
  try {
    for (const m of files) contents.push(validateMigrationExports(exportsOf(loaded, m), m.relativePath, m.file));
  } finally {
    if (contents.length < files.length) store.save();
  }
  await addChecksums(files, contents, store.records, compile);

  const checksums = Object.fromEntries(files.map((m) => [m.relativePath, recordOf(m).checksum!]));
  const olderChecksums = Object.fromEntries(files.flatMap((m) => (recordOf(m).olderChecksum ? [[m.relativePath, recordOf(m).olderChecksum!]] : [])));
  const helpers = uniqueFingerprints(files.flatMap((m) => recordOf(m).inputs.slice(1)));
  store.save();
  const manifestName = `migrations-${key}.json`;
  writeAtomic(join(dir, manifestName), JSON.stringify({ bundle, helpers, checksums, olderChecksums } satisfies Manifest));
  removeStaleEntries(dir, 'migrations', [manifestName, bundle]);
  return files.map((m, i) => record(m, contents[i], checksums[m.relativePath], olderChecksums[m.relativePath]));
}

/** The stored pieces still valid (their file and helpers unchanged), and a way to save them back. */
function openPieceStore(dir: string, root: string, apiNames: readonly string[]) {
  const file = join(dir, 'migration-pieces.json');
  const format = cacheKey('pieces', apiNames);
  const stored = readJson<PieceStore>(file);
  const records = new Map<string, PieceRecord>();
  if (stored?.format === format) {
    for (const [path, entry] of Object.entries(stored.pieces)) {
      if (existsSync(resolve(root, path)) && fingerprintsHold(root, entry.inputs)) records.set(path, entry);
    }
  }
  const save = () => writeAtomic(file, JSON.stringify({ format, pieces: Object.fromEntries(records) } satisfies PieceStore));
  return { records, save };
}

/** Compiles the files that have no valid piece, and records their pieces. */
async function compileStale(
  project: LoaderProject,
  options: LoadOptions,
  { files, prints, apiNames, dir }: RebuildInput,
  records: Map<string, PieceRecord>,
  compile: Compile,
): Promise<void> {
  const stale = files.filter((m) => !records.has(m.relativePath));
  if (stale.length === 0) return;
  options.onEvent?.({ kind: 'compile', target: 'migrations', files: stale.map((m) => m.relativePath) });
  const compiled = await compile.compileMigrationPieces(project.root, stale.map((m) => m.file), apiNames, compile.cacheSubdirectory(dir));
  const printOf = new Map(files.map((m, i) => [m.file, prints[i]]));
  stale.forEach((m, i) => {
    const { piece, inputs } = compiled[i];
    // The file's own fingerprint is the one taken before compiling: if it changed since, it is recompiled next time.
    const helpers = inputs.filter((input) => input !== m.file).map((input) => fingerprint(project.root, input));
    records.set(m.relativePath, { inputs: [printOf.get(m.file)!, ...helpers], piece });
  });
}

/**
 * Checksums for the pieces that have none yet; function sources and module code are normalised by
 * esbuild in one batch. A file with module-level code or local imports also gets the checksum Sediment
 * 0.1.0 gave it (its canonical content alone), which its database history may still hold.
 */
async function addChecksums(
  files: readonly MigrationFile[],
  contents: readonly MigrationBody[],
  records: Map<string, PieceRecord>,
  compile: Compile,
): Promise<void> {
  const missing = files.map((_, i) => i).filter((i) => records.get(files[i].relativePath)!.checksum === undefined);
  const functions = [...new Set(missing.flatMap((i) => functionsIn(contents[i].operations)))];
  const contexts = missing.map((i) => moduleContext(records.get(files[i].relativePath)!.piece));
  const withContext = contexts.flatMap((context) => (context ? [context] : []));
  const [normalized, codes] = await Promise.all([
    compile.normalizeFunctionSources(functions.map((fn) => Function.prototype.toString.call(fn))),
    compile.normalizeModuleCode(withContext.map((context) => context.code)),
  ]);
  const textOf = new Map(functions.map((fn, i) => [fn, normalized[i]]));
  const codeOf = new Map(withContext.map((context, i) => [context, codes[i]]));
  const functionText = (fn: Function) => textOf.get(fn) ?? Function.prototype.toString.call(fn);
  missing.forEach((i, n) => {
    const context = contexts[n];
    const olderChecksum = migrationChecksum(contents[i], functionText);
    const checksum = context ? migrationChecksum(contents[i], functionText, contextText(context, codeOf.get(context)!)) : olderChecksum;
    records.set(files[i].relativePath, { ...records.get(files[i].relativePath)!, checksum, olderChecksum: context ? olderChecksum : undefined });
  });
}

function uniqueFingerprints(prints: readonly Fingerprint[]): Fingerprint[] {
  return [...new Map(prints.map((s) => [s[0], s])).values()];
}

/**
 * The bundle failed before any file in it ran: one of its package imports cannot be resolved (a
 * package that is not installed, a misspelt name). Names the files that import it. This surfaced as an
 * internal error with a stack trace (found by the reliability loader fuzz test).
 */
function bundleImportError(
  project: LoaderProject,
  error: unknown,
  files: readonly MigrationFile[],
  recordOf: (m: MigrationFile) => PieceRecord,
): InvalidDefinitionError {
  const message = userFacingMessage(error).replace(/ imported from \S+/, '');
  const missing = /Cannot find (?:package|module) '([^']+)'/.exec(message)?.[1];
  const importers = missing
    ? files.filter((m) => recordOf(m).piece.imports.some((i) => i.spec === missing || i.spec.startsWith(`${missing}/`)))
    : [];
  const where = importers.length ? importers.map((m) => m.relativePath).join(', ') : 'the migration files';
  return new InvalidDefinitionError(`${where}: loading the migrations failed: ${message}`, {
    file: importers[0]?.file,
    cause: error,
    hint: missing
      ? `Check the import of '${missing}' in ${importers.length === 1 ? 'that file' : 'those files'}: the package must be installed in ${project.root} (migration files import 'sediment-migrations' and packages only).`
      : 'Fix the import the message names.',
  });
}

function exportsOf(bundle: Bundle, m: MigrationFile): Readonly<Record<string, unknown>> {
  const entry = bundle[m.relativePath];
  if (entry === undefined) throw new Error(`The migration bundle has no entry for ${m.relativePath}; delete .sediment/cache and retry.`);
  if (entry.error !== undefined) {
    const message = userFacingMessage(entry.error);
    throw new InvalidDefinitionError(`${m.relativePath}: loading the migration failed: ${message}`, {
      file: m.file,
      cause: entry.error,
      hint: 'The file threw an error while it was evaluated: fix the statement the message describes in that file.',
    });
  }
  return (entry as { exports: Record<string, unknown> }).exports;
}

/** The content of an export already validated when its bundle was built. */
function trustedContent(exports: Readonly<Record<string, unknown>>): MigrationBody {
  const value = exports.default as MigrationDefinition;
  return {
    dependencies: value.dependencies ?? [],
    operations: value.operations ?? [],
    initial: value.initial ?? false,
    atomic: value.atomic ?? true,
    replaces: value.replaces ?? [],
    runBefore: value.runBefore ?? [],
  };
}

function record(m: MigrationFile, content: MigrationBody, checksum: string, olderChecksum: string | undefined): Migration {
  return Object.freeze({ app: m.app, name: m.name, file: m.file, ...content, checksum, ...(olderChecksum ? { olderChecksum } : {}) });
}
