import type { MigrationGraph } from '../graph/graph.js';
import type { NodeKey } from '../graph/migration.js';
import { applyMigration } from '../graph/state-at.js';
import { compareSchemas, type SchemaFinding } from '../schema/compare.js';
import type { DatabaseSchema, TableSchema } from '../schema/types.js';
import { ProjectState } from '../state/project-state.js';
import { restrictSchema, schemaOf, type TableSchemas } from './schema-of-state.js';
import type { Explanation } from './types.js';

/**
 * Which migration explains a schema difference. The applied migrations are replayed, and after each
 * one the expected schema of the tables involved is taken (only those: see TableSchemas):
 * - for what the history expects (a missing column, a column's type, an index), the explanation is
 *   the first migration of the last run of migrations after which the history expects exactly that —
 *   the one that added the column, or that last changed its type;
 * - for what only the database has (an extra table or column), the explanation is the migration that
 *   removed it, if one did; otherwise an unapplied migration that creates it, or none.
 * Unapplied migrations are then replayed the same way: the first after which a difference is gone
 * explains it better than anything else (the database looks as if it had run).
 */
export interface ExplainInput {
  readonly graph: MigrationGraph;
  /** Applied nodes in plan order. */
  readonly applied: readonly NodeKey[];
  /** Unapplied nodes in plan order. */
  readonly unapplied: readonly NodeKey[];
  /** The state of the applied migrations (the replay's end). */
  readonly appliedState: ProjectState;
  readonly actual: DatabaseSchema;
  readonly tableSchemas: TableSchemas;
  readonly edited: ReadonlySet<NodeKey>;
  readonly missingFiles: readonly NodeKey[];
}

export function explainFindings(findings: readonly SchemaFinding[], input: ExplainInput): Explanation[] {
  if (findings.length === 0) return [];
  const tables = new Set(findings.map((f) => f.table));
  const fromHistory = explainByHistory(findings, tables, input);
  const fromUnapplied = explainByUnapplied(findings, tables, input);
  return findings.map((_, i) => fromUnapplied[i] ?? fromHistory[i]);
}

/** Kinds about something only the database has. */
const EXTRA_KINDS = new Set<SchemaFinding['kind']>(['extra-table', 'extra-column', 'extra-foreign-key', 'extra-index', 'extra-constraint']);

function explainByHistory(findings: readonly SchemaFinding[], tables: ReadonlySet<string>, input: ExplainInput): Explanation[] {
  const { graph, applied, tableSchemas } = input;
  // Per finding: the probe's value after the previous step, and the step since which it holds.
  const last: (string | undefined)[] = findings.map(() => undefined);
  const since: number[] = findings.map(() => -1);
  const removedAt: number[] = findings.map(() => -1);
  let state = ProjectState.empty();
  for (let step = 0; step < applied.length; step++) {
    state = applyMigration(state, graph.migration(applied[step]));
    const snapshot = tableSchemas.of(state, tables);
    findings.forEach((finding, i) => {
      const value = probe(finding, snapshot.get(finding.table));
      if (value !== last[i]) {
        if (value === undefined && last[i] !== undefined) removedAt[i] = step;
        since[i] = step;
        last[i] = value;
      }
    });
  }
  const none: Explanation = { kind: 'none', missingFiles: input.missingFiles, edited: [...input.edited].sort() };
  return findings.map((finding, i): Explanation => {
    if (EXTRA_KINDS.has(finding.kind)) {
      return removedAt[i] >= 0 && last[i] === undefined
        ? { kind: 'removed-by', migration: applied[removedAt[i]] }
        : none;
    }
    if (last[i] === undefined || since[i] < 0) return none;
    const migration = applied[since[i]];
    return { kind: 'set-by', migration, edited: input.edited.has(migration) };
  });
}

/** The first unapplied migration after which the difference is gone, per finding (undefined: none). */
function explainByUnapplied(findings: readonly SchemaFinding[], tables: ReadonlySet<string>, input: ExplainInput): (Explanation | undefined)[] {
  const out: (Explanation | undefined)[] = findings.map(() => undefined);
  const actual = restrictSchema(input.actual, tables);
  let state = input.appliedState;
  let open = findings.length;
  for (const key of input.unapplied) {
    try {
      state = applyMigration(state, input.graph.migration(key));
    } catch {
      // An unapplied migration that does not replay on the applied state (an inconsistent history):
      // nothing after it can be judged either.
      break;
    }
    const remaining = new Set(compareSchemas(schemaOf(input.tableSchemas.of(state, tables).values()), actual).map(findingKey));
    findings.forEach((finding, i) => {
      if (out[i] === undefined && !remaining.has(findingKey(finding))) {
        out[i] = { kind: 'unapplied', migration: key };
        open--;
      }
    });
    if (open === 0) break;
  }
  return out;
}

/** Identifies a finding across comparisons: the same difference at the same place. */
export function findingKey(finding: SchemaFinding): string {
  const detail = 'column' in finding && finding.column !== null ? finding.column : 'name' in finding ? finding.name : '';
  const constraint = 'constraint' in finding ? finding.constraint : '';
  return `${finding.kind}|${finding.table}|${detail}|${constraint}`;
}

/**
 * What the history expects of the finding's subject, as a comparable string; undefined when the
 * subject does not exist in `table` (the expected schema of the finding's table after some step).
 */
function probe(finding: SchemaFinding, table: TableSchema | undefined): string | undefined {
  if (!table) return undefined;
  const column = 'column' in finding && finding.column !== null ? table.columns.find((c) => c.name === finding.column) : undefined;
  const named = <T extends { name: string }>(items: readonly T[], name: string) => items.find((item) => item.name === name);
  const definition = (item: object | undefined) => (item ? JSON.stringify({ ...item, name: undefined, generatedName: undefined }) : undefined);
  const present = (item: unknown) => (item === undefined ? undefined : 'present');
  switch (finding.kind) {
    case 'missing-table':
    case 'extra-table':
      return 'present';
    case 'missing-column':
    case 'extra-column':
      return present(column);
    case 'type-mismatch':
      return column && JSON.stringify(column.type);
    case 'nullability-mismatch':
      return column && JSON.stringify(column.nullable);
    case 'identity-mismatch':
      return column && JSON.stringify(column.identity);
    case 'default-mismatch':
      return column && JSON.stringify(column.default);
    case 'comment-mismatch':
      return finding.column === null ? JSON.stringify(table.comment) : column && JSON.stringify(column.comment);
    case 'primary-key-mismatch':
      return JSON.stringify(table.primaryKey?.columns ?? null);
    case 'missing-foreign-key':
      return present(named(table.foreignKeys, finding.expected.name));
    case 'extra-foreign-key':
      return present(named(table.foreignKeys, finding.name));
    case 'foreign-key-mismatch':
      return definition(named(table.foreignKeys, finding.expected.name));
    case 'missing-index':
      return present(named(table.indexes, finding.expected.name));
    case 'extra-index':
      return present(named(table.indexes, finding.name));
    case 'index-mismatch':
      return definition(named(table.indexes, finding.expected.name));
    case 'missing-constraint':
      return present(named([...table.uniques, ...table.checks], finding.expected.name));
    case 'extra-constraint':
      return present(named([...table.uniques, ...table.checks], finding.name));
    case 'constraint-mismatch':
      return definition(named([...table.uniques, ...table.checks], finding.expected.name));
    case 'name-mismatch': {
      const lists = { 'foreign-key': table.foreignKeys, index: table.indexes, unique: table.uniques, check: table.checks };
      return present(named<{ name: string }>(lists[finding.object], finding.expected));
    }
  }
}
