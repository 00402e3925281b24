import { isAbsolute, relative, resolve, sep } from 'node:path';

/** The part of a project's configuration the loader needs. */
export interface LoaderProject {
  /** The folder holding sediment.config.ts; the cache lives in `<root>/.sediment/cache` (see cache-location.ts). */
  readonly root: string;
  /** `[label, folder]` in configuration order; folders are relative to `root` or absolute. */
  readonly apps: readonly (readonly [label: string, dir: string])[];
}

/** What the loader reports while it works, for verbose output and for tests. */
export type LoadEvent =
  /** The cached bundle was still valid: nothing was compiled. */
  | { readonly kind: 'cache-hit'; readonly target: BundleTarget; readonly bundle: string }
  /** esbuild compiled these files (root-relative), because they were new or had changed. */
  | { readonly kind: 'compile'; readonly target: BundleTarget; readonly files: readonly string[] }
  /** A new bundle was written. */
  | { readonly kind: 'bundle-written'; readonly target: BundleTarget; readonly bundle: string };

export type BundleTarget = 'migrations' | 'models';

export interface LoadOptions {
  /**
   * Where compiled bundles are kept; default `<root>/.sediment/cache` when it is writable, else a
   * fallback (cache-location.ts). Packages that user files import are resolved from the bundle's
   * location: a folder outside the project gets links to them (cache-location.ts linkPackages).
   */
  readonly cacheDir?: string;
  readonly onEvent?: (event: LoadEvent) => void;
}

export function appDir(project: LoaderProject, dir: string): string {
  return isAbsolute(dir) ? dir : resolve(project.root, dir);
}

/** A root-relative path with forward slashes: how files are named in messages, keys and bundles. */
export function displayPath(root: string, file: string): string {
  const rel = relative(root, file);
  return (rel.startsWith('..') || isAbsolute(rel) ? file : rel).split(sep).join('/');
}
