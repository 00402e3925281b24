import type { Connection } from '../../../src/backends/base/connection.js';
import { referencedField } from '../../../src/state/referenced-field.js';
import { joinModels } from '../../../src/schema/table-plan.js';
import type { Field } from '../../../src/model/fields.js';
import { isForeignKey } from '../../../src/model/fields.js';
import type { Naming } from '../../../src/state/names.js';
import type { ModelState, ProjectState } from '../../../src/state/project-state.js';
import type { FieldDef, ModelSpec, World } from './world.js';
import { familyOf } from './world.js';

/**
 * Rows for the round trip: before each step every table gets two more rows, and every scalar value is
 * rewritten to a function of the row's key (distinct per row, NULL in odd rows of nullable columns), so
 * that a change to unique or NOT NULL meets real data. A snapshot taken then is compared with the
 * tables after the step: same number of rows in every surviving table (and join table), same values
 * in every surviving column.
 */

const q = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/** A distinct value of the field's type for the integer SQL expression `x`. */
function valueSql(field: Field, x: string): string {
  switch (field.kind) {
    case 'char': case 'slug': case 'email': case 'url': case 'text':
      return `('v' || (${x})::text)`;
    case 'integer': case 'bigInteger': case 'smallInteger': case 'positiveInteger':
      return `(${x})`;
    case 'float':
      return `((${x}) + 0.5)`;
    case 'decimal':
      return `((${x}) + 0.25)`;
    case 'boolean':
      return `((${x}) % 2 = 0)`;
    case 'date':
      return `(date '2000-01-01' + (${x})::int)`;
    case 'time':
      return `(time '00:00' + (${x}) * interval '1 second')`;
    case 'dateTime':
      return `(timestamptz '2000-01-01 00:00:00+00' + (${x}) * interval '1 minute')`;
    case 'duration':
      return `((${x}) * interval '1 second')`;
    case 'uuid':
      return `(('00000000-0000-4000-8000-' || lpad((${x})::text, 12, '0'))::uuid)`;
    case 'json':
      return `jsonb_build_object('v', ${x})`;
    case 'binary':
      return `convert_to('b' || (${x})::text, 'UTF8')`;
    default:
      throw new Error(`no value for a ${field.kind} field`);
  }
}

interface TableOf {
  readonly spec: ModelSpec;
  readonly state: ModelState;
  readonly table: string;
}

function tablesOf(world: World, state: ProjectState, naming: Naming): TableOf[] {
  return world.models.map((spec) => {
    const found = state.resolve(`${spec.app}.${spec.name}`, spec.app);
    if (!found) throw new Error(`the state has no model ${spec.app}.${spec.name}`);
    return { spec, state: found, table: naming.table(found) };
  });
}

const isScalar = (field: Field) => !isForeignKey(field) && field.kind !== 'manyToMany';

