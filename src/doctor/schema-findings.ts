import type { MigrationGraph } from '../graph/graph.js';
import type { NodeKey } from '../graph/migration.js';
import { nodeKey } from '../graph/migration.js';
import { applyMigration, stateAt } from '../graph/state-at.js';
import type { AppliedMigration } from '../recorder/recorder.js';
import { compareSchemas, type SchemaFinding } from '../schema/compare.js';
import { expectedSchema } from '../schema/expected-schema.js';
import type { DatabaseSchema } from '../schema/types.js';
import { ProjectState } from '../state/project-state.js';
import type { DoctorInput } from './diagnose.js';
import { driftFix, driftMessage } from './drift-text.js';
import { explainFindings, findingKey } from './explain.js';
import { foreignTables } from './foreign.js';
import { editedMigrations, foreignRows, ghostRows, unappliedNodes } from './history.js';
import { migrationPresence, type PresenceResult } from './presence.js';
import { runsCode } from './touched.js';
import { TableSchemas, unmanagedTables } from './schema-of-state.js';
import type { DriftFinding, Finding, Presence, UnappliedFinding } from './types.js';

export interface SchemaResult {
  readonly unapplied: UnappliedFinding[];
  readonly drift: DriftFinding[];
  /** Replay failures. */
  readonly other: Finding[];
  readonly presence: ReadonlyMap<NodeKey, Presence>;
  readonly tablesCompared: number | null;
  /** Live tables left out of the comparison as another project's (see foreign.ts). */
  readonly foreignTables: readonly string[];
}

/**
 * How much of each checked unapplied migration the database already has, and the schema differences
 * those already there account for (reported with the migration, not again as drift).
 */
class PresenceLedger {
  readonly presence = new Map<NodeKey, Presence>();
  /** Migrations --fix may record: all of their schema is there and they run no SQL or code. */
  readonly fakeable = new Set<NodeKey>();
  /** findingKey()s of differences that present migrations account for. */
  readonly accounted = new Set<string>();

  constructor(
    private readonly graph: MigrationGraph,
    private readonly live: DatabaseSchema,
    private readonly input: DoctorInput,
    private readonly tableSchemas: TableSchemas,
  ) {}

  check(key: NodeKey, state: ProjectState): PresenceResult {
    const result = migrationPresence(this.graph.migration(key), state, this.live, this.input.naming, this.tableSchemas);
    this.record(key, result.presence, result.resolved);
    return result;
  }

  record(key: NodeKey, presence: Presence, resolved: ReadonlySet<string>): void {
    this.presence.set(key, presence);
    if (presence.kind !== 'present') return;
    for (const found of resolved) this.accounted.add(found);
    if (!presence.runsCode) this.fakeable.add(key);
  }
}

/**
 * The live schema against the applied migrations' state, the unapplied migrations and how much of
 * each the database already has.
 */
export async function schemaFindings(graph: MigrationGraph, applied: ReadonlyMap<NodeKey, AppliedMigration>, input: DoctorInput): Promise<SchemaResult> {
  const unappliedKeys = unappliedNodes(graph);
  const unappliedFinding = (key: NodeKey, presence: Presence): UnappliedFinding =>
    ({ kind: 'unapplied', migration: key, file: graph.migration(key).file, presence, ...unappliedText(key, presence) });
  const { naming } = input;
  const tableSchemas = new TableSchemas(naming);
  const live = await input.connection.backend.introspect(input.connection, { exclude: [input.historyTable] });
  const ledger = new PresenceLedger(graph, live, input, tableSchemas);

  const replay = replayApplied(graph, ledger);
  if ('failure' in replay) {
    return {
      unapplied: unappliedKeys.map((key) => unappliedFinding(key, { kind: 'absent' })),
      drift: [],
      other: [{
        kind: 'replay-failed',
        message: `The applied migrations cannot be replayed, so the schema was not compared: ${replay.failure}`,
        fix: { text: 'Fix the migration files (or the history findings above), then run doctor again.' },
      }],
      presence: ledger.presence,
      tablesCompared: null,
      foreignTables: [],
    };
  }
  const { schema: actual, foreign } = withoutOthers(live, graph, replay.state, applied, input);
  const expected = expectedSchema(replay.state, naming, input.connection.backend);
  const differences = compareSchemas(expected, actual);
  settleMissingDependencies(graph, replay.missing, differences, ledger);
  const inReplay = new Set(replay.keys);
  const pending = unappliedKeys.filter((key) => !inReplay.has(key));
  checkUnapplied(graph, pending, replay.state, ledger);

  const findings = differences.filter((finding) => !ledger.accounted.has(findingKey(finding)));
  const explanations = explainFindings(findings, {
    graph,
    applied: replay.keys,
    unapplied: pending,
    appliedState: replay.state,
    actual,
    tableSchemas,
    edited: new Set(editedMigrations(graph, applied).map((e) => nodeKey(e.migration.app, e.migration.name))),
    missingFiles: ghostRows(graph, applied).map((row) => nodeKey(row.app, row.name)),
  });
  return {
    unapplied: unappliedKeys.map((key) => unappliedFinding(key, ledger.presence.get(key) ?? { kind: 'absent' })),
    drift: findings.map((finding, i) => ({
      kind: 'schema-drift',
      drift: finding,
      explanation: explanations[i],
      message: driftMessage(finding, explanations[i]),
      fix: driftFix(finding, explanations[i]),
    })),
    other: [],
    presence: ledger.presence,
    tablesCompared: new Set([...expected.tables, ...actual.tables].map((table) => table.name)).size,
    foreignTables: [...foreign].sort(),
  };
}

