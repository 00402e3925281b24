import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidDefinitionError } from '../errors/index.js';
import type { ModelDefinition } from '../model/model.js';
import {
  bundleName, cacheDirectory, cacheKey, ensureCacheDirectory, importBundle, importCachedBundle, readJson, removeStaleEntries, writeAtomic,
} from './cache.js';
import { linkPackages } from './cache-location.js';
import { modelsFile } from './files.js';
import { fingerprint, fingerprintsHold, type Fingerprint } from './fingerprint.js';
import { displayPath, type LoaderProject, type LoadOptions } from './project.js';
import { creationIndex, installSedimentApi, userFacingMessage } from './sediment-api.js';

/**
 * Loading models files: every app's models file compiled into one cached module. The key hashes the
 * models files' fingerprints (path and content hash, fingerprint.ts); the manifest `models-<key>.json` names the bundle and lists every local file
 * it includes, checked on each load. Models live in a bundle of their own because they
 * change far more often than migrations.
 */
interface Manifest {
  /** The bundle's file name, `models-<key>-<content hash>.mjs`. */
  readonly bundle: string;
  readonly inputs: readonly Fingerprint[];
}

/**
 * Each app's models, in declaration order: every model definition a models file exports, directly or
 * inside exported arrays and objects. Apps without a models file have none.
 *
 * @example
 * const models = await loadModels({ root: '/app', apps: [['shop', 'src/shop']] });
 * models.shop.map((m) => m.name); // ['Client', 'Computer']
 */
export async function loadModels(project: LoaderProject, options: LoadOptions = {}): Promise<Record<string, ModelDefinition[]>> {
  const result: Record<string, ModelDefinition[]> = {};
  const entries: (readonly [string, string])[] = [];
  for (const [app, dir] of project.apps) {
    result[app] = [];
    const file = modelsFile(project, app, dir);
    if (file) entries.push([app, file]);
  }
  if (entries.length === 0) return result;
  const namespaces = await modelsBundle(project, options, entries);
  return { ...result, ...assignModels(project.root, entries, namespaces) };
}

type Namespaces = readonly Readonly<Record<string, unknown>>[];

/** The models files' namespaces, from the cached bundle or from a new one. */
async function modelsBundle(project: LoaderProject, options: LoadOptions, entries: readonly (readonly [string, string])[]): Promise<Namespaces> {
  const apiNames = installSedimentApi();
  const { root } = project;
  const dir = cacheDirectory(project, options);
  const key = cacheKey('models', apiNames, entries.map(([, file]) => fingerprint(root, file)));
  const manifestName = `models-${key}.json`;
  const manifest = readJson<Manifest>(join(dir, manifestName));
  if (manifest && existsSync(join(dir, manifest.bundle)) && fingerprintsHold(root, manifest.inputs)) {
    const bundleFile = join(dir, manifest.bundle);
    const namespaces = await importModels(bundleFile, root, importCachedBundle);
    if (namespaces) {
      options.onEvent?.({ kind: 'cache-hit', target: 'models', bundle: bundleFile });
      return namespaces;
    }
  }
  const { compileModelsBundle } = await import('./compile.js');
  options.onEvent?.({ kind: 'compile', target: 'models', files: entries.map(([, file]) => displayPath(root, file)) });
  const { code, inputs, packages } = await compileModelsBundle(root, entries, apiNames, join(dir, 'models.mjs'));
  const bundle = bundleName('models', key, code);
  const bundleFile = join(dir, bundle);
  ensureCacheDirectory(dir);
  writeAtomic(bundleFile, code);
  linkPackages(dir, root, packages);
  writeAtomic(join(dir, manifestName), JSON.stringify({ bundle, inputs: inputs.map((file) => fingerprint(root, file)) } satisfies Manifest));
  removeStaleEntries(dir, 'models', [manifestName, bundle]);
  options.onEvent?.({ kind: 'bundle-written', target: 'models', bundle: bundleFile });
  return (await importModels(bundleFile, root, importBundle))!;
}

