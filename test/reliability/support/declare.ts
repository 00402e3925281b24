import { check, f, index, model, unique } from '../../../src/index.js';
import type { DefaultValue, Field } from '../../../src/model/fields.js';
import type { Constraint, IndexDefinition, ModelDefinition, ModelOptions } from '../../../src/model/model.js';
import type { QuestionerFlags } from '../../../src/questioner/flags.js';
import type { Step } from './interpret.js';
import type { FieldDef, ModelSpec, RelationDef, ScalarDef, ScalarType, World } from './world.js';
import { APPS, fieldName } from './world.js';

/**
 * The world as models files declare it (model() definitions, as makemigrations collects them), and
 * the makemigrations flags that answer a step's questions.
 */


/** A literal default of each type (and what the row writer's comparison expects after filling). */
export function literalDefault(type: ScalarType): DefaultValue {
  switch (type) {
    case 'char': case 'text': case 'slug': case 'email': case 'url': return 'dflt';
    case 'integer': case 'bigInteger': case 'smallInteger': case 'positiveInteger': return 3;
    case 'float': return 1.5;
    case 'decimal': return '2.50';
    case 'boolean': return true;
    case 'date': return '2020-01-02';
    case 'time': return '10:11:12';
    case 'dateTime': return '2020-01-02T03:04:05Z';
    case 'duration': return '1 day';
    case 'uuid': return '00000000-0000-4000-8000-000000000001';
    case 'json': return { d: [1, 'x'] };
    case 'binary': return 'bin';
  }
}

const callableDefault = (type: ScalarType): DefaultValue => (type === 'uuid' ? f.uuid4 : f.now);

/** The one-off default a person would type for `--default` (JSON, or now/uuid4). */
export function oneOffDefault(def: ScalarDef | RelationDef): string {
  if (def.kind !== 'scalar') return '1';
  switch (def.type) {
    case 'dateTime': return 'now';
    case 'uuid': return 'uuid4';
    default: return JSON.stringify(literalDefault(def.type));
  }
}

function scalarField(def: ScalarDef): Field {
  const options: Record<string, unknown> = {};
  if (def.null) options.null = true;
  if (def.unique) options.unique = true;
  if (def.dbIndex) options.dbIndex = true;
  if (def.dbColumn) options.dbColumn = def.dbColumn;
  if (def.comment) options.dbComment = "it's the column; -- not SQL";
  if (def.help) {
    options.helpText = 'shown in forms';
    options.choices = [[literalDefault(def.type), 'the default'], [null, 'none']];
  }
  if (def.default === 'literal') options.default = literalDefault(def.type);
  if (def.default === 'callable') options.default = callableDefault(def.type);
  if (def.default === 'db') options.dbDefault = literalDefault(def.type);
  switch (def.type) {
    case 'char': return f.char({ maxLength: def.maxLength, ...options });
    case 'slug': case 'email': case 'url': return f[def.type]({ maxLength: def.maxLength, ...options });
    case 'decimal': return f.decimal({ maxDigits: 8, decimalPlaces: 2, ...options });
    default: return f[def.type](options);
  }
}

const ref = (world: World, id: number) => {
  const target = world.models.find((m) => m.id === id)!;
  return `${target.app}.${target.name}`;
};

function fieldOf(world: World, def: FieldDef): Field {
  if (def.kind === 'scalar') return scalarField(def);
  if (def.kind === 'm2m') return f.manyToMany(ref(world, def.to));
  const options = { onDelete: def.onDelete, ...(def.null ? { null: true } : {}), ...(def.dbConstraint ? {} : { dbConstraint: false }) };
  return def.kind === 'fk' ? f.foreignKey(ref(world, def.to), options) : f.oneToOne(ref(world, def.to), options);
}

export function modelDefinition(world: World, m: ModelSpec): ModelDefinition {
  const fields: Record<string, Field> = { id: f[m.pk]({ primaryKey: true }) };
  for (const x of m.fields) fields[x.name] = fieldOf(world, x.def);
  const name = (id: number) => fieldName(m, id);
  const indexes: IndexDefinition[] = m.indexes.map((i) =>
    index(i.fields.map((id, k) => (k === 0 && i.desc ? `-${name(id)}` : name(id))), {
      ...(i.name ? { name: i.name } : {}),
      ...(i.partial ? { condition: 'id > 0' } : {}),
    }),
  );
  const constraints: Constraint[] = [
    ...m.uniques.map((u) => unique(u.fields.map(name), { ...(u.name ? { name: u.name } : {}), ...(u.partial ? { condition: 'id > 0' } : {}) })),
    ...m.checks.map((c) => check(c.expression, c.name ? { name: c.name } : {})),
  ];
  const options: ModelOptions = {
    ...(m.dbTable ? { dbTable: m.dbTable } : {}),
    ...(m.comment ? { dbComment: `the "${m.name}" table; DROP TABLE x; --` } : {}),
    ...(indexes.length ? { indexes } : {}),
    ...(constraints.length ? { constraints } : {}),
    ...(m.together.length ? { uniqueTogether: m.together.map((t) => t.map(name)) } : {}),
  };
  return model(m.name, fields, options);
}

/** Each app's models, in the shape projectStateFromModels takes. */
export function appsOf(world: World): [string, ModelDefinition[]][] {
  return APPS.map((app) => [app, world.models.filter((m) => m.app === app).map((m) => modelDefinition(world, m))]);
}

/**
 * The makemigrations flags that answer this step's questions: a `--rename-model` per renamed model,
 * a `--rename-field` per renamed field, a `--default` per NOT NULL field without a default that rows
 * must be filled for (added to a model with rows, or made NOT NULL).
 */
export function flagsFor(step: Step, populated: ReadonlySet<number>): QuestionerFlags {
  const renameModels: string[] = [];
  const renameFields: string[] = [];
  const defaults: string[] = [];
  for (const after of step.after.models) {
    const before = step.before.models.find((m) => m.id === after.id);
    if (!before) continue;
    if (before.name !== after.name) renameModels.push(`${after.app}.${before.name}=${after.name}`);
    for (const x of after.fields) {
      const old = before.fields.find((y) => y.id === x.id);
      if (old && old.name !== x.name) renameFields.push(`${after.app}.${after.name}.${old.name}=${x.name}`);
      if (x.def.kind === 'm2m' || x.def.null) continue;
      if (x.def.kind === 'scalar' && x.def.default !== 'none') continue;
      const added = !old && populated.has(after.id);
      const madeNotNull = old !== undefined && old.def.kind !== 'm2m' && old.def.null;
      if (added || madeNotNull) defaults.push(`${after.app}.${after.name}.${x.name}=${oneOffDefault(x.def)}`);
    }
  }
  return { renameModels, renameFields, defaults, noInput: true };
}

/** The flags as command-line arguments for `sediment makemigrations`. */
export function flagArguments(flags: QuestionerFlags): string[] {
  return [
    ...(flags.renameModels ?? []).flatMap((x) => ['--rename-model', x]),
    ...(flags.renameFields ?? []).flatMap((x) => ['--rename-field', x]),
    ...(flags.defaults ?? []).flatMap((x) => ['--default', x]),
    '--no-input',
  ];
}