/** Tables with at least one row, by model id. */
export async function populatedModels(db: Connection, world: World, state: ProjectState, naming: Naming): Promise<Set<number>> {
  const out = new Set<number>();
  for (const t of tablesOf(world, state, naming)) {
    const { rows } = await db.query<{ found: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${q(t.table)}) AS found`);
    if (rows[0].found) out.add(t.spec.id);
  }
  return out;
}

/**
 * Two new rows in every table that can take them (its NOT NULL foreign keys point at tables with rows),
 * then every scalar value rewritten as a function of the key; join tables get up to two new pairs.
 * `counter` numbers the inserted values, above any key.
 */
export async function writeRows(db: Connection, world: World, state: ProjectState, naming: Naming, counter: { next: number }): Promise<void> {
  const tables = tablesOf(world, state, naming);
  const filled = await populatedModels(db, world, state, naming);
  const pending = [...tables];
  const requiredTargets = (t: TableOf) =>
    t.state.fields.filter(([, field]) => isForeignKey(field) && field.null !== true).map(([, field]) => referencedField(t.state, field as never, state));
  const order: TableOf[] = [];
  for (let progress = true; progress && pending.length > 0;) {
    progress = false;
    for (let i = 0; i < pending.length; i++) {
      const t = pending[i];
      const targets = requiredTargets(t).map((r) => tables.find((x) => x.state === r.model || (x.state.app === r.model.app && x.state.name === r.model.name)));
      if (targets.every((x) => x !== undefined && (filled.has(x.spec.id) || order.some((o) => o.spec.id === x.spec.id)))) {
        order.push(t);
        pending.splice(i--, 1);
        progress = true;
      }
    }
  }
  for (const t of order) {
    const columns: string[] = [];
    const rows: string[][] = [[], []];
    for (const [name, field] of t.state.fields) {
      if (field.kind === 'manyToMany' || field.primaryKey) continue;
      const column = q(naming.column(name, field));
      if (isForeignKey(field)) {
        if (field.null === true) continue;
        const target = referencedField(t.state, field, state);
        const value = `(SELECT min(${q(naming.column(target.name, target.field))}) FROM ${q(naming.table(target.model))})`;
        columns.push(column);
        rows.forEach((r) => r.push(value));
        continue;
      }
      columns.push(column);
      rows.forEach((r) => r.push(valueSql(field, String(counter.next++))));
    }
    const values = rows.map((r) => `(${r.join(', ')})`).join(', ');
    if (columns.length) await db.query(`INSERT INTO ${q(t.table)} (${columns.join(', ')}) VALUES ${values}`);
    else for (let i = 0; i < 2; i++) await db.query(`INSERT INTO ${q(t.table)} DEFAULT VALUES`);
    const sets = t.state.fields
      .filter(([, field]) => isScalar(field) && !(field as { primaryKey?: boolean }).primaryKey)
      .map(([name, field]) => {
        const value = valueSql(field, '"id"');
        const nullable = (field as { null?: boolean }).null === true;
        return `${q(naming.column(name, field))} = ${nullable ? `CASE WHEN "id" % 2 = 1 THEN NULL ELSE ${value} END` : value}`;
      });
    if (sets.length) await db.query(`UPDATE ${q(t.table)} SET ${sets.join(', ')}`);
  }
  const ordered = new Set(order.map((t) => t.spec.id));
  for (const t of tables) {
    for (const join of joinModels(t.state, state, naming)) {
      const target = state.resolve(join.field.to as string, t.state.app)!;
      const other = tables.find((x) => x.state.app === target.app && x.state.name === target.name)!;
      const hasRows = (x: TableOf) => filled.has(x.spec.id) || ordered.has(x.spec.id);
      if (!hasRows(t) || !hasRows(other)) continue;
      const joinTable = join.model.options.dbTable!;
      await db.query(
        `INSERT INTO ${q(joinTable)} (${q(join.fromColumn)}, ${q(join.toColumn)})
         SELECT a."id", b."id" FROM ${q(t.table)} a CROSS JOIN ${q(other.table)} b
         WHERE NOT EXISTS (SELECT 1 FROM ${q(joinTable)} j WHERE j.${q(join.fromColumn)} = a."id" AND j.${q(join.toColumn)} = b."id")
         ORDER BY a."id" DESC, b."id" DESC LIMIT 2`,
      );
    }
  }
}

/** The rows of every table, by model id: key -> field id -> value as text. */
export interface Snapshot {
  readonly world: World;
  readonly tables: ReadonlyMap<number, { readonly table: string; readonly rows: ReadonlyMap<string, ReadonlyMap<number, string | null>> }>;
  /** Rows in the join table of each many-to-many field, by field id. */
  readonly joins: ReadonlyMap<number, number>;
}

export async function snapshot(db: Connection, world: World, state: ProjectState, naming: Naming): Promise<Snapshot> {
  const tables = new Map<number, { table: string; rows: Map<string, Map<number, string | null>> }>();
  const joins = new Map<number, number>();
  for (const t of tablesOf(world, state, naming)) {
    const columns = t.spec.fields.filter((x) => x.def.kind !== 'm2m');
    const select = columns.map((x) => {
      const field = t.state.fields.find(([n]) => n === x.name)![1];
      return `${q(naming.column(x.name, field))}::text AS ${q(`f${x.id}`)}`;
    });
    const { rows } = await db.query<Record<string, string | null>>(
      `SELECT "id"::text AS __key${select.length ? `, ${select.join(', ')}` : ''} FROM ${q(t.table)}`,
    );
    const byKey = new Map<string, Map<number, string | null>>();
    for (const row of rows) byKey.set(row.__key!, new Map(columns.map((x) => [x.id, row[`f${x.id}`]])));
    tables.set(t.spec.id, { table: t.table, rows: byKey });
    for (const join of joinModels(t.state, state, naming)) {
      const x = t.spec.fields.find((y) => y.name === join.fieldName)!;
      const { rows: [{ n }] } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${q(join.model.options.dbTable!)}`);
      joins.set(x.id, n);
    }
  }
  return { world, tables, joins };
}

