import type { MigrationGraph } from '../graph/graph.js';
import type { Migration } from '../graph/migration.js';
import { nodeKey } from '../graph/migration.js';
import { DoesNotExistError, MissingDependencyError, MultipleObjectsReturnedError, UnknownNameError } from './errors.js';
import { Manager } from './manager.js';
import type { FieldMeta, ModelMeta, Relation } from './model-meta.js';
import { MetaRegistry } from './model-meta.js';
import { Cohort, HistoricalRow, type ModelContext } from './row-base.js';
import { ManyToManyManager, ReverseForeignKeyManager } from './related.js';
import type { DataSession } from './session.js';
import type { Naming } from '../state/names.js';
import type { ProjectState } from '../state/project-state.js';
import type { HistoricalApps } from '../operations/types.js';

/**
 * A model as the migration history defines it where the running migration stands: what
 * `apps.getModel('shop', 'Client')` returns.
 *
 * @example
 * const Client = apps.getModel('shop', 'Client');
 * for await (const c of Client.objects.all()) { c.bought = await c.computers.count(); await c.save(); }
 */
export interface HistoricalModel {
  readonly app: string;
  readonly name: string;
  /** `app.Model` */
  readonly label: string;
  readonly table: string;
  /** The primary key's attribute (`id`). */
  readonly pk: string;
  /** Field names with a column, in declaration order (a foreign key by its name, `boughtBy`). */
  readonly fields: readonly string[];
  readonly objects: Manager;
  /** The error classes get() throws, for `instanceof` checks as in Django. */
  readonly DoesNotExist: typeof DoesNotExistError;
  readonly MultipleObjectsReturned: typeof MultipleObjectsReturnedError;
}

/** Which apps a migration may read: those it depends on, transitively, and its own. */
export interface DependencyScope {
  readonly migration: string;
  readonly apps: ReadonlySet<string>;
  /** The dependency to add for an app outside the scope: `['billing', '0002_invoice_total']`, or undefined. */
  suggest(app: string): readonly [string, string] | undefined;
}

/**
 * The scope of `migration` in `graph`: the apps of its ancestors and its own. For an app outside it,
 * the suggested dependency is that app's last migration that does not itself come after this one.
 */
export function dependencyScope(graph: MigrationGraph, migration: Migration): DependencyScope | undefined {
  const key = nodeKey(migration.app, migration.name);
  if (!graph.has(key)) return undefined;
  const ancestors = graph.forwardsPlan(key);
  const apps = new Set(ancestors.map((node) => graph.migration(node).app));
  apps.add(migration.app);
  return {
    migration: key,
    apps,
    suggest(app) {
      const after = new Set(graph.backwardsPlan(key));
      const candidates = graph.nodesOf(app).filter((node) => !after.has(node));
      const last = candidates[candidates.length - 1];
      return last ? [app, graph.migration(last).name] : undefined;
    },
  };
}

/**
 * The historical models of one runCode invocation: `apps` in `forward({ apps, db })`. Models, their
 * row classes and managers are made on first use; metas are shared by every invocation on the same state.
 */
export class StateApps implements HistoricalApps {
  private readonly registry: MetaRegistry;
  private readonly contexts = new Map<ModelMeta, ModelContextImpl>();

  constructor(
    private readonly state: ProjectState,
    naming: Naming,
    private readonly session: DataSession,
    private readonly scope: DependencyScope | undefined,
  ) {
    this.registry = MetaRegistry.of(state, naming);
  }

  /**
   * The model `app.name` as of the running migration. An unknown app or model is an error naming what
   * exists; an app the migration does not depend on is an error naming the dependency to add.
   */
  getModel(app: string, name: string): HistoricalModel {
    const call = `apps.getModel('${app}', '${name}')`;
    const apps = this.state.apps().sort();
    if (!apps.includes(app)) {
      throw new UnknownNameError(
        `${call}: there is no app '${app}' with models at this point in the migration history; apps with models: ${apps.join(', ') || 'none'}.`,
        { hint: this.scope && !this.scope.apps.has(app) ? `If ${app} is an app of the project, ${this.scope.migration} must depend on one of its migrations.` : undefined },
      );
    }
    if (this.scope && !this.scope.apps.has(app)) {
      const suggestion = this.scope.suggest(app);
      const dependency = suggestion ? `['${suggestion[0]}', '${suggestion[1]}']` : `a migration of ${app}`;
      throw new MissingDependencyError(
        this.scope.migration,
        app,
        `${call} in ${this.scope.migration}: the migration does not depend on app ${app}, so which state of ${app}.${name} it would see is not defined by the history.`,
        { hint: `Add the dependency to ${this.scope.migration}: dependencies: [..., ${dependency}].` },
      );
    }
    let meta: ModelMeta;
    try {
      meta = this.registry.get(app, name);
    } catch (error) {
      if (error instanceof UnknownNameError) throw new UnknownNameError(`${call}: ${error.message}`, { cause: error });
      throw error;
    }
    return this.contextOf(meta).model;
  }