interface Replay {
  /** The applied migrations and the dependencies an inconsistent history lacks, in plan order. */
  readonly keys: readonly NodeKey[];
  readonly state: ProjectState;
  /** Those missing dependencies, each checked against the database where it falls. */
  readonly missing: ReadonlyMap<NodeKey, PresenceResult>;
}

/**
 * The state of the applied migrations. A dependency an inconsistent history lacks is replayed where
 * it falls (so that the applied migrations after it replay) and checked against the database there.
 */
function replayApplied(graph: MigrationGraph, ledger: PresenceLedger): Replay | { readonly failure: string } {
  const appliedKeys = graph.applied();
  const keys = appliedKeys.length ? graph.forwardsPlan(appliedKeys) : [];
  const missing = new Map<NodeKey, PresenceResult>();
  let state = ProjectState.empty();
  try {
    for (const key of keys) {
      if (graph.isApplied(key)) {
        state = applyMigration(state, graph.migration(key));
      } else {
        const result = ledger.check(key, state);
        missing.set(key, result);
        state = result.stateAfter;
      }
    }
  } catch (error) {
    return { failure: error instanceof Error ? error.message : String(error) };
  }
  return { keys, state, missing };
}

/**
 * A missing dependency seems only partly there when what it "lacks" is what the applied migrations
 * after it changed on the same tables (their columns on its table). Judged by the end state, it is
 * there if none of those differences remains.
 */
function settleMissingDependencies(
  graph: MigrationGraph,
  missing: ReadonlyMap<NodeKey, PresenceResult>,
  differences: readonly SchemaFinding[],
  ledger: PresenceLedger,
): void {
  const remaining = new Set(differences.map(findingKey));
  for (const [key, result] of missing) {
    if (result.presence.kind !== 'partial' || [...result.introduced].some((found) => remaining.has(found))) continue;
    ledger.record(key, { kind: 'present', evidence: result.presence.present, runsCode: runsCode(graph.migration(key).operations) }, result.resolved);
  }
}

/**
 * Unapplied migrations whose parents are all applied (or already there) are checked against the
 * database, in plan order: one that is already there may be recorded without running, and then its
 * own children are checked on top of it.
 */
function checkUnapplied(graph: MigrationGraph, pending: readonly NodeKey[], appliedState: ProjectState, ledger: PresenceLedger): void {
  let state = appliedState;
  for (const key of pending) {
    if (!graph.parents(key).every((parent) => graph.isApplied(parent) || ledger.fakeable.has(parent))) continue;
    try {
      const result = ledger.check(key, state);
      if (ledger.fakeable.has(key)) state = result.stateAfter;
    } catch {
      // A migration that does not replay here fails the same way when migrate runs it, with its own error.
    }
  }
}

/**
 * The live schema without the tables of unmanaged models (in the applied state or any later one) and
 * without another project's tables (foreign.ts), which are returned apart.
 */
function withoutOthers(
  live: DatabaseSchema,
  graph: MigrationGraph,
  appliedState: ProjectState,
  applied: ReadonlyMap<NodeKey, AppliedMigration>,
  input: DoctorInput,
): { schema: DatabaseSchema; foreign: Set<string> } {
  const states = [appliedState];
  try {
    states.push(stateAt(graph, null));
  } catch {
    // Unapplied migrations that do not replay are reported by migrate when they run.
  }
  const unmanaged = unmanagedTables(states, input.naming);
  const foreign = foreignTables(live, foreignRows(graph, applied).apps, states, input.naming);
  return { schema: { ...live, tables: live.tables.filter((table) => !unmanaged.has(table.name) && !foreign.has(table.name)) }, foreign };
}

function unappliedText(key: NodeKey, presence: Presence): Pick<UnappliedFinding, 'message' | 'fix'> {
  const target = key.replace('.', ' ');
  switch (presence.kind) {
    case 'absent':
      return { message: `${key} is not applied.`, fix: { text: `Apply it: 'sediment migrate'.` } };
    case 'present':
      return presence.runsCode
        ? {
          message: `${key} is not applied, but its schema is already in the database (${presence.evidence.join('; ')}).`,
          fix: {
            text:
              `It also runs SQL or code, which recording it without running would skip. If that ran too, record it: 'sediment migrate ${target} --fake'; ` +
              'otherwise do that part by hand first.',
          },
        }
        : {
          message: `${key} is not applied, but its schema is already in the database (${presence.evidence.join('; ')}): migrate would fail with "already exists".`,
          fix: { text: `Record it without running it: 'sediment migrate ${target} --fake' ('doctor --fix' does it).`, action: { kind: 'fake', migration: key } },
        };
    case 'partial':
      return {
        message:
          `${key} is not applied, and part of its schema is already in the database (${presence.present.join('; ')}); ` +
          `missing: ${presence.missing.join(' ')} migrate would fail with "already exists", and --fake would leave the rest out.`,
        fix: {
          text:
            `Move the operations whose schema is there into a migration of their own, record that one with --fake, then migrate the rest; ` +
            `or finish the change by hand and record ${key} with 'sediment migrate ${target} --fake'.`,
        },
      };
  }
}

