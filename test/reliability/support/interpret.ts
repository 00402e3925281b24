import type { OnDelete } from '../../../src/model/fields.js';
import type { Action, AlterChange, FieldProposal } from './proposals.js';
import type { AppLabel, DefaultChoice, FieldDef, FieldSpec, ModelSpec, PkKind, ScalarDef, World } from './world.js';
import { APPS, charLike, describeDef, familyOf, fieldName } from './world.js';

/**
 * Turns proposals into a valid change of the world, following the rules listed in world.ts (values
 * that stay distinct, keys with rows to point at, names that never come back within a step).
 */

const modelNamePool = ['Alpha', 'Beta', 'Order', 'Group', 'Gamma', 'User', 'LineItem', 'Select', 'Ticket', 'Customer', 'Delta', 'Table'];
/** Reserved words (`select`, `order`, `from`, `group`, `user`, `limit`) on purpose: every name must be quoted. */
const fieldNamePool = [
  'title', 'select', 'amount', 'order', 'note', 'from', 'code', 'group', 'label', 'boughtAt', 'ratio', 'user',
  'payload', 'startsOn', 'isActive', 'limit', 'rank', 'size', 'when', 'data', 'parent', 'owner', 'tags', 'members',
];
const checkExpressions = ['id > 0', 'id >= 1', 'id <> 0', 'id < 1000000000'];


/** What the interpreter must know about the database when a step starts. */
export interface StepContext {
  /** Models whose table holds rows (the first row's key is 1). */
  readonly populated: ReadonlySet<number>;
}

/** What a step did, in the words makemigrations' flags use. */
export interface Step {
  readonly before: World;
  readonly after: World;
  readonly actions: readonly string[];
}

class Interpreter {
  models: ModelSpec[];
  nextId: number;
  readonly notes: string[] = [];
  /** Names taken at the start of the step, per app (models) and per model id (fields). */
  private readonly startModelNames = new Map<string, Set<string>>();
  private readonly startFieldNames = new Map<number, Set<string>>();
  private readonly startFields = new Map<number, Map<number, FieldDef>>();

  constructor(readonly start: World, readonly context: StepContext) {
    this.models = [...start.models];
    this.nextId = start.nextId;
    for (const m of start.models) {
      let names = this.startModelNames.get(m.app);
      if (!names) this.startModelNames.set(m.app, (names = new Set()));
      names.add(m.name.toLowerCase());
      this.startFieldNames.set(m.id, new Set(m.fields.map((x) => x.name.toLowerCase())));
      this.startFields.set(m.id, new Map(m.fields.map((x) => [x.id, x.def])));
    }
  }

  id(): number {
    return this.nextId++;
  }

  modelAt(pickValue: number): ModelSpec | undefined {
    return this.models.length ? this.models[pickValue % this.models.length] : undefined;
  }

  replace(next: ModelSpec): void {
    this.models = this.models.map((m) => (m.id === next.id ? next : m));
  }

  byId(id: number): ModelSpec | undefined {
    return this.models.find((m) => m.id === id);
  }

  populated(modelId: number): boolean {
    return this.context.populated.has(modelId) && this.startFields.has(modelId);
  }

  /** The field as it was when the step began, if the model and the field existed then. */
  startField(modelId: number, fieldId: number): FieldDef | undefined {
    return this.startFields.get(modelId)?.get(fieldId);
  }

  freshModelName(app: AppLabel, pickValue: number): string {
    const taken = new Set([...(this.startModelNames.get(app) ?? []), ...this.models.filter((m) => m.app === app).map((m) => m.name.toLowerCase())]);
    for (let i = 0; i < modelNamePool.length; i++) {
      const candidate = modelNamePool[(pickValue + i) % modelNamePool.length];
      if (!taken.has(candidate.toLowerCase())) return candidate;
    }
    return `Model${this.id()}`;
  }

  freshFieldName(modelSpec: ModelSpec | undefined, pickValue: number): string {
    const taken = new Set(['id', 'pk', ...(modelSpec ? [...(this.startFieldNames.get(modelSpec.id) ?? []), ...modelSpec.fields.map((x) => x.name.toLowerCase())] : [])]);
    for (let i = 0; i < fieldNamePool.length; i++) {
      const candidate = fieldNamePool[(pickValue + i) % fieldNamePool.length];
      if (!taken.has(candidate.toLowerCase())) return candidate;
    }
    return `field${this.id()}`;
  }

