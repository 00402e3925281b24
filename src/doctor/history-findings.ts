import type { MigrationGraph } from '../graph/graph.js';
import type { NodeKey } from '../graph/migration.js';
import { nodeKey } from '../graph/migration.js';
import type { AppliedMigration } from '../recorder/recorder.js';
import { analyseConflict } from './branches.js';
import { editedMigrations, editedSummary, ghostRows } from './history.js';
import { runsCode } from './touched.js';
import type { DriftFinding, Finding, Presence } from './types.js';

/**
 * The findings about the history and the files: conflicts, inconsistent history, rows without a file.
 * Edited migrations come back separately, to be told (withDatabaseMatch) whether the database has what
 * the edit says once the schema has been compared.
 */
export function historyFindings(graph: MigrationGraph, applied: ReadonlyMap<NodeKey, AppliedMigration>, displayPath: (file: string) => string) {
  const findings: Finding[] = [];
  for (const [app, leaves] of Object.entries(graph.conflicts())) {
    const analysis = analyseConflict(graph, app);
    const how = analysis.disjoint
      ? 'The branches change different models, so a merge migration is safe.'
      : analysis.overlaps.length
        ? `The branches both change ${[...new Set(analysis.overlaps.map((o) => o.subject))].join(', ')}: check the merged result.`
        : 'A branch runs raw SQL or code, whose effect Sediment cannot compare: check the merged result.';
    findings.push({
      kind: 'conflict',
      app,
      leaves,
      disjoint: analysis.disjoint,
      message: `App ${app} has ${leaves.length} leaf migrations (${leaves.join(', ')}): the history branched. ${how}`,
      fix: { text: `Write a merge migration: 'sediment makemigrations --merge ${app}'.` },
    });
  }
  for (const { migration, dependency } of graph.inconsistencies()) {
    findings.push({
      kind: 'inconsistent-history',
      migration,
      dependency,
      message: `${migration} is applied, but its dependency ${dependency} is not (migrate refuses to run until this is fixed).`,
      fix: {
        text:
          `If the changes of ${dependency} are in the database, record it: 'sediment migrate ${dependency.replace('.', ' ')} --fake'. ` +
          `Otherwise run its SQL by hand ('sediment sqlmigrate ${dependency.replace('.', ' ')}') and then record it the same way.`,
      },
    });
  }
  for (const row of ghostRows(graph, applied)) {
    const migration = nodeKey(row.app, row.name);
    findings.push({
      kind: 'missing-file',
      migration,
      appliedAt: row.appliedAt.toISOString(),
      message: `${migration} is recorded as applied (${row.appliedAt.toISOString().slice(0, 16).replace('T', ' ')}), but its file is missing.`,
      fix: {
        text:
          "If it was deleted on purpose (it is in no squash's replaces), remove the row: 'sediment migrate --prune' ('doctor --fix' does it). " +
          'If it was deleted by mistake, restore the file (e.g. from git) instead.',
        action: { kind: 'prune', migration },
      },
    });
  }
  const editedFindings = editedMigrations(graph, applied).map((edited) => ({
    migration: nodeKey(edited.migration.app, edited.migration.name),
    file: edited.migration.file,
    runsCode: runsCode(edited.migration.operations),
    summary: editedSummary({ ...edited, migration: { ...edited.migration, file: displayPath(edited.migration.file) } }),
  }));
  return { findings, editedFindings };
}

/**
 * An edited migration's finding says whether the database has what the edited file describes. The
 * comparison is of the schema only: for a migration that runs SQL or code (runSql / runCode) a match
 * says nothing about the rows it wrote, so the finding says that instead, and accepting the edit is
 * offered only to someone who checked the data (issue 8, finding 9).
 */
export function withDatabaseMatch(
  edited: readonly { migration: NodeKey; file: string; summary: string; runsCode: boolean }[],
  drift: readonly DriftFinding[],
): Finding[] {
  return edited.map(({ migration, file, summary, runsCode }) => {
    const mismatches = drift.filter((d) => d.explanation.kind === 'set-by' && d.explanation.migration === migration);
    const matches = mismatches.length === 0;
    const renames = likelyRenames(mismatches, drift);
    const common = { kind: 'edited', migration, file, matchesDatabase: matches, runsCode } as const;
    if (matches && runsCode) {
      return {
        ...common,
        message:
          `${summary}. Its schema matches the database, but it runs SQL or code (runSql / runCode), and what that did to the rows no schema ` +
          'check can see: if the edit is in that part, the rows still hold what the old version wrote (an applied migration never runs again).',
        fix: {
          text:
            'Undo the edit (e.g. git checkout the file) and write the change as a new migration (a data change: a new ops.runSql / ops.runCode). ' +
            `Only if you have checked the data yourself and it is what the edited file would write, re-record its checksum: 'sediment doctor --fix --accept-edited' (or 'sediment migrate --allow-edited').`,
          action: { kind: 'rerecord', migration, rowsUnchecked: true },
        },
      } satisfies Finding;
    }
    return {
      ...common,
      message: matches
        ? `${summary}. The database has what the edited file describes.`
        : `${summary}. The database does not have what the edited file describes (${mismatches.length} schema difference${mismatches.length === 1 ? '' : 's'} below)` +
          `${renames.length ? `: it has ${renames.join(', ')} — a rename made in the file only` : ''}.`,
      fix: matches
        ? {
          text: `If the edit is intended, re-record its checksum: 'sediment doctor --fix --accept-edited' (or 'sediment migrate --allow-edited'); otherwise undo the edit.`,
          action: { kind: 'rerecord', migration },
        }
        : {
          text:
            'An applied migration never runs again, so the edit (e.g. a search-and-replace rename) never reached the database. ' +
            'Undo the edit (e.g. git checkout the file), and write the change as a new migration (for a rename: makemigrations --rename-field app.Model.old=new).',
        },
    } satisfies Finding;
  });
}

/**
 * "column t.type where the file says t.type_name": a column the edited migration expects that is
 * missing, next to an unexplained extra column of the same table and definition.
 */
function likelyRenames(mismatches: readonly DriftFinding[], drift: readonly DriftFinding[]): string[] {
  const out: string[] = [];
  for (const { drift: missing } of mismatches) {
    if (missing.kind !== 'missing-column') continue;
    const extra = drift.find(({ drift: d, explanation }) =>
      d.kind === 'extra-column' && d.table === missing.table && explanation.kind === 'none' &&
      d.actual.type === missing.expected.type && d.actual.nullable === missing.expected.nullable);
    if (extra && extra.drift.kind === 'extra-column') {
      out.push(`column ${missing.table}.${extra.drift.column} where the file says ${missing.table}.${missing.column}`);
    }
  }
  return out;
}

/** An inconsistency whose missing dependency is already in the database is fixed by recording it. */
export function withInconsistencyFixes(findings: readonly Finding[], presence: ReadonlyMap<NodeKey, Presence>): Finding[] {
  return findings.map((finding) => {
    if (finding.kind !== 'inconsistent-history') return finding;
    const found = presence.get(finding.dependency);
    if (found?.kind !== 'present' || found.runsCode) return finding;
    return {
      ...finding,
      fix: {
        text: `The schema of ${finding.dependency} is already in the database: record it without running it: 'sediment migrate ${finding.dependency.replace('.', ' ')} --fake' ('doctor --fix' does it).`,
        action: { kind: 'fake', migration: finding.dependency },
      },
    };
  });
}
