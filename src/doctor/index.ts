/**
 * The doctor: the recorded history, the migration files and the live database, compared; what
 * disagrees, which migration explains it, and the fix. Also key sequences (seed 004) and the branches
 * of a forked history (makemigrations --merge).
 *
 * @example
 * const report = await diagnose({ migrations, apps, connection, naming, historyTable });
 * const plan = planFixes(report, { acceptEdited: false });
 * await applyFixes(plan, { connection, recorder, graph, executor: { createEditor, naming } });
 */
export { diagnose } from './diagnose.js';
export type { DoctorInput } from './diagnose.js';
export { planFixes, applyFixes, describeAction } from './fix.js';
export type { FixPlan, PlannedFix, PlanOptions, FixDeps } from './fix.js';
export { ghostRows, foreignRows, foreignSummary, editedMigrations, editedSummary, unappliedNodes } from './history.js';
export type { EditedMigration, ForeignHistory } from './history.js';
export { keySequences, resetSequences, resetSql, describeSequence } from './sequences.js';
export type { KeySequence, SequenceOptions } from './sequences.js';
export { tablesTouchedBy, touchedTables, runsCode } from './touched.js';
export { migrationPresence } from './presence.js';
export { alreadyThereHint, isAlreadyExists } from './already-there.js';
export { analyseConflict } from './branches.js';
export type { ConflictAnalysis, Branch, Overlap, BranchOperation } from './branches.js';
export type * from './types.js';
export { interruptedHint, checkOperations } from './interrupted.js';
export type { CheckedOperation, OperationCheck } from './interrupted.js';
