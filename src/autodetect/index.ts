export { detectChanges } from './detect.js';
export { arrangeChanges, suggestName, parseNumber } from './arrange.js';
export type { Changes, PlannedMigration, PlannedDependency, DetectOptions, ArrangedMigration } from './types.js';