  tableName(choice: number, modelId: number): string | undefined {
    if (choice <= 5) return undefined;
    // A quote, a space and non-ASCII letters: legal in PostgreSQL when quoted, so Sediment must quote.
    if (choice === 8) return `Tbl "${modelId}" ü${this.nextId}`;
    return `tbl_${modelId}_${this.id()}`;
  }

  /** A field definition from a proposal, made valid for `owner` (see the rules at the top). */
  fieldFrom(p: FieldProposal, owner: ModelSpec, isNewOnPopulated: boolean): FieldDef | undefined {
    if (p.kind === 'scalar') {
      const canDefault = p.default !== 'callable' || ['date', 'time', 'dateTime', 'uuid'].includes(p.type);
      let def: ScalarDef = {
        kind: 'scalar',
        type: p.type,
        null: p.null,
        default: canDefault ? p.default : 'literal',
        unique: p.unique && p.type !== 'boolean',
        dbIndex: p.dbIndex,
        maxLength: p.maxLength,
        ...(p.weirdColumn ? { dbColumn: `Col "${this.nextId}" ñ` } : {}),
      };
      this.nextId++;
      // A unique column added to rows must start out NULL: a default would give every row one value.
      if (def.unique && isNewOnPopulated) def = { ...def, null: true, default: 'none' };
      return def;
    }
    const target = this.modelAt(p.target);
    if (!target) return undefined;
    if (p.kind === 'm2m') return { kind: 'm2m', to: target.id };
    const self = target.id === owner.id;
    // A NOT NULL key on rows needs a row to point at: the one-off default is the target's key 1.
    const mustBeNull = p.kind === 'oneToOne' || self || (isNewOnPopulated && !this.populated(target.id));
    const nullable = p.null || mustBeNull;
    return { kind: p.kind, to: target.id, null: nullable, onDelete: p.onDelete === 'setNull' && !nullable ? 'cascade' : p.onDelete, dbConstraint: p.dbConstraint };
  }

  inUniqueSet(m: ModelSpec, fieldId: number): boolean {
    return m.uniques.some((u) => u.fields.includes(fieldId)) || m.together.some((t) => t.includes(fieldId));
  }

  /** Fields whose values are distinct per row now: they may become unique or join a unique set. */
  mayBeUnique(m: ModelSpec, x: FieldSpec): boolean {
    if (x.def.kind !== 'scalar' || x.def.type === 'boolean') return false;
    if (!this.populated(m.id)) return true;
    const before = this.startField(m.id, x.id);
    return before !== undefined && before.kind === 'scalar' && !(before.null && !x.def.null);
  }

