import { quoteName } from '../backends/postgres/sql.js';
import type { SchemaFinding } from '../schema/compare.js';
import type { CheckSchema, ForeignKeySchema, IndexSchema, ReferentialAction, UniqueSchema } from '../schema/types.js';
import type { Explanation, Fix } from './types.js';

/**
 * The words of a schema-drift finding: what differs, which migration explains it, and what to do.
 * Fixes for drift are never applied by `doctor --fix`: putting a column back or changing a type is a
 * decision about data, so doctor gives the SQL and the migration-side alternative, and the person
 * chooses.
 */
export function driftMessage(finding: SchemaFinding, explanation: Explanation): string {
  if (isExtra(finding)) {
    const base = finding.message.replace(/ but no migration (adds|creates) it\.$/, '');
    const verb = finding.kind === 'extra-table' ? 'creates' : 'adds';
    switch (explanation.kind) {
      case 'removed-by':
        return `${base}, though ${explanation.migration} removed it.`;
      case 'unapplied':
        return `${base}: no applied migration ${verb} it, but the unapplied ${explanation.migration} does.`;
      default:
        return `${base}, but no applied migration ${verb} it${perhaps(explanation)}.`;
    }
  }
  const base = finding.message.replace(/\.$/, '');
  switch (explanation.kind) {
    case 'set-by':
      return `${base} (${setByVerb(finding)} ${explanation.migration}${explanation.edited ? ', which was edited after it was applied' : ''}).`;
    case 'unapplied':
      return `${base}: the database already looks as it will after the unapplied ${explanation.migration}.`;
    default:
      return `${base}.`;
  }
}

function perhaps(explanation: Explanation): string {
  if (explanation.kind !== 'none') return '';
  const maybe = [
    ...(explanation.missingFiles.length ? [`one whose file is missing (${explanation.missingFiles.join(', ')})`] : []),
    ...(explanation.edited.length ? [`the original content of ${explanation.edited.join(', ')}, edited after it was applied`] : []),
  ];
  return maybe.length ? ` (perhaps ${maybe.join(', or ')})` : '';
}

function setByVerb(finding: SchemaFinding): string {
  switch (finding.kind) {
    case 'missing-table':
      return 'created by';
    case 'missing-column':
    case 'missing-index':
    case 'missing-foreign-key':
    case 'missing-constraint':
      return 'added by';
    default:
      return 'set by';
  }
}

const isExtra = (finding: SchemaFinding) => finding.kind.startsWith('extra-');

const NEVER_DROPS = 'doctor never drops anything';

