import { ghostRows } from '../../doctor/history.js';
import { buildGraph } from '../../graph/index.js';
import { Recorder } from '../../recorder/recorder.js';
import type { Output } from '../output.js';
import { loadProjectMigrations } from '../pipeline.js';
import { announceTarget, loadProject, requireApps, withConnection, type GlobalOptions } from '../project.js';

interface ShowOptions {
  readonly plan?: boolean;
  readonly json?: boolean;
}

/** `sediment showmigrations [app…]`: `[X]`/`[ ]` per migration per app, or `--plan` for the global order. */
export async function showmigrations(output: Output, global: GlobalOptions, apps: string[], options: ShowOptions): Promise<number> {
  const project = await loadProject(global);
  requireApps(project, apps);
  const labels = project.apps.map(([label]) => label);
  const migrations = await loadProjectMigrations(project);
  const applied = await withConnection(project, (connection) => new Recorder(connection, project.historyTable).applied(), {
    readOnly: true,
    warn: (message) => output.warn(message),
    announce: announceTarget(output),
  });
  const graph = buildGraph(migrations, applied.keys(), { apps: labels });
  const shown = apps.length ? apps : labels;

  // Applied rows whose file is gone: shown so that a deleted migration file is never silent (seed 002).
  // A row that a squash's `replaces` lists is not one: the squash stands for it.
  const ghosts = ghostRows(graph, applied).filter((row) => shown.includes(row.app));

  if (options.plan) {
    const order = graph.order().filter((key) => shown.includes(graph.migration(key).app));
    if (options.json) {
      output.json(order.map((key) => ({ migration: key, applied: graph.isApplied(key), dependencies: graph.parents(key) })));
      return 0;
    }
    for (const key of order) {
      const deps = graph.parents(key);
      const mark = graph.isApplied(key) ? '[X]' : '[ ]';
      output.line(`${mark}  ${key}${deps.length ? output.color.dim(` ... (${deps.join(', ')})`) : ''}`);
    }
    return 0;
  }

  if (options.json) {
    output.json(
      Object.fromEntries(
        shown.map((app) => [
          app,
          [
            ...graph.nodesOf(app).map((key) => {
              const migration = graph.migration(key);
              const row = applied.get(key);
              return { name: migration.name, applied: graph.isApplied(key), appliedAt: row?.appliedAt ?? null, file: migration.file };
            }),
            ...ghosts.filter((g) => g.app === app).map((g) => ({ name: g.name, applied: true, appliedAt: g.appliedAt, file: null, missingFile: true })),
          ],
        ]),
      ),
    );
    return 0;
  }
  for (const app of shown) {
    output.line(output.color.bold(app));
    const nodes = graph.nodesOf(app);
    const missing = ghosts.filter((g) => g.app === app);
    if (nodes.length === 0 && missing.length === 0) output.line(output.color.dim(' (no migrations)'));
    for (const key of nodes) {
      const migration = graph.migration(key);
      const squash = migration.replaces.length ? output.color.dim(` (${migration.replaces.length} squashed migrations)`) : '';
      output.line(` ${graph.isApplied(key) ? output.color.green('[X]') : '[ ]'} ${migration.name}${squash}`);
    }
    for (const ghost of missing) {
      output.line(` ${output.color.yellow('[X]')} ${ghost.name} ${output.color.yellow('(applied, but its file is missing)')}`);
    }
  }
  if (ghosts.length) {
    output.line();
    output.warn("Applied migrations without a file: restore the files, or remove the rows with 'sediment migrate --prune'.");
  }
  return 0;
}
