import type { Operation } from '../operations/types.js';
import type { Naming } from '../state/names.js';

/**
 * What detectChanges returns: for each app (alphabetical), the migrations to write, in order.
 * Names are not chosen yet (arrangeChanges does that), so dependencies point at planned migrations
 * by position, or at migrations that already exist by name.
 */
export type Changes = Readonly<Record<string, readonly PlannedMigration[]>>;

export interface PlannedMigration {
  readonly operations: readonly Operation[];
  /** Sorted: by app, then existing before planned. */
  readonly dependencies: readonly PlannedDependency[];
  /** true: the app had no models before (Django's `initial`, which `migrate --fake-initial` relies on). */
  readonly initial: boolean;
}

export type PlannedDependency =
  /** A migration on disk: the app's leaf when the changes were detected. */
  | { readonly kind: 'existing'; readonly app: string; readonly name: string }
  /** The `index`-th migration planned in this change set for `app`. */
  | { readonly kind: 'planned'; readonly app: string; readonly index: number };

export interface DetectOptions {
  /** Only keep changes for these apps, plus the apps they need (`makemigrations shop`). */
  readonly apps?: readonly string[];
  /** Each app's current leaf migration (undefined: no migrations yet). */
  readonly leaves?: Readonly<Record<string, string | undefined>>;
  /** How fields map to columns; decides whether a renamed field kept its column. Default snake_case. */
  readonly naming?: Naming;
}

/** A migration ready to be written: `src/<app>/migrations/<name>.ts`. */
export interface ArrangedMigration {
  readonly app: string;
  readonly name: string;
  readonly dependencies: readonly (readonly [app: string, name: string])[];
  readonly operations: readonly Operation[];
  readonly initial: boolean;
}
