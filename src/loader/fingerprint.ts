import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { displayPath } from './project.js';

/**
 * What identifies a version of a file for the cache: its root-relative path and a hash of its bytes.
 *
 * Not its modification time and size: a same-size edit that keeps the mtime (`touch -r`, `cp -p`,
 * `tar`/`rsync -a`, reproducible builds that set every mtime to SOURCE_DATE_EPOCH, filesystems with
 * 1–2 s timestamps) then ran the old compiled code and was not reported as an edit (issue 8 item 7).
 * Reading and hashing every migration file costs little next to the rest of a load: measured on the
 * 2-core machine (bench/generate.ts projects, see test/reliability/README.md), stat alone 6 ms and
 * read + sha256 19 ms for 1,000 files; 49 ms and 138 ms for 10,000.
 */
export type Fingerprint = readonly [path: string, contentHash: string];

export function contentHash(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

export function fingerprint(root: string, file: string, relativePath = displayPath(root, file)): Fingerprint {
  return [relativePath, contentHash(readFileSync(file))];
}

/** True when every fingerprinted file still has the same content. */
export function fingerprintsHold(root: string, prints: readonly Fingerprint[]): boolean {
  for (const [path, hash] of prints) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(resolve(root, path));
    } catch {
      return false;
    }
    if (contentHash(bytes) !== hash) return false;
  }
  return true;
}
