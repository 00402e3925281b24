import { relative } from 'node:path';
import type { Connection } from '../../backends/base/connection.js';
import { applyFixes, diagnose, foreignSummary, planFixes, type Finding, type FixPlan, type Report } from '../../doctor/index.js';
import { UsageError } from '../../errors/index.js';
import { buildGraph } from '../../graph/index.js';
import { Recorder } from '../../recorder/recorder.js';
import type { Output } from '../output.js';
import { editorFactory, loadProjectMigrations } from '../pipeline.js';
import { announceTarget, loadProject, printLockWait, withConnection, type GlobalOptions, type Project } from '../project.js';
import { guardInterrupts, type InterruptGuard } from '../interrupt.js';

interface DoctorOptions {
  readonly fix?: boolean;
  readonly acceptEdited?: boolean;
  readonly json?: boolean;
}

/**
 * `sediment doctor [--fix [--accept-edited]] [--json]`: exit 0 when the history, the files and the
 * database agree, 1 with findings. `--fix` prints the safe fixes, applies them, and reports what is
 * left (exit 0 when nothing is).
 */
export async function doctor(output: Output, global: GlobalOptions, options: DoctorOptions): Promise<number> {
  if (options.acceptEdited && !options.fix) throw new UsageError('--accept-edited only applies with --fix: sediment doctor --fix --accept-edited.');
  const project = await loadProject(global);
  const migrations = await loadProjectMigrations(project);
  const input = (connection: Connection) => ({
    migrations,
    apps: project.apps.map(([label]) => label),
    connection,
    naming: project.naming,
    historyTable: project.historyTable,
    displayPath: (file: string) => relative(process.cwd(), file),
  });
  const onLockWait = printLockWait(output);
  if (!options.fix) {
    const report = await withConnection(project, (connection) => diagnose(input(connection)), {
      readOnly: true,
      announce: announceTarget(output),
      warn: (message) => output.warn(message),
      onLockWait,
    });
    if (options.json) output.json(jsonReport(report));
    else printReport(output, project, report, 'fix');
    return report.findings.length ? 1 : 0;
  }

  // Ctrl-C / SIGTERM stop between fixes (each is one short statement) and exit 130 / 143 (src/cli/interrupt.ts).
  const guard = guardInterrupts({ warn: (line) => output.stderr.write(`${line}\n`) });
  try {
    return await fixConnected(output, project, options, migrations, input, guard);
  } finally {
    guard.dispose();
  }
}

async function fixConnected(
  output: Output,
  project: Project,
  options: DoctorOptions,
  migrations: Awaited<ReturnType<typeof loadProjectMigrations>>,
  input: (connection: Connection) => Parameters<typeof diagnose>[0],
  guard: InterruptGuard,
): Promise<number> {
  const onLockWait = printLockWait(output);
  return withConnection(project, async (connection) => {
    const recorder = new Recorder(connection, project.historyTable);
    // The fixes write the history: hold the lock migrate holds, so they never race a migrate run.
    const locked = connection.backend.acquireMigrateLock(connection, project.historyTable, { onWait: onLockWait, timeoutMs: project.lockTimeoutMs });
    // A lock granted after the interrupt dies with the session, which closes right after.
    const release = await guard.race(locked, 'while waiting for the migrate lock', 'unchanged: no fix was applied.');
    try {
      const before = await diagnose(input(connection));
      const plan = planFixes(before, { acceptEdited: options.acceptEdited === true });
      const done: string[] = [];
      if (!options.json) printPlan(output, plan);
      if (plan.fixes.length > 0) {
        await recorder.ensureTable();
        const applied = await recorder.applied();
        const graph = buildGraph(migrations, applied.keys(), { apps: project.apps.map(([label]) => label) });
        await applyFixes(plan, {
          connection,
          recorder,
          graph,
          // Interrupted: throw here, after a fix completed, so no further fix starts.
          executor: { naming: project.naming, createEditor: editorFactory(project), signal: guard.signal },
          onFixed: (_fix, result) => {
            done.push(result);
            if (!options.json) output.line(`  ${output.color.green('done:')} ${result}`);
            guard.throwIfInterrupted(`after ${done.length} of ${plan.fixes.length} fix(es)`, fixesState(done));
          },
        });
      }
      guard.throwIfInterrupted('after the fixes', fixesState(done));
      const after = await diagnose(input(connection));
      if (options.json) {
        output.json({ fixed: done, held: plan.held.map((h) => ({ finding: h.finding.message, reason: h.reason })), ...jsonReport(after) });
      } else {
        output.line();
        printReport(output, project, after, 'after-fix');
      }
      return after.findings.length ? 1 : 0;
    } finally {
      await release();
    }
  }, { announce: announceTarget(output), onLockWait });
}

/** What an interrupted `doctor --fix` leaves: each fix is one statement, so a fix is done or not started. */
function fixesState(done: readonly string[]): string {
  return done.length ? `these fixes were applied and stay: ${done.join(' ')} The others were not applied.` : 'unchanged: no fix was applied.';
}

