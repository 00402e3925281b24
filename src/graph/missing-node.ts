import { NodeNotFoundError } from '../errors/index.js';
import type { NodeKey } from './migration.js';
import type { Replacements, SquashDecision } from './replacements.js';
import { compareKeys } from './replacements.js';

/** A reference from one migration to a node that is not in the graph. */
export interface MissingReference {
  /** The migration that holds the reference (for a squash, possibly one of the migrations it replaces). */
  readonly origin: NodeKey;
  readonly app: string;
  /** A migration name, or `__first__` / `__latest__`. */
  readonly name: string;
  /** `dependency`: listed in `dependencies`; `runBefore`: listed in `runBefore`. */
  readonly via: 'dependency' | 'runBefore';
}

/** What the graph knows about the apps, to name the nearest thing that does exist. */
export interface MissingNodeContext {
  /** Names of each app's migrations in the graph, sorted. */
  readonly namesByApp: ReadonlyMap<string, readonly string[]>;
  /** Leaf names of each app, sorted. */
  readonly leavesByApp: ReadonlyMap<string, readonly string[]>;
  /** The project's apps, when the caller said (config order); undefined: unknown. */
  readonly projectApps?: readonly string[];
  readonly replacements: Replacements;
}

/**
 * The nearest existing parent for a missing `app.name`: the latest migration of that app whose name
 * sorts before the missing one (the usual case: a file renamed or deleted in the middle of the
 * history), else the app's leaf.
 */
export function nearestExisting(names: readonly string[], leaves: readonly string[], missing: string): string | undefined {
  let nearest: string | undefined;
  for (const name of names) if (compareKeys(name, missing) < 0) nearest = name;
  return nearest ?? leaves[leaves.length - 1] ?? names[names.length - 1];
}

export function missingNodeError(ref: MissingReference, context: MissingNodeContext): NodeNotFoundError {
  const missing = `${ref.app}.${ref.name}`;
  const relation = ref.via === 'dependency' ? 'depends on' : 'must run before (runBefore)';
  const head = `Migration ${ref.origin} ${relation} ${missing}, which does not exist`;
  const squash = squashThatCouldNotStandIn(missing, context.replacements);
  if (squash) {
    return new NodeNotFoundError(ref.origin, missing, `${head}. It was squashed into ${squash.squash}, which cannot stand in for it here because ${whyNotStandingIn(squash)}.`, {
      hint: squash.outcome === 'disabled'
        ? `Restore the migration files that ${squash.squash} replaces to migrate to one of them.`
        : `Restore the deleted migration files that ${squash.squash} replaces and run migrate until every database has applied all of them; only then can they be deleted.`,
    });
  }
  const names = context.namesByApp.get(ref.app) ?? [];
  if (names.length === 0) {
    const known = context.projectApps;
    if (known && !known.includes(ref.app)) {
      return new NodeNotFoundError(ref.origin, missing, `${head}: app ${ref.app} is not in the project (apps: ${known.join(', ') || 'none'}).`, {
        hint: `Add ${ref.app} to the apps in sediment.config.ts, or remove the ${ref.via === 'dependency' ? 'dependency' : 'runBefore entry'} from ${ref.origin}.`,
      });
    }
    const which = known ? `app ${ref.app} has no migrations` : `app ${ref.app} has no migrations (or is not in the project)`;
    return new NodeNotFoundError(ref.origin, missing, `${head}: ${which}.`, {
      hint: `Run 'sediment makemigrations ${ref.app}' to create its first migration, or remove the ${ref.via === 'dependency' ? 'dependency' : 'runBefore entry'} from ${ref.origin}.`,
    });
  }
  const special = ref.name === '__first__' || ref.name === '__latest__';
  // Never suggest that a migration depend on itself or on a later migration of its own app.
  const [originApp, originName] = splitKey(ref.origin);
  const candidates = originApp === ref.app ? names.filter((name) => compareKeys(name, originName) < 0) : names;
  const leaves = originApp === ref.app ? [] : context.leavesByApp.get(ref.app) ?? [];
  const nearest = nearestExisting(candidates, leaves, ref.name);
  if (nearest === undefined) {
    return new NodeNotFoundError(ref.origin, missing, `${head}; ${ref.app} has no migration before ${ref.origin}.`, {
      hint: `Remove the ${ref.via === 'dependency' ? 'dependency' : 'runBefore entry'} from ${ref.origin}, or restore the file of ${missing} if it was deleted by mistake.`,
    });
  }
  const sortsBefore = !special && compareKeys(nearest, ref.name) < 0;
  const where = sortsBefore
    ? `the nearest existing migration of ${ref.app} before it is ${ref.app}.${nearest}`
    : `the latest migration of ${ref.app} is ${ref.app}.${nearest}`;
  return new NodeNotFoundError(ref.origin, missing, `${head}; ${where}.`, {
    hint: `Change the ${ref.via === 'dependency' ? 'dependency' : 'runBefore entry'} in ${ref.origin} to ['${ref.app}', '${nearest}'], or restore the file of ${missing} if it was deleted by mistake.`,
  });
}

/** The squash that replaced `missing` (or is `missing`) but was left out of the graph, if any. */
function squashThatCouldNotStandIn(missing: NodeKey, replacements: Replacements): SquashDecision | undefined {
  const own = replacements.bySquash.get(missing);
  if (own && own.outcome !== 'stands-in') return own;
  return replacements.decisions.find((d) => d.outcome !== 'stands-in' && d.replaces.includes(missing));
}

function whyNotStandingIn(decision: SquashDecision): string {
  if (decision.outcome === 'disabled') return 'replacements are turned off to plan to a migration it replaces';
  const pending = decision.replaces.filter((key) => !decision.appliedReplaced.includes(key));
  return `only some of the migrations it replaces are applied (applied: ${decision.appliedReplaced.join(', ')}; not applied: ${pending.join(', ')})`;
}

function splitKey(key: NodeKey): [app: string, name: string] {
  const dot = key.indexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}