export function driftFix(finding: SchemaFinding, explanation: Explanation): Fix {
  if (explanation.kind === 'unapplied') {
    return {
      text: `The database already has this part of ${explanation.migration}: see that migration's finding (migrate would fail with "already exists").`,
    };
  }
  if (explanation.kind === 'set-by' && explanation.edited) {
    return {
      text:
        `${explanation.migration} was edited after it was applied, and the edit never reached the database: undo the edit ` +
        '(see its finding) rather than changing the database.',
    };
  }
  const migration = explanation.kind === 'set-by' || explanation.kind === 'removed-by' ? explanation.migration : undefined;
  const orModels = 'or change the models to match the database, run makemigrations, and record that migration without running it (migrate … --fake)';
  const t = quoteName(finding.table);
  switch (finding.kind) {
    case 'missing-table':
      return {
        text:
          `It was dropped outside migrations${migration ? `, or ${migration} was faked` : ''}. Re-create it with the CREATE TABLE of ` +
          `'sediment sqlmigrate ${migration ? migration.replace('.', ' ') : '<app> <migration>'}', or, if the model is gone for good, delete it from the models, ` +
          'run makemigrations and record that migration with --fake.',
      };
    case 'missing-column': {
      const column = finding.expected;
      const sql = `ALTER TABLE ${t} ADD COLUMN ${quoteName(column.name)} ${column.type}${column.default ? ` DEFAULT ${column.default}` : ''}`;
      return {
        text:
          `It was dropped outside migrations${migration ? `, or ${migration} was faked` : ''}. Put it back: ${sql}` +
          `${column.nullable ? '' : ' (then fill it and SET NOT NULL)'}; or, if the field is gone for good, remove it from the models, run makemigrations ` +
          'and record that migration with --fake.',
      };
    }
    case 'extra-table':
    case 'extra-column':
    case 'extra-index':
    case 'extra-foreign-key':
    case 'extra-constraint': {
      const what = finding.kind === 'extra-table' ? 'model' : finding.kind === 'extra-column' ? 'field' : 'index or constraint';
      if (explanation.kind === 'none' && explanation.edited.length > 0) {
        return { text: `Probably made by ${explanation.edited.join(', ')} before it was edited: undo the edit (see its finding).` };
      }
      const how = explanation.kind === 'removed-by'
        ? `${explanation.migration} was faked, or it was made again by hand.`
        : 'It was made by hand, or by a migration whose file is gone.';
      return {
        text:
          `${how} To keep it, declare the ${what} in the models, run makemigrations and record that migration without running it ` +
          `('doctor --fix' does, as its schema is then already there); if nothing uses it, drop it yourself (${NEVER_DROPS}).`,
      };
    }
    case 'type-mismatch':
      return { text: `Changed outside migrations. Change it back: ALTER TABLE ${t} ALTER COLUMN ${quoteName(finding.column)} TYPE ${finding.expected}; ${orModels}.` };
    case 'nullability-mismatch':
      return {
        text: `Changed outside migrations. Change it back: ALTER TABLE ${t} ALTER COLUMN ${quoteName(finding.column)} ${finding.expected ? 'DROP' : 'SET'} NOT NULL; ${orModels}.`,
      };
    case 'default-mismatch':
      return {
        text:
          `Changed outside migrations. Change it back: ALTER TABLE ${t} ALTER COLUMN ${quoteName(finding.column)} ` +
          `${finding.expected === null ? 'DROP DEFAULT' : `SET DEFAULT ${finding.expected}`}; ${orModels}.`,
      };
    case 'missing-index':
      return { text: `Dropped outside migrations. Re-create it: ${createIndexSql(finding.table, finding.expected, false)}.` };
    case 'missing-foreign-key':
      return { text: `Dropped outside migrations. Re-create it: ${foreignKeySql(finding.table, finding.expected)}.` };
    case 'missing-constraint':
      return { text: `Dropped outside migrations. Re-create it: ${constraintSql(finding.table, finding.expected)}.` };
    case 'name-mismatch': {
      // Renaming an index also renames the unique constraint it backs.
      const rename = finding.object === 'index' || finding.object === 'unique'
        ? `ALTER INDEX ${quoteName(finding.actual)} RENAME TO ${quoteName(finding.expected)}`
        : `ALTER TABLE ${t} RENAME CONSTRAINT ${quoteName(finding.actual)} TO ${quoteName(finding.expected)}`;
      return { text: `Renamed outside migrations. Rename it back: ${rename}.` };
    }
    default:
      return { text: `Changed outside migrations. Make the database match the migrations again by hand (drop and re-create it as expected); ${orModels}.` };
  }
}

function createIndexSql(table: string, index: IndexSchema | UniqueSchema, unique: boolean): string {
  const method = 'method' in index && index.method !== 'btree' ? ` USING ${index.method}` : '';
  const where = index.condition ? ` WHERE ${index.condition}` : '';
  const columns = index.columns.map((c) => (/^[a-z_][a-z0-9_$]*$/i.test(c) ? quoteName(c) : c)).join(', ');
  return `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${quoteName(index.name)} ON ${quoteName(table)}${method} (${columns})${where}`;
}

const ACTION_SQL: Record<ReferentialAction, string> = {
  'no-action': 'NO ACTION', restrict: 'RESTRICT', cascade: 'CASCADE', 'set-null': 'SET NULL', 'set-default': 'SET DEFAULT',
};

function foreignKeySql(table: string, fk: ForeignKeySchema): string {
  const deferral = fk.deferrable ? (fk.initiallyDeferred ? ' DEFERRABLE INITIALLY DEFERRED' : ' DEFERRABLE') : '';
  return (
    `ALTER TABLE ${quoteName(table)} ADD CONSTRAINT ${quoteName(fk.name)} FOREIGN KEY (${fk.columns.map(quoteName).join(', ')}) ` +
    `REFERENCES ${quoteName(fk.referencedTable)} (${fk.referencedColumns.map(quoteName).join(', ')}) ON DELETE ${ACTION_SQL[fk.onDelete]}${deferral}`
  );
}

function constraintSql(table: string, constraint: UniqueSchema | CheckSchema): string {
  if ('expression' in constraint) return `ALTER TABLE ${quoteName(table)} ADD CONSTRAINT ${quoteName(constraint.name)} CHECK (${constraint.expression})`;
  if (constraint.form === 'index' || constraint.condition !== null) return createIndexSql(table, constraint, true);
  return `ALTER TABLE ${quoteName(table)} ADD CONSTRAINT ${quoteName(constraint.name)} UNIQUE (${constraint.columns.map(quoteName).join(', ')})`;
}