function jsonReport(report: Report) {
  return { ok: report.findings.length === 0, summary: report.summary, findings: report.findings };
}

function printPlan(output: Output, plan: FixPlan): void {
  const c = output.color;
  if (plan.fixes.length === 0) {
    output.line("Nothing that 'doctor --fix' can fix safely.");
  } else {
    output.line(c.bold(`Safe fixes (nothing in the database is dropped or rewritten; only the history and key sequences change):`));
    plan.fixes.forEach((fix, i) => output.line(`  ${i + 1}. ${fix.description}`));
  }
  for (const { reason } of plan.held) output.line(`  ${c.yellow('held:')} ${reason}.`);
}

const SECTIONS: readonly { title: string; kinds: readonly Finding['kind'][] }[] = [
  { title: 'History and migration files', kinds: ['broken-graph', 'conflict', 'inconsistent-history', 'missing-file', 'edited', 'unapplied', 'replay-failed'] },
  { title: 'Schema (the live database against the applied migrations)', kinds: ['schema-drift'] },
  { title: 'Key sequences', kinds: ['sequence-behind'] },
];

function printReport(output: Output, project: Project, report: Report, mode: 'fix' | 'after-fix'): void {
  const c = output.color;
  const { summary } = report;
  const compared = summary.tablesCompared === null ? 'schema not compared' : `${summary.tablesCompared} table${summary.tablesCompared === 1 ? '' : 's'} compared`;
  output.line(
    c.dim(
      `Checked ${summary.migrations} migration${summary.migrations === 1 ? '' : 's'} (${summary.applied} applied), ${compared}, ` +
        `${summary.sequences} key sequence${summary.sequences === 1 ? '' : 's'}.`,
    ),
  );
  const foreign = foreignNote(report);
  if (foreign) output.line(c.dim(foreign));
  if (report.findings.length === 0) {
    output.line(c.green(mode === 'after-fix' ? 'No problems left: the history, the migration files and the database agree.' : 'No problems found: the history, the migration files and the database agree.'));
    return;
  }
  let shown = 0;
  for (const section of SECTIONS) {
    const findings = report.findings.filter((f) => section.kinds.includes(f.kind));
    if (findings.length === 0) continue;
    output.line();
    output.line(c.bold(section.title));
    for (const item of grouped(findings)) {
      shown++;
      output.line(`  ${c.red('-')} ${item.message}`);
      output.line(`    ${c.cyan('fix:')} ${item.fix}`);
    }
  }
  const fixable = report.findings.filter((f) => f.fix.action && f.fix.action.kind !== 'rerecord').length;
  output.line();
  const count = `${shown} problem${shown === 1 ? '' : 's'}`;
  if (mode === 'after-fix') output.line(`${count} left; they need a decision or a change by hand (see each fix).`);
  else if (fixable) output.line(`${count}; ${fixable === shown ? 'all' : fixable} can be fixed safely by 'sediment doctor --fix'.`);
  else output.line(`${count}; none can be fixed automatically (see each fix).`);
}

/**
 * One calm line about another project's rows and tables in a shared database: they are not this
 * project's problems, so they are neither findings nor fixed (see doctor/foreign.ts).
 */
function foreignNote(report: Report): string | undefined {
  const { foreign } = report.summary;
  const rows = foreignSummary(foreign);
  if (!rows) return undefined;
  const tables = foreign.tables.length
    ? `, and so ${foreign.tables.length === 1 ? 'does table' : 'do tables'} ${listed(foreign.tables)} (named after ${foreign.apps.length === 1 ? 'it' : 'them'}, in no migration of this project)`
    : '';
  return `${rows}${tables}: another project sharing this database (or an app removed from the config) recorded them. Left alone and not compared.`;
}

function listed(names: readonly string[]): string {
  return names.length > 6 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
}

/** Plain unapplied migrations of one app are one line; everything else is one line per finding. */
function grouped(findings: readonly Finding[]): { message: string; fix: string }[] {
  const plainByApp = new Map<string, string[]>();
  const appOf = (key: string) => key.slice(0, key.indexOf('.'));
  for (const finding of findings) {
    if (finding.kind !== 'unapplied' || finding.presence.kind !== 'absent') continue;
    const app = appOf(finding.migration);
    plainByApp.set(app, [...(plainByApp.get(app) ?? []), finding.migration.slice(app.length + 1)]);
  }
  const out: { message: string; fix: string }[] = [];
  for (const finding of findings) {
    if (finding.kind !== 'unapplied' || finding.presence.kind !== 'absent') {
      out.push({ message: finding.message, fix: finding.fix.text });
      continue;
    }
    const app = appOf(finding.migration);
    const names = plainByApp.get(app);
    if (!names) continue;
    plainByApp.delete(app);
    if (names.length === 1) {
      out.push({ message: finding.message, fix: finding.fix.text });
      continue;
    }
    const shown = names.length > 6 ? [...names.slice(0, 3), '…', ...names.slice(-2)] : names;
    out.push({ message: `${app}: ${names.length} migrations are not applied (${shown.join(', ')}).`, fix: "Apply them: 'sediment migrate'." });
  }
  return out;
}
