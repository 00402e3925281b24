import { CircularDependencyError, InconsistentMigrationHistoryError, InvalidDefinitionError, NodeNotFoundError } from '../errors/index.js';
import { appEnds, resolveEdges } from './edges.js';
import type { Migration, NodeKey } from './migration.js';
import type { Replacements, SquashDecision } from './replacements.js';
import { compareKeys, decideReplacements, keyOf } from './replacements.js';
import { reach, topologicalOrder } from './topology.js';

export interface GraphOptions {
  /**
   * The project's app labels in config order. Apps are ordered by it (others follow alphabetically),
   * and a `__first__`/`__latest__` dependency on a listed app without migrations is ignored, as Django
   * does for unmigrated apps; a missing node in an unlisted app is reported as "not in the project".
   */
  readonly apps?: readonly string[];
  /**
   * false: leave every squash out and use the migrations it replaces (Django's `replace_migrations`).
   * The planner turns this off to plan to a migration that a squash replaced. Default true.
   */
  readonly replaceMigrations?: boolean;
}

/** An applied migration whose dependency is not applied. */
export interface Inconsistency {
  readonly migration: NodeKey;
  readonly dependency: NodeKey;
}

interface GraphData {
  readonly inputs: { readonly migrations: readonly Migration[]; readonly recorded: ReadonlySet<NodeKey>; readonly options: GraphOptions };
  readonly all: ReadonlyMap<NodeKey, Migration>;
  readonly apps: readonly string[];
  readonly live: readonly Migration[];
  readonly keys: readonly NodeKey[];
  readonly idOf: ReadonlyMap<NodeKey, number>;
  readonly parents: readonly (readonly number[])[];
  readonly children: readonly (readonly number[])[];
  readonly order: readonly number[];
  readonly replacements: Replacements;
}

/**
 * Builds the migration graph from every loaded migration and the recorded history (`'app.name'` keys,
 * as the history table has them). Squashes are resolved first (see replacements.ts), then edges, then
 * the whole graph is checked: a reference to a missing node throws NodeNotFoundError, a cycle throws
 * CircularDependencyError. O((n + e) log n); no recursion.
 *
 * @example
 * const graph = buildGraph(migrations, await recorder.appliedKeys(), { apps: Object.keys(config.apps) });
 * graph.forwardsPlan('shop.0003_computer'); // ['shop.0001_initial', 'shop.0002_client_bought', 'shop.0003_computer']
 */
export function buildGraph(migrations: readonly Migration[], recorded: Iterable<NodeKey> = [], options: GraphOptions = {}): MigrationGraph {
  const all = new Map<NodeKey, Migration>();
  for (const migration of migrations) {
    const key = keyOf(migration);
    const other = all.get(key);
    if (other) {
      throw new InvalidDefinitionError(`Two migrations are named ${key}: ${other.file} and ${migration.file}.`, {
        hint: 'Rename one of the files; a migration name must be unique within its app.',
      });
    }
    all.set(key, migration);
  }
  const recordedSet = new Set(recorded);
  const replacements = decideReplacements(migrations, recordedSet, options.replaceMigrations ?? true);
  const apps = appOrder(options.apps, migrations);
  const appIndex = new Map(apps.map((app, i) => [app, i]));
  const live = migrations
    .filter((m) => !replacements.removed.has(keyOf(m)))
    .sort((a, b) => (appIndex.get(a.app) as number) - (appIndex.get(b.app) as number) || compareKeys(a.name, b.name));
  const keys = live.map(keyOf);
  const idOf = new Map(keys.map((key, id) => [key, id]));
  const { parents, children } = resolveEdges({ live, idOf, all, replacements, projectApps: options.apps });
  const sorted = topologicalOrder(parents, children);
  if (sorted.kind === 'cycle') {
    throw new CircularDependencyError(sorted.cycle.map((id) => keys[id]), {
      hint: 'Each migration listed depends on the next one. Remove one of these dependencies (or runBefore entries); a migration can only depend on migrations that come before it.',
    });
  }
  return new MigrationGraph({
    inputs: { migrations, recorded: recordedSet, options },
    all, apps, live, keys, idOf, parents, children, order: sorted.order, replacements,
  });
}

function appOrder(configured: readonly string[] | undefined, migrations: readonly Migration[]): string[] {
  const apps = [...new Set(configured ?? [])];
  const listed = new Set(apps);
  const others = [...new Set(migrations.map((m) => m.app))].filter((app) => !listed.has(app)).sort(compareKeys);
  return [...apps, ...others];
}

/**
 * The migration graph after squash replacements: nodes are `'app.name'` keys, edges run from a
 * dependency to its dependent. Immutable; every query is deterministic. "Plan order" is one global
 * topological order — dependencies first, ties broken by app order, then name — and every plan this
 * graph returns is a subsequence of it.
 */
