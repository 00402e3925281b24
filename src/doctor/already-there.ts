import type { Backend } from '../backends/base/backend.js';
import type { Connection } from '../backends/base/connection.js';
import type { Migration, NodeKey } from '../graph/migration.js';
import { nodeKey } from '../graph/migration.js';
import type { Naming } from '../state/names.js';
import type { ProjectState } from '../state/project-state.js';
import { migrationPresence } from './presence.js';

/** True if a driver error (or the cause of a wrapped one) says that something already exists. */
export function isAlreadyExists(error: unknown, backend: Backend): boolean {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if (backend.classifyError(current)?.kind === 'already-exists') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export interface AlreadyThereInput {
  readonly migration: Migration;
  readonly stateBefore: ProjectState;
  readonly connection: Connection;
  readonly naming: Naming;
  readonly historyTable: string;
  /** History rows of the same project whose file is missing. */
  readonly missingFiles: readonly NodeKey[];
}

/**
 * Seed 002's "column ... already exists", explained: after a migration failed because something it
 * creates exists, looks at how much of it the database has, and says what to do — record it without
 * running it when all of it is there, split it when only part is. Undefined when the database has none
 * of it (the name is taken by something else), so the generic hint stands.
 */
export async function alreadyThereHint(input: AlreadyThereInput): Promise<string | undefined> {
  const { migration } = input;
  const id = nodeKey(migration.app, migration.name);
  const target = `${migration.app} ${migration.name}`;
  const actual = await input.connection.backend.introspect(input.connection, { exclude: [input.historyTable] });
  const { presence } = migrationPresence(migration, input.stateBefore, actual, input.naming);
  const ghosts = input.missingFiles.filter((key) => key.startsWith(`${migration.app}.`));
  const ghostNote = ghosts.length
    ? ` ${ghosts.join(', ')} ${ghosts.length === 1 ? 'is' : 'are'} recorded as applied but ${ghosts.length === 1 ? 'its file is' : 'their files are'} missing: ` +
      "probably the deleted migration that made these changes; remove the row with 'sediment migrate --prune'."
    : '';
  switch (presence.kind) {
    case 'absent':
      return undefined;
    case 'present':
      // Raw SQL and code change rows, which no schema check sees: recording them unrun is only for
      // someone who has checked the rows (issue 8, finding 8: a hint records only what is verifiably there).
      return presence.runsCode
        ? `The schema is already there: the database has everything ${id} creates (${presence.evidence.join('; ')}) — a migration file was ` +
          `deleted and made again, or the change was made by hand. But ${id} also runs SQL or code, whose effect on the rows no schema ` +
          `check can see: only if you have checked that it ran too, record the migration without running it ('sediment migrate ${target} --fake'); ` +
          `otherwise run that part by hand first.${ghostNote}`
        : `The schema is already there: the database has everything ${id} creates (${presence.evidence.join('; ')}) — a migration file was ` +
          `deleted and made again, or the change was made by hand. Record it without running it: 'sediment migrate ${target} --fake', ` +
          `or let 'sediment doctor --fix' do it.${ghostNote}`;
    case 'partial':
      return (
        `The database already has part of what ${id} creates (${presence.present.join('; ')}), but not all of it (missing: ${presence.missing.join(' ')}) ` +
        `so --fake alone would leave that out. Move the operations whose schema is there into a migration of their own and record it with ` +
        `'sediment migrate … --fake', then migrate the rest; 'sediment doctor' shows the details.${ghostNote}`
      );
  }
}
