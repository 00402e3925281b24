/** The graph module: build the migration graph, plan migrate runs, and compute states along the way. */
export type { Migration, NodeKey, NodeRef } from './migration.js';
export { nodeKey } from './migration.js';
export { buildGraph, MigrationGraph } from './graph.js';
export type { GraphOptions, Inconsistency } from './graph.js';
export type { SquashDecision, SquashOutcome } from './replacements.js';
export { resolveTarget, targetsFor, migrationPlan, checkReversible, planDirection, InvalidMigrationPlanError } from './planner.js';
export type { MigrateTarget, PlanStep } from './planner.js';
export { stateAt, applyMigration, operationStates, planStates } from './state-at.js';
export type { StateAtOptions, OperationStates, PlanStepWithStates, PlanStatesOptions } from './state-at.js';
