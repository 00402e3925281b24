import type { Connection } from '../../src/backends/base/connection.js';
import { createPostgresSchemaEditor } from '../../src/backends/postgres/schema-editor.js';
import { diagnose } from '../../src/doctor/index.js';
import type { Explanation, Finding, Report } from '../../src/doctor/index.js';
import { executePlan } from '../../src/executor/executor.js';
import { buildGraph, migrationPlan, planStates, targetsFor } from '../../src/graph/index.js';
import type { Migration } from '../../src/graph/migration.js';
import type { Operation } from '../../src/operations/types.js';
import { Recorder } from '../../src/recorder/recorder.js';
import { Naming } from '../../src/state/names.js';
import { mig } from '../graph/helpers.js';

export { testOnEachTarget } from '../backends/helpers.js';

const naming = new Naming();

/** `migration('shop.0002_x', ['shop.0001_initial'], ops…)`: a migration record as the loader gives it. */
export function migration(key: string, deps: readonly string[], ...ops: Operation[]): Migration {
  return { ...mig(key, { deps, ops, initial: deps.length === 0 }), checksum: `sha256:${key}:${JSON.stringify(ops)}` };
}

/** The same migration with other content (an edit after it was applied): another checksum. */
export function edited(original: Migration, ...ops: Operation[]): Migration {
  return { ...original, operations: ops, checksum: `${original.checksum}:edited:${JSON.stringify(ops)}` };
}

/** Applies every unapplied migration (or records them, with `fake`) through the real executor. */
export async function migrateAll(connection: Connection, migrations: readonly Migration[], options: { fake?: boolean } = {}): Promise<void> {
  const recorder = new Recorder(connection);
  await recorder.ensureTable();
  const graph = buildGraph(migrations, (await recorder.applied()).keys(), { apps: appsOf(migrations) });
  const plan = migrationPlan(graph, targetsFor(graph));
  await executePlan([...planStates(graph, plan)], {
    connection,
    recorder,
    naming,
    createEditor: (c) => createPostgresSchemaEditor(c, naming),
  }, { fake: options.fake });
}

export function doctor(connection: Connection, migrations: readonly Migration[]): Promise<Report> {
  return diagnose({ migrations, apps: appsOf(migrations), connection, naming, historyTable: 'sediment_migrations' });
}

function appsOf(migrations: readonly Migration[]): string[] {
  return [...new Set(migrations.map((m) => m.app))];
}

/**
 * Each finding in one short line, for exact assertions that print the whole report on failure:
 * `missing-column shop_tag.type <- set-by shop.0002_tag_type`, `unapplied shop.0003_x: present`.
 */
export function summarize(report: Report): string[] {
  return report.findings.map(summarizeOne);
}

function summarizeOne(finding: Finding): string {
  switch (finding.kind) {
    case 'schema-drift': {
      const d = finding.drift;
      const at = 'column' in d && d.column !== null ? `${d.table}.${d.column}` : 'name' in d ? `${d.table} ${d.name}` : d.table;
      return `${d.kind} ${at} <- ${explanation(finding.explanation)}`;
    }
    case 'unapplied':
      return `unapplied ${finding.migration}: ${finding.presence.kind}`;
    case 'missing-file':
    case 'edited':
      return `${finding.kind} ${finding.migration}${finding.kind === 'edited' ? ` (matches database: ${finding.matchesDatabase})` : ''}`;
    case 'inconsistent-history':
      return `inconsistent-history ${finding.migration} before ${finding.dependency}`;
    case 'conflict':
      return `conflict ${finding.app}: ${finding.leaves.join(', ')}${finding.disjoint ? ' (disjoint)' : ''}`;
    case 'sequence-behind':
      return `sequence-behind ${finding.sequence.table}.${finding.sequence.column}`;
    default:
      return finding.kind;
  }
}

function explanation(e: Explanation): string {
  switch (e.kind) {
    case 'set-by':
      return `set-by ${e.migration}${e.edited ? ' (edited)' : ''}`;
    case 'removed-by':
    case 'unapplied':
      return `${e.kind} ${e.migration}`;
    case 'none':
      return 'none';
  }
}
