import assert from 'node:assert/strict';
import { detectChanges } from '../../src/autodetect/detect.js';
import { canonical } from '../../src/autodetect/compare.js';
import type { Changes, PlannedMigration } from '../../src/autodetect/types.js';
import { isForeignKey, isRelation } from '../../src/model/fields.js';
import type { ModelDefinition } from '../../src/model/model.js';
import { projectStateFromModels } from '../../src/model/collect.js';
import { describe as describeOp, stateForwards } from '../../src/operations/registry.js';
import type { Operation } from '../../src/operations/types.js';
import { FlagQuestioner } from '../../src/questioner/flag-questioner.js';
import type { QuestionerFlags } from '../../src/questioner/flags.js';
import type {
  MergeQuestion, NotNullAnswer, NotNullQuestion, Questioner, RenameFieldQuestion, RenameModelQuestion,
} from '../../src/questioner/questioner.js';
import type { ModelState } from '../../src/state/project-state.js';
import { ProjectState, resolveReference } from '../../src/state/project-state.js';

export type Apps = Readonly<Record<string, readonly ModelDefinition[]>>;

export const project = (apps: Apps): ProjectState => projectStateFromModels(Object.entries(apps));

/** Answers from flags, recording every question in a readable line. */
export class RecordingQuestioner implements Questioner {
  readonly asked: string[] = [];
  private readonly flags: FlagQuestioner;
  constructor(flags: QuestionerFlags = {}) {
    this.flags = FlagQuestioner.fromFlags(flags);
  }
  async askRenameModel(q: RenameModelQuestion) {
    if (q.similar) this.asked.push(`rename model ${q.app}.${q.oldName} -> ${q.newName}`);
    return this.flags.askRenameModel(q);
  }
  async askRenameField(q: RenameFieldQuestion) {
    if (q.similar) this.asked.push(`rename field ${q.app}.${q.model}.${q.oldName} -> ${q.newName}`);
    return this.flags.askRenameField(q);
  }
  async askNotNullAddition(q: NotNullQuestion): Promise<NotNullAnswer> {
    this.asked.push(`not null addition ${q.app}.${q.model}.${q.field}`);
    return this.flags.askNotNullAddition(q);
  }
  async askNotNullAlteration(q: NotNullQuestion): Promise<NotNullAnswer> {
    this.asked.push(`not null alteration ${q.app}.${q.model}.${q.field}`);
    return this.flags.askNotNullAlteration(q);
  }
  async askMerge(q: MergeQuestion) {
    return this.flags.askMerge(q);
  }
}

/** Leaves for every app that has models in `before` (each gets a pretend `0001_initial`). */
export function leavesOf(before: ProjectState): Record<string, string> {
  return Object.fromEntries(before.apps().map((app) => [app, '0001_initial']));
}

export interface Detection {
  readonly before: ProjectState;
  readonly after: ProjectState;
  readonly changes: Changes;
  readonly asked: readonly string[];
}

export async function detect(
  before: ProjectState,
  after: ProjectState,
  flags: QuestionerFlags = {},
  options: { apps?: string[] } = {},
): Promise<Detection> {
  const questioner = new RecordingQuestioner(flags);
  const changes = await detectChanges(before, after, questioner, { ...options, leaves: leavesOf(before) });
  return { before, after, changes, asked: questioner.asked };
}

// ---------------------------------------------------------------------------------------------
// Printing

function summarize(op: Operation): string {
  const args: Record<string, unknown> = { ...op };
  delete args.kind;
  if (op.kind === 'createModel') args.fields = Object.keys(op.fields).join(',');
  return `${op.kind} ${canonical(args)}`;
}

export function formatChanges(changes: Changes): string {
  const lines: string[] = [];
  for (const [app, migrations] of Object.entries(changes)) {
    migrations.forEach((m, i) => {
      const deps = m.dependencies.map((d) => (d.kind === 'existing' ? `${d.app}:${d.name}` : `${d.app}#${d.index}`));
      lines.push(`${app}#${i}${m.initial ? ' (initial)' : ''} deps [${deps.join(', ')}]`);
      for (const op of m.operations) lines.push(`    ${summarize(op)}`);
    });
  }
  return lines.length ? lines.join('\n') : '(no changes)';
}

// ---------------------------------------------------------------------------------------------
// Expectations

/** An expected operation: its kind and the arguments to check (`fieldNames` checks createModel's field names). */
export type ExpectedOp = { readonly kind: Operation['kind']; readonly fieldNames?: readonly string[] } & Record<string, unknown>;
export interface ExpectedMigration {
  readonly ops: readonly ExpectedOp[];
  /** `app#index` for planned, `app:name` for existing migrations; checked exactly when given. */
  readonly deps?: readonly string[];
  readonly initial?: boolean;
}
export type Expected = Readonly<Record<string, readonly ExpectedMigration[]>>;

function partialMatch(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== 'object') return Object.is(actual, expected);
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => partialMatch(actual[i], e));
  }
  if (actual === null || typeof actual !== 'object') return false;
  return Object.entries(expected).every(([key, value]) =>
    value === undefined ? (actual as Record<string, unknown>)[key] === undefined : partialMatch((actual as Record<string, unknown>)[key], value),
  );
}

function opMatches(op: Operation, expected: ExpectedOp): boolean {
  const { fieldNames, ...rest } = expected;
  if (fieldNames && (op.kind !== 'createModel' || canonical(Object.keys(op.fields)) !== canonical(fieldNames))) return false;
  return partialMatch(op, rest);
}

