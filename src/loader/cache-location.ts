import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError } from '../errors/index.js';

/**
 * Where compiled files are cached (SPEC §1: "Sediment only reads the project"):
 * 1. `<root>/.sediment/cache` when it can be created and written;
 * 2. else the OS cache folder: `$XDG_CACHE_HOME/sediment/<hash of root>`, by default
 *    `~/.cache/sediment/…` (`~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows);
 * 3. else "nowhere": a temporary folder of this process, removed when it exits. A read-only deploy
 *    (an unprivileged user, a read-only image, HOME=/nonexistent) then works, only slower: every run
 *    compiles again.
 * Chosen once per project root and process.
 */
const chosen = new Map<string, string>();

export function defaultCacheDirectory(root: string): string {
  const key = resolve(root);
  let dir = chosen.get(key);
  if (dir === undefined) {
    dir = [join(key, '.sediment', 'cache'), osCacheDirectory(key)].find((candidate) => candidate !== undefined && writable(candidate)) ?? processTemporaryDirectory();
    chosen.set(key, dir);
  }
  return dir;
}

function osCacheDirectory(root: string): string | undefined {
  const project = createHash('sha256').update(root).digest('hex').slice(0, 16);
  const base =
    process.env.XDG_CACHE_HOME ||
    (process.platform === 'win32' ? process.env.LOCALAPPDATA : undefined) ||
    safeHome(process.platform === 'darwin' ? ['Library', 'Caches'] : ['.cache']);
  // XDG: a relative path in XDG_CACHE_HOME is invalid and must be ignored.
  return base && isAbsolute(base) ? join(base, 'sediment', project) : undefined;
}

function safeHome(parts: string[]): string | undefined {
  try {
    return join(homedir(), ...parts);
  } catch {
    return undefined;
  }
}

/** The folder exists afterwards and this process may create files in it (access(2) with the real ids; EROFS counts). */
function writable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

let temporary: string | undefined;

function processTemporaryDirectory(): string {
  if (temporary) return temporary;
  try {
    temporary = mkdtempSync(join(tmpdir(), 'sediment-cache-'));
  } catch (error) {
    throw new ConfigError(`No folder to compile the project's files into: the project folder, the OS cache folder and ${tmpdir()} are all read-only.`, {
      hint: 'Make one of them writable, or set XDG_CACHE_HOME (or TMPDIR) to a writable folder.',
      cause: error,
    });
  }
  const dir = temporary;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function isInside(root: string, dir: string): boolean {
  const rel = relative(resolve(root), resolve(dir));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * A bundle resolves the packages it imports from where it lives (Node's resolution walks up from the
 * importing file's folder). Inside the project that finds the project's node_modules; a cache outside
 * it gets a `node_modules` of its own with a link to each package the bundle imports, found as Node
 * would from the project root (also in a parent folder's node_modules, as in a hoisted monorepo).
 * Best effort: a package that cannot be linked fails at import with Node's own message.
 */
export function linkPackages(cacheDir: string, root: string, specs: Iterable<string>): void {
  if (isInside(root, cacheDir)) return;
  for (const name of new Set([...specs].map(packageName).filter((n): n is string => n !== undefined))) {
    const link = join(cacheDir, 'node_modules', name);
    const target = findPackage(root, name);
    if (!target) continue;
    try {
      if (existsSync(link) && readlinkSync(link) === target) continue;
      rmSync(link, { force: true });
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(target, link, 'junction');
    } catch {
      // Left to Node's resolution error.
    }
  }
}

function packageName(spec: string): string | undefined {
  if (isBuiltin(spec) || /^(\.|\/|[a-z]+:)/i.test(spec)) return undefined;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function findPackage(root: string, name: string): string | undefined {
  for (let dir = resolve(root); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
