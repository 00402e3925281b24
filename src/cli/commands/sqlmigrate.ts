import { buildGraph, operationStates, resolveTarget, stateAt } from '../../graph/index.js';
import { nodeKey } from '../../graph/migration.js';
import { databaseBackwards, databaseForwards, describe } from '../../operations/registry.js';
import { Recorder } from '../../recorder/recorder.js';
import type { Output } from '../output.js';
import { editorFactory, loadProjectMigrations } from '../pipeline.js';
import { loadProject, requireApps, withConnection, type GlobalOptions } from '../project.js';
import { ProjectState } from '../../state/project-state.js';
import { UsageError } from '../../errors/index.js';

interface SqlOptions {
  readonly backwards?: boolean;
  readonly json?: boolean;
}

/**
 * `sediment sqlmigrate app name`: the SQL the migration runs, collected by the schema editor without
 * executing anything (the editor may read the catalog to find existing constraint names).
 */
export async function sqlmigrate(output: Output, global: GlobalOptions, app: string, name: string, options: SqlOptions): Promise<number> {
  if (name === 'zero') throw new UsageError("sqlmigrate takes a migration name; 'zero' is not a migration.");
  const project = await loadProject(global);
  requireApps(project, [app]);
  const migrations = await loadProjectMigrations(project);
  return withConnection(project, async (connection) => {
    const applied = await new Recorder(connection, project.historyTable).applied();
    const graph = buildGraph(migrations, applied.keys(), { apps: project.apps.map(([label]) => label) });
    const [, resolved] = resolveTarget(graph, app, name);
    const key = nodeKey(app, resolved!);
    // A migration that a squash replaced is only a node of the graph without replacements.
    const source = graph.has(key) ? graph : graph.withoutReplacements();
    const migration = source.migration(key);
    // The state before the migration: everything it depends on, and nothing else.
    const parents = source.parents(key);
    const stateBefore = parents.length ? stateAt(source, parents) : ProjectState.empty();
    const statements: string[] = [];
    const lines: string[] = [];
    const editor = editorFactory(project, statements)(connection);
    const runCode = async () => {
      statements.push('-- (ops.runCode: code runs here; it has no SQL to show)');
    };
    const states = [...operationStates(stateBefore, migration)];
    const order = options.backwards ? [...states].reverse() : states;
    if (migration.atomic) lines.push('BEGIN;');
    for (const { operation, before: from, after: to } of order) {
      lines.push(`--\n-- ${options.backwards ? 'Undo ' : ''}${describe(operation)}\n--`);
      const start = statements.length;
      const ctx = { editor, app: migration.app, from, to, runCode };
      if (options.backwards) await databaseBackwards(ctx, operation);
      else await databaseForwards(ctx, operation);
      lines.push(...statements.slice(start));
      if (statements.length === start) lines.push('-- (no SQL to execute)');
    }
    if (migration.atomic) lines.push('COMMIT;');
    if (options.json) output.json({ migration: nodeKey(migration.app, migration.name), backwards: options.backwards === true, sql: statements });
    else for (const line of lines) output.line(line);
    return 0;
  }, {
    readOnly: true,
    warn: (message) => output.warn(message),
    // A SQL comment, so the output still pipes into psql as it is.
    announce: (target) => output.line(`-- Database: ${target}`),
  });
}
