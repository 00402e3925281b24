import type { Operation } from '../operations/types.js';

/** A node of the migration graph: `app.name`. */
export type NodeKey = string;
export type NodeRef = readonly [app: string, name: string];

export const nodeKey = (app: string, name: string): NodeKey => `${app}.${name}`;

/** What a migration file declares, validated and normalised (every key present). */
export interface MigrationBody {
  readonly dependencies: readonly NodeRef[];
  readonly operations: readonly Operation[];
  readonly initial: boolean;
  readonly atomic: boolean;
  readonly replaces: readonly NodeRef[];
  readonly runBefore: readonly NodeRef[];
}

/** A migration as loaded from its file. */
export interface Migration extends MigrationBody {
  readonly app: string;
  readonly name: string;
  /** Absolute path of the file it came from. */
  readonly file: string;
  /**
   * sha256 of the canonical content and, for a file with module-level code or local imports, of what
   * that code is (see loader/checksum.ts): formatting-only edits do not change it.
   */
  readonly checksum: string;
  /**
   * For a file with module-level code or local imports: the checksum Sediment 0.1.0 gave it, from its
   * canonical content alone. A history row holding it was recorded by that older version; it is
   * accepted (and upgraded by migrate) because the two schemes agree on everything 0.1.0 covered.
   */
  readonly olderChecksum?: string;
}
