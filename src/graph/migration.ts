import type { Operation } from '../operations/types.js';

/** A node of the migration graph: `app.name`. */
export type NodeKey = string;
export type NodeRef = readonly [app: string, name: string];

export const nodeKey = (app: string, name: string): NodeKey => `${app}.${name}`;

/** A migration as loaded from its file, validated and normalised. */
export interface Migration {
  readonly app: string;
  readonly name: string;
  /** Absolute path of the file it came from. */
  readonly file: string;
  readonly dependencies: readonly NodeRef[];
  readonly operations: readonly Operation[];
  readonly initial: boolean;
  readonly atomic: boolean;
  readonly replaces: readonly NodeRef[];
  readonly runBefore: readonly NodeRef[];
  /** sha256 of the canonical content (see loader/checksum.ts): formatting-only edits do not change it. */
  readonly checksum: string;
}