/** Each app's definitions; a model exported by two apps, or two models of one name in an app, is an error. */
function assignModels(root: string, entries: readonly (readonly [string, string])[], namespaces: Namespaces): Record<string, ModelDefinition[]> {
  const result: Record<string, ModelDefinition[]> = {};
  const owner = new Map<ModelDefinition, string>();
  entries.forEach(([app, file], i) => {
    const models = modelDefinitionsIn(namespaces[i]);
    const byName = new Map<string, ModelDefinition>();
    for (const model of models) {
      const other = owner.get(model);
      if (other !== undefined) {
        throw new InvalidDefinitionError(
          `Model ${model.name} is exported by the models files of both '${other}' and '${app}' (${displayPath(root, file)}); a model belongs to exactly one app.`,
          { file, hint: `Export it from one models file only; other apps can import it without exporting it again.` },
        );
      }
      const same = byName.get(model.name.toLowerCase());
      if (same !== undefined) {
        throw new InvalidDefinitionError(
          `${displayPath(root, file)}: app '${app}' declares two models named ${same.name === model.name ? model.name : `${same.name} and ${model.name}`} (model names are case-insensitive).`,
          { file, hint: 'Rename one of them.' },
        );
      }
      owner.set(model, app);
      byName.set(model.name.toLowerCase(), model);
    }
    result[app] = models;
  });
  return result;
}

export function isModelDefinition(value: unknown): value is ModelDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<ModelDefinition>;
  return v.kind === 'model' && typeof v.name === 'string' && typeof v.fields === 'object' && typeof v.options === 'object';
}

/**
 * The definitions exported by one file's namespace, found in exports, arrays and plain objects, once
 * each, in the order `model()` created them (a module namespace lists its exports alphabetically, not
 * in declaration order).
 */
function modelDefinitionsIn(namespace: Readonly<Record<string, unknown>>): ModelDefinition[] {
  const found: ModelDefinition[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    if (isModelDefinition(value)) {
      found.push(value);
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else {
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto === Object.prototype || proto === null) Object.values(value).forEach(visit);
    }
  };
  for (const key of Object.keys(namespace)) visit(namespace[key]);
  const order = (m: ModelDefinition) => creationIndex(m) ?? Number.MAX_SAFE_INTEGER;
  return found
    .map((model, i) => ({ model, i }))
    .sort((a, b) => order(a.model) - order(b.model) || a.i - b.i)
    .map(({ model }) => model);
}

/** The models bundle's namespaces; an error thrown while the files are evaluated names the file it came from. */
async function importModels(
  bundleFile: string,
  root: string,
  load: (file: string) => Promise<unknown>,
): Promise<Namespaces | undefined> {
  try {
    return ((await load(bundleFile)) as { default: Record<string, unknown>[] } | undefined)?.default;
  } catch (error) {
    const file = locateInBundle(bundleFile, error, root);
    const message = userFacingMessage(error);
    throw new InvalidDefinitionError(`${file ? displayPath(root, file) : 'A models file'}: loading the models failed: ${message}`, {
      file,
      cause: error,
      hint: 'The file threw an error while it was evaluated: fix the statement the message describes in that file.',
    });
  }
}

/**
 * The source file an error thrown while evaluating a bundle came from: esbuild writes a
 * `// path/of/file.ts` comment before each file's code, so the nearest one above the failing line.
 */
function locateInBundle(bundleFile: string, error: unknown, root: string): string | undefined {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const url = pathToFileURL(bundleFile).href;
  const at = stack.indexOf(`${url}:`);
  if (at < 0) return undefined;
  const line = Number(/^:(\d+):/.exec(stack.slice(at + url.length))?.[1]);
  if (!Number.isInteger(line)) return undefined;
  const lines = readFileSync(bundleFile, 'utf8').split('\n');
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const match = /^\/\/ (\S.*\.(?:ts|mts|js|mjs))$/.exec(lines[i]);
    if (match) return resolve(root, match[1]);
  }
  return undefined;
}
