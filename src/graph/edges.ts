import type { Migration, NodeKey } from './migration.js';
import { nodeKey } from './migration.js';
import type { MissingReference } from './missing-node.js';
import { missingNodeError } from './missing-node.js';
import type { Replacements, SquashDecision } from './replacements.js';
import { compareKeys, keyOf } from './replacements.js';

export interface EdgeInput {
  /** The migrations that are nodes, indexed by node id. */
  readonly live: readonly Migration[];
  readonly idOf: ReadonlyMap<NodeKey, number>;
  /** Every loaded migration, nodes or not (replaced ones included). */
  readonly all: ReadonlyMap<NodeKey, Migration>;
  readonly replacements: Replacements;
  /** The project's apps, if known: a `__first__`/`__latest__` dependency on one without migrations is ignored. */
  readonly projectApps?: readonly string[];
}

/** Adjacency by node id; both directions sorted ascending, no duplicates. */
export interface Edges {
  readonly parents: readonly (readonly number[])[];
  readonly children: readonly (readonly number[])[];
}

const isSpecial = (name: string): name is '__first__' | '__latest__' => name === '__first__' || name === '__latest__';

interface Deferred {
  readonly node: number;
  readonly app: string;
  readonly name: '__first__' | '__latest__';
  readonly origin: NodeKey;
}

/**
 * Turns every `dependencies` and `runBefore` entry into an edge parent -> child, after squash
 * replacements: a reference to a migration a squash stands in for points at the squash; a reference to
 * a squash that was left out points at the latest of the migrations it replaces. A squash standing in
 * also inherits the references of the migrations it replaces (minus references among themselves).
 * `__first__`/`__latest__` of another app resolve to that app's roots/leaves once the app's own edges are
 * known. Every reference to a missing node is an error, reported after all edges are seen.
 */
export function resolveEdges(input: EdgeInput): Edges {
  const parentSets = input.live.map(() => new Set<number>());
  const missing: MissingReference[] = [];
  const deferred = addExplicitEdges(input, parentSets, missing);
  const childSets = transpose(parentSets);
  const ends = appEnds(input.live.map((m) => m.app), parentSets, childSets);
  addSpecialEdges(input, deferred, ends, parentSets, childSets, missing);
  if (missing.length > 0) throw reportMissing(input, missing, ends.leaves);
  const sorted = (sets: Set<number>[]) => sets.map((set) => [...set].sort((a, b) => a - b));
  return { parents: sorted(parentSets), children: sorted(childSets) };
}

/** Phase 1: every reference by name. Returns the `__first__`/`__latest__` ones for phase 2. */
function addExplicitEdges(input: EdgeInput, parentSets: Set<number>[], missing: MissingReference[]): Deferred[] {
  const deferred: Deferred[] = [];
  const resolve = resolver(input);
  input.live.forEach((migration, node) => {
    const own = keyOf(migration);
    for (const source of referenceSources(input, migration)) {
      const origin = keyOf(source);
      for (const [app, name] of source.dependencies) {
        if (isSpecial(name)) {
          // `__first__`/`__latest__` of one's own app mean nothing (Django ignores them too).
          if (app !== migration.app && app !== source.app) deferred.push({ node, app, name, origin });
          continue;
        }
        const raw = nodeKey(app, name);
        const targets = resolve(raw);
        if (!targets) missing.push({ origin, app, name, via: 'dependency' });
        // A squash's replaced migrations refer to each other; those references vanish into the squash.
        else for (const parent of targets) if (parent !== node || raw === own) parentSets[node].add(parent);
      }
      for (const [app, name] of source.runBefore) {
        const raw = nodeKey(app, name);
        const targets = resolve(raw);
        if (!targets) missing.push({ origin, app, name, via: 'runBefore' });
        else for (const child of targets) if (child !== node || raw === own) parentSets[child].add(node);
      }
    }
  });
  return deferred;
}

/** The migration itself and, for a squash standing in, the loaded migrations it replaces. */
function referenceSources(input: EdgeInput, migration: Migration): Migration[] {
  const decision = input.replacements.bySquash.get(keyOf(migration));
  if (decision?.outcome !== 'stands-in') return [migration];
  const sources = [migration];
  for (const key of decision.replaces) {
    const replaced = input.all.get(key);
    if (replaced) sources.push(replaced);
  }
  return sources;
}

