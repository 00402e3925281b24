import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SEDIMENT_VERSION } from '../writer/version.js';
import { defaultCacheDirectory } from './cache-location.js';
import type { LoaderProject, LoadOptions } from './project.js';

/**
 * The on-disk cache of compiled bundles, `<root>/.sediment/cache` or a fallback (cache-location.ts). Entries are named by a key that
 * hashes everything their content depends on, so a stale entry is never read; it is only left
 * behind, and removed when a newer entry of the same kind is written. The folder is disposable.
 */

/** Bump when the layout of cached files changes, so that older caches are ignored. */
const CACHE_FORMAT = 2;

export function cacheDirectory(project: LoaderProject, options: LoadOptions): string {
  return options.cacheDir ?? defaultCacheDirectory(project.root);
}

/** A short hash of the parts, which always include the cache format and Sediment's version. */
export function cacheKey(...parts: unknown[]): string {
  return createHash('sha256')
    .update(JSON.stringify([CACHE_FORMAT, SEDIMENT_VERSION, ...parts]))
    .digest('hex')
    .slice(0, 24);
}

export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * Writes through a temporary file and a rename, so that another process starting at the same time
 * never reads half a file.
 */
export function writeAtomic(file: string, text: string): void {
  const temporary = `${file}-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

export function ensureCacheDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true });
  // Never committed, whatever the project's .gitignore says.
  const gitignore = join(dir, '.gitignore');
  try {
    writeFileSync(gitignore, '*\n', { flag: 'wx' });
  } catch {
    // Already there.
  }
}

/** Removes the files of one kind (`<prefix>-*`) other than those named in `keep`, and abandoned temporary files. */
export function removeStaleEntries(dir: string, prefix: string, keep: readonly string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    // Temporary files of other processes are theirs to rename, unless a crash left them behind.
    const stale = name.endsWith('.tmp') ? isAbandoned(join(dir, name)) : name.startsWith(`${prefix}-`) && !keep.includes(name);
    if (stale) rmSync(join(dir, name), { force: true });
  }
}

function isAbandoned(file: string): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > 10 * 60_000;
  } catch {
    return false;
  }
}

/**
 * The file name of a bundle: named by its content, so that a bundle rebuilt in the same process (after
 * a helper file changed, which does not change the key) is a new module rather than the one Node
 * already holds for that URL.
 */
export function bundleName(prefix: string, key: string, text: string): string {
  return `${prefix}-${key}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}.mjs`;
}

/** Imports a bundle; Node keeps it for the life of the process, which is right: its name is its content. */
export async function importBundle(file: string): Promise<unknown> {
  return import(pathToFileURL(file).href);
}

/**
 * Imports a cached bundle found through its manifest, or gives undefined if it is gone (another
 * process replaced it in between): the caller then builds it again.
 */
export async function importCachedBundle(file: string): Promise<unknown> {
  try {
    return await importBundle(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}