export class MigrationGraph {
  /** Apps in order: configured ones first, then others alphabetically. */
  readonly apps: readonly string[];
  /** The recorded history the graph was built with (raw keys, replaced migrations included). */
  readonly recorded: ReadonlySet<NodeKey>;
  /** What happened to each squashed migration. */
  readonly squashes: readonly SquashDecision[];

  private readonly position: Int32Array;
  private readonly appliedFlags: Uint8Array;
  private withoutReplacementsCache?: MigrationGraph;

  /** @internal use buildGraph. */
  constructor(private readonly data: GraphData) {
    this.apps = data.apps;
    this.recorded = data.inputs.recorded;
    this.squashes = data.replacements.decisions;
    this.position = new Int32Array(data.keys.length);
    data.order.forEach((id, index) => (this.position[id] = index));
    this.appliedFlags = appliedFlags(data, data.inputs.recorded);
  }

  get size(): number {
    return this.data.keys.length;
  }

  /** Every node in plan order (what `showmigrations --plan` lists). */
  order(): NodeKey[] {
    return this.data.order.map((id) => this.data.keys[id]);
  }

  /** Whether `key` is a node (a replaced migration whose squash stands in is not). */
  has(key: NodeKey): boolean {
    return this.data.idOf.has(key);
  }

  /** The node's migration; NodeNotFoundError when it is not a node. */
  migration(key: NodeKey): Migration {
    return this.data.live[this.id(key)];
  }

  /** Every loaded migration, nodes or not (a squash left out, replaced migrations), in load order. */
  allMigrations(): readonly Migration[] {
    return this.data.inputs.migrations;
  }

  /** A loaded migration by key, whether or not it is a node. */
  findLoaded(key: NodeKey): Migration | undefined {
    return this.data.all.get(key);
  }

  /** The app's nodes in plan order. */
  nodesOf(app: string): NodeKey[] {
    return this.data.order.filter((id) => this.data.live[id].app === app).map((id) => this.data.keys[id]);
  }

  parents(key: NodeKey): NodeKey[] {
    return this.data.parents[this.id(key)].map((id) => this.data.keys[id]);
  }

  children(key: NodeKey): NodeKey[] {
    return this.data.children[this.id(key)].map((id) => this.data.keys[id]);
  }

  /**
   * Applied as far as planning is concerned: recorded, or a squash standing in whose replaced
   * migrations are all recorded, or a migration replaced by a squash that is recorded.
   */
  isApplied(key: NodeKey): boolean {
    const id = this.data.idOf.get(key);
    return id !== undefined && this.appliedFlags[id] === 1;
  }

  /** Applied nodes in plan order. */
  applied(): NodeKey[] {
    return this.data.order.filter((id) => this.appliedFlags[id] === 1).map((id) => this.data.keys[id]);
  }

  /**
   * Squashes that stand in, count as applied, but have no history row of their own (Django's
   * `check_replacements`): the executor records them after a migrate, and `showmigrations` shows `[-]`.
   */
  unrecordedSquashes(): NodeKey[] {
    return this.squashes.filter((d) => d.outcome === 'stands-in' && d.applied && !this.recorded.has(d.squash)).map((d) => d.squash);
  }

  /** Nodes without a parent in their own app, by app order then name. */
  rootNodes(app?: string): NodeKey[] {
    return this.ends('roots', app);
  }

  /** Nodes without a child in their own app, by app order then name. */
  leafNodes(app?: string): NodeKey[] {
    return this.ends('leaves', app);
  }

  /** Apps with more than one leaf, and the names of those leaves: someone branched the history. */
  conflicts(): Record<string, string[]> {
    const found: Record<string, string[]> = {};
    const byApp = new Map<string, string[]>();
    for (const key of this.leafNodes()) {
      const { app, name } = this.migration(key);
      const names = byApp.get(app);
      if (names) names.push(name);
      else byApp.set(app, [name]);
    }
    for (const [app, leaves] of byApp) if (leaves.length > 1) found[app] = leaves;
    return found;
  }

  /** The targets and all their ancestors, dependencies first. */
  forwardsPlan(target: NodeKey | readonly NodeKey[]): NodeKey[] {
    return this.planOver(reach(this.ids(target), this.data.parents), 1);
  }

  /** The targets and all their descendants, dependents first (the reverse of plan order). */
  backwardsPlan(target: NodeKey | readonly NodeKey[]): NodeKey[] {
    return this.planOver(reach(this.ids(target), this.data.children), -1);
  }

  /** Sorts nodes into plan order (1) or its reverse (-1). */
  inPlanOrder(keys: Iterable<NodeKey>, direction: 1 | -1 = 1): NodeKey[] {
    return [...new Set(keys)].map((key) => this.id(key)).sort((a, b) => direction * (this.position[a] - this.position[b])).map((id) => this.data.keys[id]);
  }