/** Phase 2: `__first__`/`__latest__` of another app, now that every app's roots and leaves are known. */
function addSpecialEdges(
  input: EdgeInput,
  deferred: readonly Deferred[],
  ends: { roots: Map<string, number[]>; leaves: Map<string, number[]> },
  parentSets: Set<number>[],
  childSets: Set<number>[],
  missing: MissingReference[],
): void {
  for (const ref of deferred) {
    const found = (ref.name === '__first__' ? ends.roots : ends.leaves).get(ref.app);
    if (found) {
      for (const parent of found) {
        parentSets[ref.node].add(parent);
        childSets[parent].add(ref.node);
      }
    } else if (!input.projectApps?.includes(ref.app)) {
      missing.push({ origin: ref.origin, app: ref.app, name: ref.name, via: 'dependency' });
    }
    // else: an app of the project without migrations; Django ignores such dependencies as well.
  }
}

/** The error for the first missing reference, by origin, with what each app does have. */
function reportMissing(input: EdgeInput, missing: MissingReference[], leaves: ReadonlyMap<string, number[]>): Error {
  missing.sort((a, b) => compareKeys(a.origin, b.origin) || compareKeys(a.app, b.app) || compareKeys(a.name, b.name));
  const namesByApp = new Map<string, string[]>();
  for (const migration of input.live) pushTo(namesByApp, migration.app, migration.name);
  for (const names of namesByApp.values()) names.sort(compareKeys);
  const leavesByApp = new Map([...leaves].map(([app, ids]) => [app, ids.map((id) => input.live[id].name).sort(compareKeys)]));
  return missingNodeError(missing[0], {
    namesByApp,
    leavesByApp,
    projectApps: input.projectApps,
    replacements: input.replacements,
  });
}

/** Resolves a referenced key to node ids through the squash replacements; undefined when missing. */
function resolver(input: EdgeInput): (key: NodeKey) => number[] | undefined {
  const { idOf, replacements } = input;
  const latestCache = new Map<NodeKey, number[] | undefined>();

  const resolve = (key: NodeKey, depth = 0): number[] | undefined => {
    let current = key;
    // Follow squash-of-squash chains; the bound only guards against a squash that replaces itself.
    for (let hops = 0; replacements.standIn.has(current) && hops < 100; hops++) current = replacements.standIn.get(current) as NodeKey;
    const id = idOf.get(current);
    if (id !== undefined) return [id];
    const decision = replacements.bySquash.get(current);
    if (!decision || decision.outcome === 'stands-in' || depth > 100) return undefined;
    if (!latestCache.has(current)) latestCache.set(current, latestReplaced(decision, depth));
    return latestCache.get(current);
  };

  // The replaced migrations that no other replaced migration depends on: what "after the squash" means
  // when the squash itself is not a node.
  const latestReplaced = (decision: SquashDecision, depth: number): number[] | undefined => {
    const present = decision.replaces.filter((key) => input.all.has(key));
    const dependedOn = new Set<NodeKey>();
    for (const key of present) for (const [app, name] of (input.all.get(key) as Migration).dependencies) dependedOn.add(nodeKey(app, name));
    const ids = new Set<number>();
    for (const key of present) {
      if (dependedOn.has(key)) continue;
      for (const id of resolve(key, depth + 1) ?? []) ids.add(id);
    }
    return ids.size > 0 ? [...ids] : undefined;
  };

  return (key) => resolve(key);
}

function transpose(parentSets: readonly Set<number>[]): Set<number>[] {
  const childSets = parentSets.map(() => new Set<number>());
  parentSets.forEach((parents, child) => {
    for (const parent of parents) childSets[parent].add(child);
  });
  return childSets;
}

/** Per app: nodes without a parent in the same app (roots) and without a child in it (leaves). */
export function appEnds(
  appOf: readonly string[],
  parents: readonly Iterable<number>[],
  children: readonly Iterable<number>[],
): { roots: Map<string, number[]>; leaves: Map<string, number[]> } {
  const roots = new Map<string, number[]>();
  const leaves = new Map<string, number[]>();
  const none = (ids: Iterable<number>, app: string) => {
    for (const id of ids) if (appOf[id] === app) return false;
    return true;
  };
  appOf.forEach((app, id) => {
    if (none(parents[id], app)) pushTo(roots, app, id);
    if (none(children[id], app)) pushTo(leaves, app, id);
  });
  return { roots, leaves };
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
