import type { MigrationGraph } from '../graph/graph.js';
import type { Migration, NodeKey } from '../graph/migration.js';
import { nodeKey } from '../graph/migration.js';
import { describe } from '../operations/registry.js';
import type { Operation } from '../operations/types.js';
import { resolveReference } from '../state/project-state.js';

/**
 * The branches of an app whose history forked (two or more leaves), and whether they change the same
 * things. Used by `makemigrations --merge` to say whether a merge migration is safe, and by `doctor`
 * for its conflict findings. Pure: reads the graph only.
 */
export interface Branch {
  /** The leaf, `app.name`. */
  readonly leaf: NodeKey;
  /** The app's migrations on this branch only (after the common ancestor), in plan order. */
  readonly migrations: readonly Migration[];
}

/** One operation of a branch, for messages. */
export interface BranchOperation {
  readonly migration: NodeKey;
  readonly operation: string;
}

/** Two operations on different branches that change the same model or field. */
export interface Overlap {
  /** What both change: `shop.Client`, `shop.Client.email`, `shop.Client (index client_name_idx)`. */
  readonly subject: string;
  readonly first: BranchOperation;
  readonly second: BranchOperation;
}

export interface ConflictAnalysis {
  readonly app: string;
  /** Leaf names (without the app), sorted. */
  readonly leaves: readonly string[];
  /** The latest migration of the app every branch builds on; null when the branches share none. */
  readonly commonAncestor: string | null;
  readonly branches: readonly Branch[];
  readonly overlaps: readonly Overlap[];
  /** Raw SQL and code: what they touch cannot be known, so they may overlap with anything. */
  readonly opaque: readonly BranchOperation[];
  /** The models each branch changes, `app.Model`, sorted. */
  readonly touchedModels: readonly (readonly string[])[];
  /** No overlaps and nothing opaque: merging is safe, and so is linearizing. */
  readonly disjoint: boolean;
}

/** Analyses the branches of `app` (which must have two or more leaves). */
export function analyseConflict(graph: MigrationGraph, app: string): ConflictAnalysis {
  const leaves = graph.leafNodes(app);
  const ownLine = (leaf: NodeKey) => graph.forwardsPlan(leaf).filter((key) => graph.migration(key).app === app);
  const lines = leaves.map(ownLine);
  const shared = new Set(lines[0].filter((key) => lines.every((line) => line.includes(key))));
  const common = lines[0].filter((key) => shared.has(key));
  const branches: Branch[] = leaves.map((leaf, i) => ({
    leaf,
    migrations: lines[i].filter((key) => !shared.has(key)).map((key) => graph.migration(key)),
  }));
  const subjects = branches.map((branch) => branch.migrations.flatMap((m) => m.operations.map((op) => ({ migration: m, op, subjects: subjectsOf(op, m.app) }))));
  const opaque: BranchOperation[] = [];
  for (const list of subjects) for (const item of list) if (item.subjects === 'opaque') opaque.push(branchOperation(item.migration, item.op));
  const overlaps: Overlap[] = [];
  for (let a = 0; a < subjects.length; a++) {
    for (let b = a + 1; b < subjects.length; b++) {
      for (const x of subjects[a]) {
        for (const y of subjects[b]) {
          if (x.subjects === 'opaque' || y.subjects === 'opaque') continue;
          const subject = firstOverlap(x.subjects, y.subjects);
          if (subject) overlaps.push({ subject, first: branchOperation(x.migration, x.op), second: branchOperation(y.migration, y.op) });
        }
      }
    }
  }
  const touchedModels = subjects.map((list) =>
    [...new Set(list.flatMap((item) => (item.subjects === 'opaque' ? [] : item.subjects.filter((s) => !s.reads).map((s) => s.label))))].sort(),
  );
  return {
    app,
    leaves: leaves.map((key) => graph.migration(key).name),
    commonAncestor: common.length ? graph.migration(common[common.length - 1]).name : null,
    branches,
    overlaps,
    opaque,
    touchedModels,
    disjoint: overlaps.length === 0 && opaque.length === 0,
  };
}

