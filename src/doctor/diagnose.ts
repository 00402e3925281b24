import type { Connection } from '../backends/base/connection.js';
import { SedimentError } from '../errors/index.js';
import { buildGraph, type MigrationGraph } from '../graph/graph.js';
import type { Migration } from '../graph/migration.js';
import { Recorder } from '../recorder/recorder.js';
import type { Naming } from '../state/names.js';
import { foreignRows } from './history.js';
import { historyFindings, withDatabaseMatch, withInconsistencyFixes } from './history-findings.js';
import { schemaFindings } from './schema-findings.js';
import { describeSequence, keySequences } from './sequences.js';
import type { Finding, Report } from './types.js';

/** What doctor needs; the CLI wires the real ones. */
export interface DoctorInput {
  readonly migrations: readonly Migration[];
  /** The project's app labels, in config order. */
  readonly apps: readonly string[];
  readonly connection: Connection;
  readonly naming: Naming;
  readonly historyTable: string;
  /** How to show a file's path in messages (the CLI: relative to the current folder). Default: as is. */
  readonly displayPath?: (file: string) => string;
}

/**
 * Compares the recorded history, the migration files and the live database, and says what disagrees
 * and what to do about it (SPEC §6 `doctor`). Reads only; fix.ts applies the safe fixes.
 *
 * @example
 * const report = await diagnose({ migrations, apps: ['shop'], connection, naming: new Naming(), historyTable: 'sediment_migrations' });
 * for (const finding of report.findings) console.log(finding.message, '->', finding.fix.text);
 */
export async function diagnose(input: DoctorInput): Promise<Report> {
  const applied = await new Recorder(input.connection, input.historyTable).applied();
  const sequences = await keySequences(input.connection);
  const sequenceFindings: Finding[] = sequences.filter((s) => s.behind).map((sequence) => ({
    kind: 'sequence-behind',
    sequence,
    message: describeSequence(sequence),
    fix: { text: `Move it past the largest key: 'sediment sequences --reset' ('doctor --fix' does it).`, action: { kind: 'reset-sequence', sequence } },
  }));
  let graph: MigrationGraph;
  try {
    graph = buildGraph(input.migrations, applied.keys(), { apps: input.apps });
  } catch (error) {
    if (!(error instanceof SedimentError)) throw error;
    const finding: Finding = {
      kind: 'broken-graph',
      code: error.code,
      message: `The migration files do not form a history: ${error.message}`,
      fix: { text: error.hint ?? 'Fix the migration files, then run doctor again.' },
    };
    return {
      findings: [finding, ...sequenceFindings],
      summary: {
        migrations: input.migrations.length,
        applied: applied.size,
        tablesCompared: null,
        sequences: sequences.length,
        foreign: { apps: [], rows: 0, tables: [] },
      },
    };
  }
  const history = historyFindings(graph, applied, input.displayPath ?? ((file) => file));
  const schema = await schemaFindings(graph, applied, input);
  const findings = [
    ...history.findings,
    ...schema.unapplied,
    ...withDatabaseMatch(history.editedFindings, schema.drift),
    ...schema.other,
    ...schema.drift,
    // Another project's sequences are its own to reset.
    ...sequenceFindings.filter((f) => f.kind !== 'sequence-behind' || !schema.foreignTables.includes(f.sequence.table)),
  ];
  return {
    findings: withInconsistencyFixes(findings, schema.presence),
    summary: {
      migrations: graph.size,
      applied: graph.applied().length,
      tablesCompared: schema.tablesCompared,
      sequences: sequences.length,
      foreign: { ...foreignRows(graph, applied), tables: schema.foreignTables },
    },
  };
}
