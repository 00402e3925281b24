import { after } from 'node:test';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoaderProject, LoadEvent } from '../../src/loader/index.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export interface TempProject extends LoaderProject {
  /** Writes a file relative to the project root (creating folders). */
  write(path: string, text: string): void;
  read(path: string): string;
  remove(path: string): void;
  /** Moves a file's modification time forward, as an edit would. */
  touch(path: string): void;
  path(path: string): string;
}

function temporaryRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'sediment-loader-test-'));
  made.push(root);
  return root;
}

function project(root: string, apps: readonly (readonly [string, string])[]): TempProject {
  let tick = 0;
  return {
    root,
    apps,
    write(path, text) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    },
    read: (path) => readFileSync(join(root, path), 'utf8'),
    remove: (path) => rmSync(join(root, path)),
    touch(path) {
      const when = new Date(Date.now() + ++tick * 2000);
      utimesSync(join(root, path), when, when);
    },
    path: (path) => join(root, path),
  };
}

/** An empty project with the given apps (label, folder); the folders are created. */
export function tempProject(apps: readonly (readonly [string, string])[] = [['shop', 'src/shop']]): TempProject {
  const root = temporaryRoot();
  for (const [, dir] of apps) mkdirSync(join(root, dir, 'migrations'), { recursive: true });
  return project(root, apps);
}

/** A copy of test/fixtures/<name>, with the apps its sediment.config.ts names. */
export function fixtureProject(name: string): TempProject {
  const root = temporaryRoot();
  cpSync(join(fixtures, name), root, { recursive: true });
  const config = readFileSync(join(root, 'sediment.config.ts'), 'utf8');
  const apps = [.../apps: \{([^}]*)\}/.exec(config)![1].matchAll(/(\w+): '([^']+)'/g)].map((m) => [m[1], m[2]] as const);
  return project(root, apps);
}

/** Collects the loader's events, to assert what it did (never how long it took). */
export function recorder(): { events: LoadEvent[]; onEvent: (event: LoadEvent) => void; compiled: () => string[] } {
  const events: LoadEvent[] = [];
  return {
    events,
    onEvent: (event) => events.push(event),
    compiled: () => events.flatMap((event) => (event.kind === 'compile' ? event.files : [])),
  };
}
