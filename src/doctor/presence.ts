import type { Migration } from '../graph/migration.js';
import { applyMigration } from '../graph/state-at.js';
import { compareSchemas, type SchemaFinding } from '../schema/compare.js';
import type { DatabaseSchema, TableSchema } from '../schema/types.js';
import type { Naming } from '../state/names.js';
import type { ProjectState } from '../state/project-state.js';
import { findingKey } from './explain.js';
import { restrictSchema, schemaOf, TableSchemas } from './schema-of-state.js';
import { runsCode, touchedTables } from './touched.js';
import type { Presence } from './types.js';

/**
 * How much of an unapplied migration's schema the database already has — seed 002's "column ...
 * already exists": a migration file was deleted after it ran and made again under another name, or
 * the change was made by hand. The expected schemas of the tables the migration changes are taken
 * before and after it and compared with the live ones:
 * - differences the migration resolves (the database already looks as it will after it) are what is
 *   present;
 * - differences it introduces (the database does not have what it will add) are what is missing.
 * All resolved and none introduced: present. Some of each: partial. None resolved: absent.
 * Differences on those tables that the migration neither resolves nor introduces are someone else's.
 */
export interface PresenceResult {
  readonly presence: Presence;
  /** The state with the migration applied. */
  readonly stateAfter: ProjectState;
  /** The differences it resolves (findingKey), so a present migration's are not reported twice. */
  readonly resolved: ReadonlySet<string>;
  /** The differences it introduces (findingKey): what the database lacks of it. */
  readonly introduced: ReadonlySet<string>;
}

export function migrationPresence(
  migration: Migration,
  stateBefore: ProjectState,
  actual: DatabaseSchema,
  naming: Naming,
  tableSchemas = new TableSchemas(naming),
): PresenceResult {
  const stateAfter = applyMigration(stateBefore, migration);
  const candidates = touchedTables(stateBefore, stateAfter, naming);
  const before = tableSchemas.of(stateBefore, candidates);
  const after = tableSchemas.of(stateAfter, candidates);
  // Tables whose expected schema the migration really changes (an options-only change does not).
  const tables = new Set([...candidates].filter((table) => !sameTable(before.get(table), after.get(table))));
  if (tables.size === 0) return { presence: { kind: 'absent' }, stateAfter, resolved: new Set(), introduced: new Set() };
  const live = restrictSchema(actual, tables);
  const beforeFindings = compareSchemas(schemaOf(before.values()), live).filter((f) => tables.has(f.table));
  const afterFindings = compareSchemas(schemaOf(after.values()), live).filter((f) => tables.has(f.table));
  const afterKeys = new Set(afterFindings.map(findingKey));
  const beforeKeys = new Set(beforeFindings.map(findingKey));
  const resolved = beforeFindings.filter((f) => !afterKeys.has(findingKey(f)));
  const introduced = afterFindings.filter((f) => !beforeKeys.has(findingKey(f)));
  const result = (presence: Presence): PresenceResult => ({
    presence,
    stateAfter,
    resolved: new Set(resolved.map(findingKey)),
    introduced: new Set(introduced.map(findingKey)),
  });
  if (resolved.length === 0) return result({ kind: 'absent' });
  const present = resolved.map(evidence);
  if (introduced.length === 0) return result({ kind: 'present', evidence: present, runsCode: runsCode(migration.operations) });
  return result({ kind: 'partial', present, missing: introduced.map((f) => f.message) });
}

function sameTable(a: TableSchema | undefined, b: TableSchema | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** What a resolved difference says is already in the database, in the migration's terms. */
function evidence(finding: SchemaFinding): string {
  switch (finding.kind) {
    case 'extra-table':
      return `table ${finding.table} exists`;
    case 'extra-column':
      return `column ${finding.table}.${finding.column} exists`;
    case 'missing-table':
      return `table ${finding.table} is already gone`;
    case 'missing-column':
      return `column ${finding.table}.${finding.column} is already gone`;
    case 'extra-index':
      return `index ${finding.name} on ${finding.table} exists`;
    case 'extra-constraint':
      return `${finding.constraint} constraint ${finding.name} on ${finding.table} exists`;
    case 'extra-foreign-key':
      return `foreign key ${finding.name} on ${finding.table} exists`;
    case 'missing-index':
      return `index ${finding.name} on ${finding.table} is already gone`;
    case 'missing-constraint':
      return `${finding.constraint} constraint ${finding.name} on ${finding.table} is already gone`;
    case 'missing-foreign-key':
      return `foreign key ${finding.name} on ${finding.table} is already gone`;
    case 'type-mismatch':
      return `column ${finding.table}.${finding.column} is already ${finding.actual}`;
    case 'nullability-mismatch':
      return `column ${finding.table}.${finding.column} is already ${finding.actual ? 'NULL' : 'NOT NULL'}`;
    default:
      return `${finding.message.replace(/;.*$/, '').replace(/\.$/, '')} (as the migration makes it)`;
  }
}