  apply(a: Action): void {
    switch (a.kind) {
      case 'createModel': {
        if (this.models.length >= 5) return;
        const app = APPS[a.app % APPS.length];
        const id = this.id();
        const name = this.freshModelName(app, a.namePick);
        let spec: ModelSpec = { id, app, name, pk: a.pk, fields: [], indexes: [], uniques: [], checks: [], together: [], dbTable: this.tableName(a.table, id) };
        this.models.push(spec);
        for (const p of a.fields) {
          const def = this.fieldFrom(p, spec, false);
          if (def) spec = { ...spec, fields: [...spec.fields, { id: this.id(), name: this.freshFieldName(spec, p.namePick), def }] };
        }
        this.replace(spec);
        this.notes.push(`create ${app}.${name}`);
        return;
      }
      case 'deleteModel': {
        const m = this.modelAt(a.model);
        if (!m) return;
        this.models = this.models.filter((x) => x.id !== m.id).map((other) => withoutFields(other, (x) => x.def.kind !== 'scalar' && x.def.to === m.id));
        this.notes.push(`delete ${m.app}.${m.name}`);
        return;
      }
      case 'renameModel': {
        const m = this.modelAt(a.model);
        if (!m) return;
        const name = this.freshModelName(m.app, a.namePick);
        this.replace({ ...m, name });
        this.notes.push(`rename ${m.app}.${m.name} -> ${name}`);
        return;
      }
      case 'addField': {
        const m = this.modelAt(a.model);
        if (!m || m.fields.length >= 7) return;
        const def = this.fieldFrom(a.field, m, this.populated(m.id));
        if (!def) return;
        const name = this.freshFieldName(m, a.field.namePick);
        this.replace({ ...m, fields: [...m.fields, { id: this.id(), name, def }] });
        this.notes.push(`add ${m.app}.${m.name}.${name} ${describeDef(def)}`);
        return;
      }
      case 'removeField': {
        const m = this.modelAt(a.model);
        if (!m || m.fields.length === 0) return;
        const x = m.fields[a.field % m.fields.length];
        this.replace(withoutFields(m, (y) => y.id === x.id));
        this.notes.push(`remove ${m.app}.${m.name}.${x.name}`);
        return;
      }
      case 'renameField': {
        const m = this.modelAt(a.model);
        if (!m || m.fields.length === 0) return;
        const x = m.fields[a.field % m.fields.length];
        const name = this.freshFieldName(m, a.namePick);
        this.replace({ ...m, fields: m.fields.map((y) => (y.id === x.id ? { ...y, name } : y)) });
        this.notes.push(`rename ${m.app}.${m.name}.${x.name} -> ${name}`);
        return;
      }
      case 'alterField':
        return this.alter(a);
      case 'addIndex': {
        const m = this.modelAt(a.model);
        const columns = m?.fields.filter((x) => x.def.kind !== 'm2m') ?? [];
        if (!m || columns.length === 0) return;
        const fields = [...new Set(a.fields.map((p) => columns[p % columns.length].id))];
        const id = this.id();
        this.replace({ ...m, indexes: [...m.indexes, { id, fields, desc: a.desc, partial: a.partial, ...(a.named ? { name: `ix_${id}` } : {}) }] });
        this.notes.push(`index ${m.app}.${m.name} (${fields.map((f) => fieldName(m, f)).join(', ')})`);
        return;
      }
      case 'removeIndex': {
        const m = this.modelAt(a.model);
        if (!m || m.indexes.length === 0) return;
        const gone = m.indexes[a.pick % m.indexes.length];
        this.replace({ ...m, indexes: m.indexes.filter((i) => i.id !== gone.id) });
        this.notes.push(`remove index of ${m.app}.${m.name}`);
        return;
      }
      case 'renameIndex': {
        const m = this.modelAt(a.model);
        const named = m?.indexes.filter((i) => i.name !== undefined) ?? [];
        if (!m || named.length === 0) return;
        const target = named[a.pick % named.length];
        const name = `ix_${target.id}_r${this.id()}`;
        this.replace({ ...m, indexes: m.indexes.map((i) => (i.id === target.id ? { ...i, name } : i)) });
        this.notes.push(`rename index ${target.name} -> ${name}`);
        return;
      }
      case 'addUnique': {
        const m = this.modelAt(a.model);
        const eligible = m?.fields.filter((x) => this.mayBeUnique(m, x)) ?? [];
        if (!m || eligible.length === 0) return;
        const fields = [...new Set(a.fields.map((p) => eligible[p % eligible.length].id))];
        const id = this.id();
        if (a.together) this.replace({ ...m, together: [...m.together, fields] });
        else this.replace({ ...m, uniques: [...m.uniques, { id, fields, partial: a.partial, ...(a.named ? { name: `uq_${id}` } : {}) }] });
        this.notes.push(`unique ${a.together ? 'together ' : ''}${m.app}.${m.name} (${fields.map((f) => fieldName(m, f)).join(', ')})`);
        return;
      }
      case 'removeUnique': {
        const m = this.modelAt(a.model);
        if (!m) return;
        if (a.together && m.together.length) this.replace({ ...m, together: m.together.filter((_, i) => i !== a.pick % m.together.length) });
        else if (!a.together && m.uniques.length) this.replace({ ...m, uniques: m.uniques.filter((_, i) => i !== a.pick % m.uniques.length) });
        else return;
        this.notes.push(`remove unique of ${m.app}.${m.name}`);
        return;
      }
      case 'addCheck': {
        const m = this.modelAt(a.model);
        if (!m) return;
        const id = this.id();
        const expression = checkExpressions[a.expression % checkExpressions.length];
        this.replace({ ...m, checks: [...m.checks, { id, expression, ...(a.named ? { name: `ck_${id}` } : {}) }] });
        this.notes.push(`check ${m.app}.${m.name} ${expression}`);
        return;
      }
      case 'removeCheck': {
        const m = this.modelAt(a.model);
        if (!m || m.checks.length === 0) return;
        this.replace({ ...m, checks: m.checks.filter((_, i) => i !== a.pick % m.checks.length) });
        this.notes.push(`remove check of ${m.app}.${m.name}`);
        return;
      }
      case 'modelComment': {
        const m = this.modelAt(a.model);
        if (!m) return;
        this.replace({ ...m, comment: !m.comment });
        this.notes.push(`comment of ${m.app}.${m.name} ${m.comment ? 'removed' : 'added'}`);
        return;
      }
      case 'alterTable': {
        const m = this.modelAt(a.model);
        if (!m) return;
        const dbTable = this.tableName(a.table, m.id);
        if (dbTable === m.dbTable) return;
        this.replace({ ...m, dbTable });
        this.notes.push(`table of ${m.app}.${m.name} -> ${dbTable ?? '(default)'}`);
        return;
      }
    }
  }

