import type { NodeKey } from '../graph/migration.js';
import type { SchemaFinding } from '../schema/compare.js';
import type { KeySequence } from './sequences.js';

/**
 * What `sediment doctor` finds, as readonly plain data with a `kind`. Every finding has a one-line
 * `message` for people and a `fix`; a fix with an `action` is one `doctor --fix` may apply, because it
 * never drops data (see fix.ts).
 */
export type Finding =
  | BrokenGraphFinding
  | ConflictFinding
  | InconsistentHistoryFinding
  | MissingFileFinding
  | EditedFinding
  | UnappliedFinding
  | ReplayFailedFinding
  | DriftFinding
  | SequenceFinding;

export type FindingKind = Finding['kind'];

interface Common {
  readonly message: string;
  readonly fix: Fix;
}

/** The migration files do not form a graph (a missing node, a cycle): nothing else can be checked. */
export interface BrokenGraphFinding extends Common {
  readonly kind: 'broken-graph';
  /** The error's stable code (`node-not-found`, `circular-dependency`, ...). */
  readonly code: string;
}

/** Two or more leaves in one app. */
export interface ConflictFinding extends Common {
  readonly kind: 'conflict';
  readonly app: string;
  readonly leaves: readonly string[];
  /** Whether the branches change different models and fields (a merge migration is then safe). */
  readonly disjoint: boolean;
}

/** An applied migration whose dependency is not applied. */
export interface InconsistentHistoryFinding extends Common {
  readonly kind: 'inconsistent-history';
  readonly migration: NodeKey;
  readonly dependency: NodeKey;
}

/** A history row whose migration file is gone (and that no squash replaces). */
export interface MissingFileFinding extends Common {
  readonly kind: 'missing-file';
  readonly migration: NodeKey;
  readonly appliedAt: string;
}

/** An applied migration whose canonical content changed since it ran. */
export interface EditedFinding extends Common {
  readonly kind: 'edited';
  readonly migration: NodeKey;
  readonly file: string;
  /**
   * true: no schema difference is explained by the migration, so the database has what the edited
   * file describes; false: some are (see the drift findings); null: the schema was not compared.
   */
  readonly matchesDatabase: boolean | null;
  /**
   * Whether it runs SQL or code (runSql / runCode): what that did to the rows no schema comparison can
   * see, so a matching schema never says the database has what the edited file describes.
   */
  readonly runsCode: boolean;
}

/** How much of an unapplied migration's schema the database already has. */
export type Presence =
  /** None of it (or it changes no table): `migrate` applies it. */
  | { readonly kind: 'absent' }
  /** All of it: `migrate` would fail with "already exists"; record it without running (`--fake`). */
  | { readonly kind: 'present'; readonly evidence: readonly string[]; readonly runsCode: boolean }
  /** Some of it: neither running nor faking it works as it is. */
  | { readonly kind: 'partial'; readonly present: readonly string[]; readonly missing: readonly string[] };

/** A migration that is not applied. */
export interface UnappliedFinding extends Common {
  readonly kind: 'unapplied';
  readonly migration: NodeKey;
  readonly file: string;
  readonly presence: Presence;
}

/** The applied migrations cannot be replayed into a state (so the schema was not compared). */
export interface ReplayFailedFinding extends Common {
  readonly kind: 'replay-failed';
}

/**
 * Why the database differs from the applied history here, as far as the history can tell:
 * - `set-by`: the applied migration since which the history expects what the finding says is
 *   expected (the migration that added the missing column, that gave the column its type, ...);
 * - `removed-by`: the object exists, but an applied migration removed it;
 * - `unapplied`: an unapplied migration makes the history expect what the database has;
 * - `none`: no migration creates it (`missingFiles` and `edited` list what might have: migrations
 *   whose file is gone, and applied ones edited since they ran).
 */
export type Explanation =
  | { readonly kind: 'set-by'; readonly migration: NodeKey; readonly edited: boolean }
  | { readonly kind: 'removed-by'; readonly migration: NodeKey }
  | { readonly kind: 'unapplied'; readonly migration: NodeKey }
  | { readonly kind: 'none'; readonly missingFiles: readonly NodeKey[]; readonly edited: readonly NodeKey[] };

/** The live schema differs from the one the applied migrations describe. */
export interface DriftFinding extends Common {
  readonly kind: 'schema-drift';
  readonly drift: SchemaFinding;
  readonly explanation: Explanation;
}

/** A key sequence that would hand out a key its table already has (seed 004). */
export interface SequenceFinding extends Common {
  readonly kind: 'sequence-behind';
  readonly sequence: KeySequence;
}

/**
 * What to do about a finding: always a sentence, and for the safe ones an action `doctor --fix` takes.
 * `rerecord` is taken only when asked (`--accept-edited`): accepting an edit is a decision.
 */
export interface Fix {
  readonly text: string;
  readonly action?: FixAction;
}

export type FixAction =
  | { readonly kind: 'fake'; readonly migration: NodeKey }
  | { readonly kind: 'prune'; readonly migration: NodeKey }
  /** `rowsUnchecked`: the migration runs SQL or code, whose effect on the rows was not (cannot be) checked. */
  | { readonly kind: 'rerecord'; readonly migration: NodeKey; readonly rowsUnchecked?: boolean }
  | { readonly kind: 'reset-sequence'; readonly sequence: KeySequence };

/** Everything doctor found, and what it looked at. */
export interface Report {
  readonly findings: readonly Finding[];
  readonly summary: {
    readonly migrations: number;
    readonly applied: number;
    /** Tables compared with the live database; null when the schema was not compared. */
    readonly tablesCompared: number | null;
    /** Key sequences checked. */
    readonly sequences: number;
    /**
     * What belongs to apps this project does not configure (another project sharing the database and
     * its history table): their history rows, and the live tables named with their prefix
     * (`<app>_`) that no migration of this project describes. Left alone and not compared: they are
     * not problems of this project.
     */
    readonly foreign: {
      readonly apps: readonly string[];
      readonly rows: number;
      readonly tables: readonly string[];
    };
  };
}
