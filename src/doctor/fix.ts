import type { Connection } from '../backends/base/connection.js';
import { executePlan, type ExecutorDeps } from '../executor/executor.js';
import type { MigrationGraph } from '../graph/graph.js';
import type { NodeKey } from '../graph/migration.js';
import type { Recorder } from '../recorder/recorder.js';
import { ProjectState } from '../state/project-state.js';
import { resetSequences } from './sequences.js';
import type { Finding, FixAction, Report } from './types.js';

/**
 * `doctor --fix`: the safe fixes, planned from a report and then applied. Safe means that nothing in
 * the database is dropped or rewritten — only the history and the sequences change:
 * - prune: delete a history row whose file is gone (migrate --prune);
 * - fake: record as applied a migration whose schema the database already has (migrate --fake);
 * - rerecord: store the new checksum of an edited migration — only when asked (`--accept-edited`),
 *   and only when the schema matches the edited file (for one that runs SQL or code, the rows are
 *   the asker's to have checked);
 * - reset-sequence: move a key sequence past its table's largest key (sequences --reset).
 */
export interface PlannedFix {
  readonly action: FixAction;
  /** One line for people: what will be done and why. */
  readonly description: string;
}

export interface FixPlan {
  readonly fixes: readonly PlannedFix[];
  /** Findings with an action that was not planned, and why. */
  readonly held: readonly { readonly finding: Finding; readonly reason: string }[];
}

export interface PlanOptions {
  /** Re-record the checksums of edited migrations that match the database. */
  readonly acceptEdited: boolean;
}

const ORDER: readonly FixAction['kind'][] = ['prune', 'fake', 'rerecord', 'reset-sequence'];

/** The fixes to apply, in the order they run: prune, fake (in plan order), rerecord, reset. */
export function planFixes(report: Report, options: PlanOptions): FixPlan {
  const fixes: PlannedFix[] = [];
  const held: { finding: Finding; reason: string }[] = [];
  const seen = new Set<string>();
  for (const finding of report.findings) {
    const action = finding.fix.action;
    if (!action) continue;
    if (action.kind === 'rerecord' && !options.acceptEdited) {
      held.push({ finding, reason: `accepting the edit of ${action.migration} is your decision: add --accept-edited` });
      continue;
    }
    const id = actionId(action);
    if (seen.has(id)) continue;
    seen.add(id);
    fixes.push({ action, description: describeAction(action) });
  }
  // Findings come in plan order, so fakes stay in plan order: a migration is recorded after its parents.
  const sorted = fixes.map((fix, i) => ({ fix, i })).sort((a, b) => ORDER.indexOf(a.fix.action.kind) - ORDER.indexOf(b.fix.action.kind) || a.i - b.i);
  return { fixes: sorted.map(({ fix }) => fix), held };
}

function actionId(action: FixAction): string {
  return action.kind === 'reset-sequence' ? `${action.kind}:${action.sequence.sequence}` : `${action.kind}:${action.migration}`;
}

export function describeAction(action: FixAction): string {
  switch (action.kind) {
    case 'prune':
      return `Remove the history row of ${action.migration} (its file is missing).`;
    case 'fake':
      return `Record ${action.migration} as applied without running it (its schema is already in the database).`;
    case 'rerecord':
      return action.rowsUnchecked
        ? `Re-record the checksum of ${action.migration} (edited after it was applied; the schema matches it, but what its SQL or code did to the rows was not checked: you accepted that).`
        : `Re-record the checksum of ${action.migration} (edited after it was applied; the database has what it describes).`;
    case 'reset-sequence':
      return `Reset ${action.sequence.sequence} past the largest ${action.sequence.table}.${action.sequence.column} (${action.sequence.maxKey}); it would hand out ${action.sequence.nextValue}.`;
  }
}

export interface FixDeps {
  readonly connection: Connection;
  readonly recorder: Recorder;
  /** The graph the report was made from. */
  readonly graph: MigrationGraph;
  readonly executor: Omit<ExecutorDeps, 'connection' | 'recorder'>;
  /** Told after each fix, with what was done. */
  readonly onFixed?: (fix: PlannedFix, result: string) => void;
}

/** Applies the planned fixes in order. The caller holds the migrate lock. */
export async function applyFixes(plan: FixPlan, deps: FixDeps): Promise<void> {
  for (const fix of plan.fixes) {
    const { action } = fix;
    switch (action.kind) {
      case 'prune': {
        const [app, name] = split(action.migration);
        await deps.recorder.recordUnapplied(app, name);
        deps.onFixed?.(fix, `Removed the history row of ${action.migration}.`);
        break;
      }
      case 'fake': {
        // Through the executor, which records a squash together with the migrations it replaces (as
        // migrate --fake does). A fake never reads the state, so none is computed.
        const step = { migration: deps.graph.migration(action.migration), backwards: false, stateBefore: ProjectState.empty() };
        await executePlan([step], { ...deps.executor, connection: deps.connection, recorder: deps.recorder }, { fake: true });
        deps.onFixed?.(fix, `Recorded ${action.migration} as applied without running it.`);
        break;
      }
      case 'rerecord': {
        const migration = deps.graph.findLoaded(action.migration);
        if (!migration) break;
        await deps.recorder.recordApplied(migration.app, migration.name, migration.checksum);
        deps.onFixed?.(fix, `Re-recorded the checksum of ${action.migration}.`);
        break;
      }
      case 'reset-sequence': {
        const [result] = await resetSequences(deps.connection, [action.sequence]);
        deps.onFixed?.(fix, `Reset ${action.sequence.sequence}: the next ${action.sequence.column} is ${result.nextValue}.`);
        break;
      }
    }
  }
}

function split(key: NodeKey): [string, string] {
  const dot = key.indexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}