  private alter(a: Extract<Action, { kind: 'alterField' }>): void {
    const m = this.modelAt(a.model);
    if (!m) return;
    if (a.change === 'pk') {
      const kinds: PkKind[] = ['auto', 'bigAuto', 'smallAuto'];
      const pk = kinds[a.value % kinds.length];
      if (pk === m.pk) return;
      this.replace({ ...m, pk });
      this.notes.push(`primary key of ${m.app}.${m.name} -> ${pk}`);
      return;
    }
    if (m.fields.length === 0) return;
    const x = m.fields[a.field % m.fields.length];
    const def = this.altered(m, x, a.change, a.value);
    if (!def) return;
    this.replace({ ...m, fields: m.fields.map((y) => (y.id === x.id ? { ...y, def } : y)) });
    this.notes.push(`alter ${m.app}.${m.name}.${x.name} ${a.change} -> ${describeDef(def)}`);
  }

  private altered(m: ModelSpec, x: FieldSpec, change: AlterChange, value: number): FieldDef | undefined {
    const def = x.def;
    const populated = this.populated(m.id);
    const isNew = this.startField(m.id, x.id) === undefined;
    if (def.kind === 'm2m') return undefined;
    if (def.kind === 'scalar') {
      switch (change) {
        case 'null': {
          if (def.null) {
            // NULL -> NOT NULL fills the NULLs with one value: not for a field that must stay distinct.
            if (def.unique || this.inUniqueSet(m, x.id)) return undefined;
            return { ...def, null: false };
          }
          return { ...def, null: true };
        }
        case 'default': {
          const choices: DefaultChoice[] = ['none', 'literal', 'db', ...(['date', 'time', 'dateTime', 'uuid'].includes(def.type) ? ['callable' as const] : [])];
          const next = choices[value % choices.length];
          return next === def.default ? undefined : { ...def, default: next };
        }
        case 'unique':
          if (def.unique) return { ...def, unique: false };
          return this.mayBeUnique(m, x) && !(populated && isNew) ? { ...def, unique: true } : undefined;
        case 'dbIndex':
          return { ...def, dbIndex: !def.dbIndex };
        case 'comment':
          return { ...def, comment: !def.comment };
        case 'help':
          return { ...def, help: !def.help };
        case 'maxLength': {
          if (!charLike.has(def.type)) return undefined;
          const lengths = [10, 20, 255].filter((n) => n !== def.maxLength);
          return { ...def, maxLength: lengths[value % lengths.length] };
        }
        case 'type': {
          const others = familyOf(def.type).filter((t) => t !== def.type);
          if (others.length === 0) return undefined;
          const type = others[value % others.length];
          const keepsCallable = def.default !== 'callable' || ['date', 'time', 'dateTime', 'uuid'].includes(type);
          return { ...def, type, default: keepsCallable ? def.default : 'literal' };
        }
        default:
          return undefined;
      }
    }
    // A foreign key or one-to-one.
    const target = this.byId(def.to);
    switch (change) {
      case 'null':
        if (def.null) {
          if (def.kind === 'oneToOne' || def.to === m.id || (populated && !this.populated(def.to))) return undefined;
          return { ...def, null: false, onDelete: def.onDelete === 'setNull' ? 'cascade' : def.onDelete };
        }
        return { ...def, null: true };
      case 'onDelete': {
        const actions: OnDelete[] = ['cascade', 'protect', 'restrict', 'doNothing', ...(def.null ? ['setNull' as const] : [])];
        const next = actions[value % actions.length];
        return next === def.onDelete ? undefined : { ...def, onDelete: next };
      }
      case 'retarget': {
        const to = this.modelAt(value);
        if (!to || to.id === def.to || !target) return undefined;
        if (!def.null && (to.id === m.id || (populated && !this.populated(to.id)))) return undefined;
        return { ...def, to: to.id };
      }
      case 'oneToOne':
        if (def.kind === 'oneToOne') return { ...def, kind: 'fk' };
        // Every row of a NOT NULL key points at one row: only a nullable key (all NULL) may become unique.
        return def.null ? { ...def, kind: 'oneToOne' } : undefined;
      case 'dbConstraint':
        return { ...def, dbConstraint: !def.dbConstraint };
      default:
        return undefined;
    }
  }