/** Whether a value written as `before` (by the field `from`) reads back as `after` (by the field `to`). */
function sameValue(from: FieldDef, to: FieldDef, before: string, after: string | null): boolean {
  if (after === null) return false;
  if (from.kind === 'scalar' && to.kind === 'scalar') {
    const family = familyOf(from.type);
    if (!family.includes(to.type)) return true; // not generated: a type change outside a family
    if (family.includes('integer') || family.includes('float')) return Number(before) === Number(after);
  }
  return before === after;
}

/**
 * What was lost between two snapshots: rows of surviving tables, values of surviving columns (a NULL
 * may have been filled by a default), rows of surviving join tables. Empty when nothing was lost.
 */
export function lostData(before: Snapshot, after: Snapshot): string[] {
  const problems: string[] = [];
  for (const [modelId, was] of before.tables) {
    const now = after.tables.get(modelId);
    if (!now) continue;
    const oldSpec = before.world.models.find((m) => m.id === modelId)!;
    const newSpec = after.world.models.find((m) => m.id === modelId)!;
    const label = `${oldSpec.app}.${oldSpec.name} (table ${was.table} -> ${now.table})`;
    if (was.rows.size !== now.rows.size) {
      problems.push(`${label}: ${was.rows.size} rows before the step, ${now.rows.size} after`);
      continue;
    }
    let reported = 0;
    for (const [key, values] of was.rows) {
      const row = now.rows.get(key);
      if (!row) {
        problems.push(`${label}: the row with key ${key} is gone`);
        continue;
      }
      for (const [fieldId, value] of values) {
        const to = newSpec.fields.find((x) => x.id === fieldId);
        const from = oldSpec.fields.find((x) => x.id === fieldId)!;
        if (!to || value === null || to.def.kind === 'm2m') continue;
        const got = row.get(fieldId) ?? null;
        if (!sameValue(from.def, to.def, value, got) && reported++ < 5) {
          problems.push(`${label}: key ${key}, field ${from.name} -> ${to.name}: ${JSON.stringify(value)} became ${JSON.stringify(got)}`);
        }
      }
    }
  }
  for (const [fieldId, n] of before.joins) {
    const m = after.joins.get(fieldId);
    if (m !== undefined && m !== n) problems.push(`the join table of many-to-many field #${fieldId} had ${n} rows, now ${m}`);
  }
  return problems;
}

/** Empties every table of the world (before migrating backwards, where re-adding a NOT NULL column to rows cannot work). */
export async function emptyTables(db: Connection, world: World, state: ProjectState, naming: Naming): Promise<void> {
  const tables = tablesOf(world, state, naming).map((t) => q(t.table));
  if (tables.length) await db.query(`TRUNCATE ${tables.join(', ')} CASCADE`);
}