/**
 * Something an operation changes (or, with `reads`, relies on): a model as a whole (`part` null), or
 * one part of it — a field, an index, a constraint, its options.
 */
interface Subject {
  /** `app.model`, lowercase. */
  readonly model: string;
  /** `app.Model`, as written, for messages. */
  readonly label: string;
  readonly part: string | null;
  readonly reads: boolean;
  /** The subject for messages: `shop.Client`, `shop.Client.email`, `shop.Client (index name_idx)`. */
  readonly display: string;
}

function subjectsOf(op: Operation, app: string): Subject[] | 'opaque' {
  const model = (name: string, part: string | null = null, reads = false, display?: string): Subject => {
    const ref = resolveReference(name, app);
    const label = `${ref.app}.${ref.name}`;
    return { model: `${ref.app}.${ref.name.toLowerCase()}`, label, part, reads, display: display ?? (part ? `${label} (${part})` : label) };
  };
  const field = (modelName: string, name: string) => {
    const ref = resolveReference(modelName, app);
    return model(modelName, `field ${name.toLowerCase()}`, false, `${ref.app}.${ref.name}.${name}`);
  };
  const relationTargets = (fields: Iterable<{ kind: string; to?: unknown }>) =>
    [...fields].flatMap((f) => (typeof f.to === 'string' ? [model(f.to, null, true)] : []));
  switch (op.kind) {
    case 'createModel':
      return [model(op.name), ...relationTargets(Object.values(op.fields))];
    case 'deleteModel':
    case 'alterModelTable':
      return [model(op.name)];
    case 'renameModel':
      return [model(op.oldName), model(op.newName)];
    case 'alterModelOptions':
      return [model(op.name, 'options')];
    case 'alterUniqueTogether':
      return [model(op.name, 'uniqueTogether'), ...op.uniqueTogether.flat().map((name) => ({ ...field(op.name, name), reads: true }))];
    case 'addField':
    case 'alterField':
      return [field(op.model, op.name), ...relationTargets([op.field])];
    case 'removeField':
      return [field(op.model, op.name)];
    case 'renameField':
      return [field(op.model, op.oldName), field(op.model, op.newName)];
    case 'addIndex':
    case 'addIndexConcurrently':
      return [
        model(op.model, `index ${op.index.name ?? op.index.fields.join(',')}`),
        ...op.index.fields.map((name) => ({ ...field(op.model, name.replace(/^-/, '')), reads: true })),
      ];
    case 'removeIndex':
    case 'removeIndexConcurrently':
      return [model(op.model, `index ${op.name}`)];
    case 'renameIndex':
      return [model(op.model, `index ${op.oldName}`), model(op.model, `index ${op.newName}`)];
    case 'addConstraint':
    case 'addConstraintNotValid':
      return [
        model(op.model, `constraint ${op.constraint.name ?? ''}`),
        ...(op.constraint.kind === 'unique' ? op.constraint.fields.map((name) => ({ ...field(op.model, name), reads: true })) : []),
      ];
    case 'removeConstraint':
    case 'validateConstraint':
      return [model(op.model, `constraint ${op.name}`)];
    case 'createExtension':
      return [];
    case 'runSql':
    case 'runCode':
    case 'separateDatabaseAndState':
      return 'opaque';
  }
}

/**
 * Two changes collide when they are on the same model and either is about the whole model or both are
 * about the same part. A read collides only with a change of the whole model or of the part it reads
 * (an index on a field that the other branch removes).
 */
function firstOverlap(xs: readonly Subject[], ys: readonly Subject[]): string | undefined {
  for (const x of xs) {
    for (const y of ys) {
      if (x.model !== y.model || (x.reads && y.reads)) continue;
      const [read, write] = x.reads ? [x, y] : y.reads ? [y, x] : [undefined, undefined];
      const collides = read && write
        ? write.part === null || (read.part !== null && read.part === write.part)
        : x.part === null || y.part === null || x.part === y.part;
      if (collides) return x.part !== null ? x.display : y.part !== null ? y.display : x.display;
    }
  }
  return undefined;
}

function branchOperation(migration: Migration, op: Operation): BranchOperation {
  return { migration: nodeKey(migration.app, migration.name), operation: describe(op) };
}
