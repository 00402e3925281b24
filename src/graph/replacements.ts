import type { Migration, NodeKey } from './migration.js';
import { nodeKey } from './migration.js';

/**
 * What happens to one squashed migration (one with `replaces`) when the graph is built. Django's rule:
 * a squash can stand in for the migrations it replaces only while a database has applied all of them or
 * none of them; in between, the originals must run one by one and the squash is left out.
 */
export type SquashOutcome =
  /** All or none of the replaced migrations are applied: the squash is the node, the originals are left out. */
  | 'stands-in'
  /** Some, not all, are applied: the originals are the nodes, the squash is left out. */
  | 'partially-applied'
  /** Replacements are turned off (planning to a migration a squash replaced): the originals are the nodes. */
  | 'disabled';

export interface SquashDecision {
  readonly squash: NodeKey;
  readonly replaces: readonly NodeKey[];
  readonly outcome: SquashOutcome;
  /** Replaced migrations recorded as applied, in `replaces` order. */
  readonly appliedReplaced: readonly NodeKey[];
  /**
   * The squash counts as applied: every replaced migration is recorded, or the squash itself is
   * (the executor records both; a history that kept only the squash's row still means "all applied").
   */
  readonly applied: boolean;
}

export interface Replacements {
  /** One decision per squashed migration, in key order. */
  readonly decisions: readonly SquashDecision[];
  /** Keys left out of the graph, each with the decision that left it out. */
  readonly removed: ReadonlyMap<NodeKey, SquashDecision>;
  /** Replaced migration -> the squash that stands in for it. */
  readonly standIn: ReadonlyMap<NodeKey, NodeKey>;
  /** Squash key -> its decision. */
  readonly bySquash: ReadonlyMap<NodeKey, SquashDecision>;
}

export const keyOf = (migration: Migration): NodeKey => nodeKey(migration.app, migration.name);

/**
 * Decides every squash from the recorded history alone (no edges needed), so the graph can be built in
 * one pass afterwards. When two squashes claim the same migration, the first by key wins.
 */
export function decideReplacements(
  migrations: readonly Migration[],
  recorded: ReadonlySet<NodeKey>,
  replaceMigrations: boolean,
): Replacements {
  const squashes = migrations.filter((m) => m.replaces.length > 0).sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
  const decisions: SquashDecision[] = [];
  const removed = new Map<NodeKey, SquashDecision>();
  const standIn = new Map<NodeKey, NodeKey>();
  const bySquash = new Map<NodeKey, SquashDecision>();
  for (const migration of squashes) {
    const squash = keyOf(migration);
    const replaces = migration.replaces.map(([app, name]) => nodeKey(app, name));
    const appliedReplaced = replaces.filter((key) => recorded.has(key));
    const applied = recorded.has(squash) || appliedReplaced.length === replaces.length;
    const outcome: SquashOutcome = !replaceMigrations
      ? 'disabled'
      : applied || appliedReplaced.length === 0
        ? 'stands-in'
        : 'partially-applied';
    const decision: SquashDecision = { squash, replaces, outcome, appliedReplaced, applied };
    decisions.push(decision);
    bySquash.set(squash, decision);
    if (outcome === 'stands-in') {
      for (const key of replaces) {
        if (standIn.has(key) || key === squash) continue;
        standIn.set(key, squash);
        removed.set(key, decision);
      }
    } else {
      removed.set(squash, decision);
    }
  }
  return { decisions, removed, standIn, bySquash };
}

/** Plain code-unit order, the same on every machine (no locale). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