  /** Drops what the models file could not say any more (duplicates the collector refuses). */
  finish(): World {
    this.models = this.models.map(dedupe);
    return { models: this.models, nextId: this.nextId };
  }
}

function withoutFields(m: ModelSpec, drop: (x: FieldSpec) => boolean): ModelSpec {
  const gone = new Set(m.fields.filter(drop).map((x) => x.id));
  if (gone.size === 0) return m;
  const keeps = (ids: readonly number[]) => ids.every((id) => !gone.has(id));
  return {
    ...m,
    fields: m.fields.filter((x) => !gone.has(x.id)),
    indexes: m.indexes.filter((i) => keeps(i.fields)),
    uniques: m.uniques.filter((u) => keeps(u.fields)),
    together: m.together.filter((t) => keeps(t)),
  };
}

/**
 * One way of making a set of fields unique, one index per definition, one check per expression: the
 * collector refuses two equal unique sets (PostgreSQL would keep one), and unnamed twins get one name.
 */
function dedupe(m: ModelSpec): ModelSpec {
  const seen = new Set<string>();
  const key = (ids: readonly number[]) => [...ids].sort((a, b) => a - b).join(',');
  seen.add('pk');
  for (const x of m.fields) {
    if (x.def.kind === 'oneToOne' || (x.def.kind === 'scalar' && x.def.unique)) seen.add(key([x.id]));
  }
  const together = m.together.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const uniques = m.uniques.filter((u) => {
    if (u.partial) return true;
    const k = key(u.fields);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const byDefinition = new Set<string>();
  const partialUniques = uniques.filter((u) => {
    if (!u.partial || u.name) return true;
    const k = `${key(u.fields)}|partial`;
    if (byDefinition.has(k)) return false;
    byDefinition.add(k);
    return true;
  });
  const indexes = m.indexes.filter((i) => {
    if (i.name) return true;
    const k = `${i.fields.join(',')}|${i.desc}|${i.partial}`;
    if (byDefinition.has(k)) return false;
    byDefinition.add(k);
    return true;
  });
  const checks = m.checks.filter((c) => {
    if (c.name) return true;
    if (byDefinition.has(c.expression)) return false;
    byDefinition.add(c.expression);
    return true;
  });
  return { ...m, together, uniques: partialUniques, indexes, checks };
}

/** Applies one step's proposals to the world. */
export function interpretStep(start: World, actions: readonly Action[], context: StepContext): Step {
  const interpreter = new Interpreter(start, context);
  for (const a of actions) interpreter.apply(a);
  return { before: start, after: interpreter.finish(), actions: interpreter.notes };
}