  /**
   * Every applied migration whose dependency is not applied, in plan order. `recorded` defaults to the
   * history the graph was built with; replaced migrations and squashes count as Django counts them
   * (a squash whose replaced migrations are all recorded is applied, and so on).
   */
  inconsistencies(recorded: Iterable<NodeKey> = this.recorded): Inconsistency[] {
    const flags = appliedFlags(this.data, new Set(recorded));
    const found: Inconsistency[] = [];
    for (const id of this.data.order) {
      if (!flags[id]) continue;
      for (const parent of this.data.parents[id]) {
        if (!flags[parent]) found.push({ migration: this.data.keys[id], dependency: this.data.keys[parent] });
      }
    }
    return found;
  }

  /** Throws InconsistentMigrationHistoryError for the first inconsistency (see inconsistencies()). */
  checkConsistentHistory(recorded: Iterable<NodeKey> = this.recorded): void {
    const all = this.inconsistencies(recorded);
    if (all.length === 0) return;
    const [{ migration, dependency }] = all;
    const more = all.length > 1 ? ` (${all.length - 1} more: ${all.slice(1, 6).map((i) => `${i.migration} before ${i.dependency}`).join(', ')}${all.length > 6 ? ', …' : ''})` : '';
    throw new InconsistentMigrationHistoryError(`Migration ${migration} is applied before its dependency ${dependency}${more}.`, {
      hint: `If the changes of ${dependency} are already in the database, record it as applied without running it ('sediment migrate ${dependency.replace('.', ' ')} --fake'); otherwise the history was edited by hand, or the dependency was added after ${migration} ran.`,
    });
  }

  /**
   * The same migrations and history with every squash left out in favour of the migrations it
   * replaces; used to plan to a migration that a squash replaced.
   */
  withoutReplacements(): MigrationGraph {
    if (this.data.inputs.options.replaceMigrations === false) return this;
    this.withoutReplacementsCache ??= buildGraph(this.data.inputs.migrations, this.data.inputs.recorded, {
      ...this.data.inputs.options,
      replaceMigrations: false,
    });
    return this.withoutReplacementsCache;
  }

  /** Node id of a key; NodeNotFoundError naming what the app has when it is not a node. */
  private id(key: NodeKey): number {
    const id = this.data.idOf.get(key);
    if (id !== undefined) return id;
    const decision = this.data.replacements.removed.get(key);
    const why = decision
      ? decision.squash === key
        ? ` (it is a squashed migration left out because it cannot stand in for the migrations it replaces)`
        : ` (it was replaced by the squashed migration ${decision.squash})`
      : '';
    throw new NodeNotFoundError('', key, `Migration ${key} is not in the migration graph${why}.`);
  }

  private ids(target: NodeKey | readonly NodeKey[]): number[] {
    return (typeof target === 'string' ? [target] : target).map((key) => this.id(key));
  }

  private planOver(members: Uint8Array, direction: 1 | -1): NodeKey[] {
    const out: NodeKey[] = [];
    const order = this.data.order;
    for (let i = direction === 1 ? 0 : order.length - 1; i >= 0 && i < order.length; i += direction) {
      if (members[order[i]]) out.push(this.data.keys[order[i]]);
    }
    return out;
  }

  private endsCache?: { roots: Map<string, number[]>; leaves: Map<string, number[]> };

  private ends(which: 'roots' | 'leaves', app?: string): NodeKey[] {
    this.endsCache ??= appEnds(this.data.live.map((m) => m.app), this.data.parents, this.data.children);
    const ids = app === undefined ? [...this.endsCache[which].values()].flat() : this.endsCache[which].get(app) ?? [];
    // Node ids are assigned by app order then name, so sorting ids sorts by both.
    return [...ids].sort((a, b) => a - b).map((id) => this.data.keys[id]);
  }
}

/** Per node: applied for planning, given a recorded history (see MigrationGraph.isApplied). */
function appliedFlags(data: GraphData, recorded: ReadonlySet<NodeKey>): Uint8Array {
  const flags = new Uint8Array(data.keys.length);
  const replacedByRecorded = new Set<NodeKey>();
  for (const decision of data.replacements.decisions) {
    if (recorded.has(decision.squash)) for (const key of decision.replaces) replacedByRecorded.add(key);
  }
  data.keys.forEach((key, id) => {
    const squash = data.replacements.bySquash.get(key);
    const squashApplied = squash !== undefined && (recorded.has(key) || squash.replaces.every((r) => recorded.has(r)));
    if (recorded.has(key) || squashApplied || replacedByRecorded.has(key)) flags[id] = 1;
  });
  return flags;
}