  contextOf(meta: ModelMeta): ModelContextImpl {
    let ctx = this.contexts.get(meta);
    if (!ctx) this.contexts.set(meta, (ctx = new ModelContextImpl(this.session, meta, this)));
    return ctx;
  }
}

class ModelContextImpl implements ModelContext {
  private rowClass?: new (ctx: ModelContext, raw: Record<string, unknown>, cohort: Cohort | null) => HistoricalRow;
  private modelValue?: HistoricalModel;
  /** Fields whose values are objects the code may change in place (json, binary, dateTime). */
  private readonly mutable: readonly FieldMeta[];

  constructor(
    readonly session: DataSession,
    readonly meta: ModelMeta,
    private readonly apps: StateApps,
  ) {
    this.mutable = meta.fields.filter((f) => f.codec.kind === 'json' || f.codec.kind === 'binary' || f.codec.kind === 'dateTime');
  }

  contextOf(meta: ModelMeta): ModelContext {
    return this.apps.contextOf(meta);
  }

  get model(): HistoricalModel {
    const { meta } = this;
    this.modelValue ??= Object.freeze({
      app: meta.app,
      name: meta.name,
      label: meta.label,
      table: meta.table,
      pk: meta.pk.attribute,
      fields: meta.fields.map((f) => f.name),
      objects: new Manager(this, { meta, where: [], order: [], columns: 'row' }),
      DoesNotExist: DoesNotExistError,
      MultipleObjectsReturned: MultipleObjectsReturnedError,
    });
    return this.modelValue;
  }

  makeRow(raw: Record<string, unknown>, cohort: Cohort | null): HistoricalRow {
    const RowClass = (this.rowClass ??= rowClassFor(this));
    const fields = this.meta.fields;
    const row = new RowClass(this, raw, cohort);
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i];
      const value = raw[field.attribute];
      row[field.attribute] = value === null || value === undefined ? null : field.codec.read(value);
    }
    if (this.mutable.length) HistoricalRow.snapshotMutable(row, this.mutable);
    return row;
  }
}

/**
 * The row class of one model: HistoricalRow plus, on the prototype, a getter per relation manager
 * (`computers`, `addresses`) and per foreign key (`boughtBy`: the row `related()` loaded; assigning a
 * row or null sets `boughtById`).
 */
function rowClassFor(ctx: ModelContextImpl): new (ctx: ModelContext, raw: Record<string, unknown>, cohort: Cohort | null) => HistoricalRow {
  const { meta } = ctx;
  const RowClass = class extends HistoricalRow {};
  Object.defineProperty(RowClass, 'name', { value: meta.name });
  for (const field of meta.fields) {
    if (!field.relation || field.name === field.attribute) continue;
    const relation = field.relation;
    Object.defineProperty(RowClass.prototype, field.name, {
      configurable: true,
      get(this: HistoricalRow) {
        const loaded = HistoricalRow.loadedRelation(this, field.name);
        // Still the row the key points at (the key may have been reassigned since).
        if (loaded === null && this[field.attribute] === null) return null;
        if (loaded) {
          const target = HistoricalRow.contextOf(loaded).meta;
          if (loaded[(target.byName.get(relation.field) ?? target.pk).attribute] === this[field.attribute]) return loaded;
        }
        throw new UnknownNameError(
          `${meta.label}.${field.name} is not loaded (rows do not load their foreign keys on their own): ` +
            `use \`await row.related('${field.name}')\`, or \`row.${field.attribute}\` for the key.`,
        );
      },
      set(this: HistoricalRow, value: unknown) {
        if (value === null) {
          this[field.attribute] = null;
          HistoricalRow.setLoadedRelation(this, field.name, null);
          return;
        }
        if (!(value instanceof HistoricalRow)) {
          throw new UnknownNameError(`${meta.label}.${field.name} takes a row (or null); to set the key, assign row.${field.attribute}.`);
        }
        const target = HistoricalRow.contextOf(value).meta;
        const targetField = target.byName.get(relation.field) ?? target.pk;
        this[field.attribute] = value[targetField.attribute];
        HistoricalRow.setLoadedRelation(this, field.name, value);
      },
    });
  }
  for (const [name, relation] of meta.registry.relationsOf(meta)) {
    Object.defineProperty(RowClass.prototype, name, {
      configurable: true,
      get(this: HistoricalRow) {
        return managerFor(ctx, relation, this);
      },
    });
  }
  return RowClass;
}

function managerFor(ctx: ModelContextImpl, relation: Relation, row: HistoricalRow) {
  if (relation.kind === 'reverseForeignKey') return new ReverseForeignKeyManager(ctx.contextOf(relation.model), relation, row);
  return new ManyToManyManager(ctx.contextOf(relation.target), relation, row);
}