function migrationMatches(actual: PlannedMigration, expected: ExpectedMigration): boolean {
  if (actual.operations.length !== expected.ops.length) return false;
  if (!expected.ops.every((e, i) => opMatches(actual.operations[i], e))) return false;
  if (expected.initial !== undefined && actual.initial !== expected.initial) return false;
  if (expected.deps) {
    const deps = actual.dependencies.map((d) => (d.kind === 'existing' ? `${d.app}:${d.name}` : `${d.app}#${d.index}`));
    if (canonical([...deps].sort()) !== canonical([...expected.deps].sort())) return false;
  }
  return true;
}

/** Fails with the whole change set and the expectation printed side by side. */
export function assertChanges(detection: Detection, expected: Expected): void {
  const { changes } = detection;
  const apps = Object.keys(changes).sort();
  const ok =
    canonical(apps) === canonical(Object.keys(expected).sort()) &&
    apps.every((app) => changes[app].length === expected[app].length && changes[app].every((m, i) => migrationMatches(m, expected[app][i])));
  if (!ok) {
    assert.fail(`The change set differs from the expectation.\n--- actual\n${formatChanges(changes)}\n--- expected\n${JSON.stringify(expected, null, 2)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Replay: the strong generic check

/** Every relation, index, constraint and uniqueTogether of the state names things that exist. */
export function consistencyProblems(state: ProjectState): string[] {
  const problems: string[] = [];
  for (const model of state.models()) {
    const id = `${model.app}.${model.name}`;
    const has = (name: string) => model.fields.some(([n]) => n === name);
    for (const [name, field] of model.fields) {
      if (!isRelation(field)) continue;
      const target = state.resolve(field.to as string, model.app);
      if (!target) problems.push(`${id}.${name} points at missing ${String(field.to)}`);
      else if (isForeignKey(field) && field.toField && !target.fields.some(([n]) => n === field.toField)) {
        problems.push(`${id}.${name} points at missing field ${String(field.to)}.${field.toField}`);
      }
      if (field.kind === 'manyToMany' && field.through && !state.resolve(field.through as string, model.app)) {
        problems.push(`${id}.${name} goes through missing ${String(field.through)}`);
      }
    }
    for (const index of model.options.indexes ?? []) {
      for (const f of index.fields) if (!has(f)) problems.push(`${id} index ${index.name} names missing field ${f}`);
    }
    for (const c of model.options.constraints ?? []) {
      if (c.kind === 'unique') for (const f of c.fields) if (!has(f)) problems.push(`${id} constraint ${c.name} names missing field ${f}`);
    }
    for (const set of model.options.uniqueTogether ?? []) {
      for (const f of set) if (!has(f)) problems.push(`${id} uniqueTogether names missing field ${f}`);
    }
  }
  return problems;
}

/** A comparable text of a model: fields as a map, indexes/constraints by name, uniqueTogether as a set. */
export function modelSignature(model: ModelState): string {
  const options = { ...model.options } as Record<string, unknown>;
  const byName = (list: readonly { name?: string }[] | undefined) =>
    list ? [...list].sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : 1)) : undefined;
  options.indexes = byName(model.options.indexes);
  options.constraints = byName(model.options.constraints);
  options.uniqueTogether = model.options.uniqueTogether ? model.options.uniqueTogether.map((s) => JSON.stringify(s)).sort() : undefined;
  return canonical({ app: model.app, name: model.name, fields: Object.fromEntries(model.fields), options });
}

export function stateSignature(state: ProjectState): string[] {
  return state.models().map(modelSignature).sort();
}

/** The planned migrations in an order that respects their dependencies across apps. */
export function migrationOrder(changes: Changes): { app: string; index: number; migration: PlannedMigration }[] {
  const order: { app: string; index: number; migration: PlannedMigration }[] = [];
  const done = new Set<string>();
  const all = Object.entries(changes).flatMap(([app, list]) => list.map((migration, index) => ({ app, index, migration })));
  while (order.length < all.length) {
    const next = all.find(
      (m) => !done.has(`${m.app}#${m.index}`) && m.migration.dependencies.every((d) => d.kind === 'existing' || done.has(`${d.app}#${d.index}`)),
    );
    if (!next) assert.fail(`The planned migrations depend on each other in a circle:\n${formatChanges(changes)}`);
    done.add(`${next.app}#${next.index}`);
    order.push(next);
  }
  return order;
}

/**
 * Replays every planned operation on the before-state, in dependency order, checking after each
 * operation that the state is consistent, and at the end that it is the after-state.
 */
export function assertReplays(detection: Detection): void {
  const { before, after, changes } = detection;
  let state = before;
  for (const { app, index, migration } of migrationOrder(changes)) {
    for (const op of migration.operations) {
      try {
        state = stateForwards(state, app, op);
      } catch (error) {
        assert.fail(`Replaying ${app}#${index} "${describeOp(op)}" failed: ${(error as Error).message}\n${formatChanges(changes)}`);
      }
      const problems = consistencyProblems(state);
      if (problems.length) {
        assert.fail(`After ${app}#${index} "${describeOp(op)}" the state is inconsistent:\n  ${problems.join('\n  ')}\n${formatChanges(changes)}`);
      }
    }
  }
  const actual = stateSignature(state);
  const expected = stateSignature(after);
  if (canonical(actual) !== canonical(expected)) {
    const missing = expected.filter((m) => !actual.includes(m));
    const extra = actual.filter((m) => !expected.includes(m));
    assert.fail(
      `Replaying the changes does not give the after-state.\nexpected models:\n  ${missing.join('\n  ')}\n` +
        `but replay gave:\n  ${extra.join('\n  ')}\n${formatChanges(changes)}`,
    );
  }
}

/** The relation target of a field, for readable expectations. */
export const target = (reference: string) => resolveReference(reference, '');
export { ProjectState };
