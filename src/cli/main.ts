import { Command, CommanderError, Option } from 'commander';
import { InterruptedError, SedimentError, UsageError } from '../errors/index.js';
import { Output } from './output.js';
import { SEDIMENT_VERSION } from '../writer/version.js';
import type { GlobalOptions } from './project.js';

/**
 * The composition root and the only place that prints or exits. Exit codes (SPEC §6): 0 success,
 * 1 a failed check or an error, 2 bad usage, 130 / 143 interrupted by SIGINT / SIGTERM. Command modules are imported only when their command
 * runs, so `sediment showmigrations` never loads the autodetector or esbuild.
 */


type Action = (output: Output, global: GlobalOptions, ...args: unknown[]) => Promise<number>;

function action(output: Output, program: Command, load: () => Promise<Action>) {
  return async (...args: unknown[]) => {
    const global = program.opts<GlobalOptions>();
    const command = args[args.length - 1] as Command;
    const options = command.opts();
    const positional = args.slice(0, -2);
    // Under --json, stdout is JSON lines only: prose goes to stderr (see Output).
    output.jsonMode = options.json === true;
    const run = await load();
    process.exitCode = await run(output, global, ...positional, options);
  };
}

export function buildProgram(output: Output): Command {
  const program = new Command('sediment')
    .description("Django's migrations system for TypeScript: models in TypeScript, readable migrations, safe migrate.")
    .version(SEDIMENT_VERSION)
    .option('--database <url>', 'database URL; overrides DATABASE_URL and the config')
    .option('--config <path>', 'path to sediment.config.ts (default: found from the current folder upwards)')
    .option('--traceback', 'show stack traces of errors')
    .option('--lock-timeout <seconds>', "give up (exit 1) when another process holds the migrate lock or the PGlite folder longer than this; default: the config's lockTimeout, else wait")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => output.stdout.write(s), writeErr: (s) => output.stderr.write(s) });

  program
    .command('init')
    .description('scaffold sediment.config.ts and a first app')
    .option('--app <label>', 'label of the first app', 'app')
    .option('--dir <folder>', 'folder of the first app (default: src/<label>)')
    .action(action(output, program, async () => (await import('./commands/init.js')).init as Action));

  program
    .command('makemigrations')
    .description('detect model changes and write migrations')
    .argument('[apps...]', 'only these apps')
    .option('--name <name>', 'name of the new migration (without the number)')
    .option('--empty', 'write an empty migration to fill in by hand (a data migration)')
    .option('--dry-run', 'show what would be written without writing it')
    .option('--check', 'exit 1 if model changes are missing from migrations; write nothing')
    .option('--merge', 'write a migration that merges conflicting leaves')
    .option('--linearize', 'with --merge: instead of a merge migration, make one branch depend on the other (branches that change different models only)')
    .option('--no-input', 'never ask; unanswered questions use the flags or fail')
    .option('--rename-field <app.Model.old=new...>', 'answer a field rename question', collect, [])
    .option('--rename-model <app.Old=New...>', 'answer a model rename question', collect, [])
    .option('--default <app.Model.field=json...>', 'one-off default for a NOT NULL field', collect, [])
    .option('--assume-handled <app.Model.field...>', 'NOT NULL field whose rows a data migration fills', collect, [])
    .option('--json', 'print the result as JSON')
    .action(action(output, program, async () => (await import('./commands/makemigrations.js')).makemigrations as Action));

  program
    .command('migrate')
    .description('apply or reverse migrations up to a target')
    .argument('[app]', 'app label')
    .argument('[name]', "migration name or unique prefix, or 'zero' to unapply all of the app's migrations")
    .option('--plan', 'show the plan without running it')
    .option('--fake', 'record the migrations as applied (or unapplied) without running them')
    .option('--fake-initial', 'record initial migrations whose tables and columns all exist, without running them')
    .option('--check', 'exit 1 if there are unapplied migrations; run nothing')
    .option('--prune', 'delete history rows whose migration files no longer exist')
    .option('--allow-edited', 'run even if applied migrations were edited, and re-record their checksums')
    .option('--no-input', 'never ask before dropping data: say what is dropped, then run')
    .option('--json', 'print events as JSON lines')
    .action(action(output, program, async () => (await import('./commands/migrate.js')).migrate as Action));

  program
    .command('showmigrations')
    .description('list migrations and whether they are applied')
    .argument('[apps...]', 'only these apps')
    .option('--plan', 'show the global order in which migrations apply')
    .option('--json', 'print as JSON')
    .action(action(output, program, async () => (await import('./commands/showmigrations.js')).showmigrations as Action));

  program
    .command('sqlmigrate')
    .description('print the SQL a migration runs')
    .argument('<app>', 'app label')
    .argument('<name>', 'migration name or unique prefix')
    .option('--backwards', 'the SQL that unapplies it')
    .option('--json', 'print as JSON')
    .action(action(output, program, async () => (await import('./commands/sqlmigrate.js')).sqlmigrate as Action));

  program
    .command('doctor')
    .description('compare the history, the migration files and the live database; say what disagrees and how to fix it')
    .option('--fix', 'print and apply the safe fixes (record migrations whose schema is there, prune rows without a file, reset key sequences)')
    .option('--accept-edited', 'with --fix: re-record the checksums of edited applied migrations that match the database')
    .option('--json', 'print the report as JSON')
    .action(action(output, program, async () => (await import('./commands/doctor.js')).doctor as Action));

  program
    .command('sequences')
    .description('list key sequences behind their table\'s largest key (exit 1 if any); --reset moves them past it')
    .option('--reset', 'move every sequence that is behind past its table\'s largest key')
    .option('--all', 'list every key sequence, not only those behind')
    .option('--json', 'print as JSON')
    .action(action(output, program, async () => (await import('./commands/sequences.js')).sequences as Action));

  program.addOption(new Option('--no-color', 'disable colours').hideHelp());
  return program;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export async function main(argv = process.argv): Promise<void> {
  const output = new Output();
  const program = buildProgram(output);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    const traceback = program.opts<GlobalOptions>().traceback === true || argv.includes('--traceback');
    output.error(error, traceback);
    process.exitCode = error instanceof UsageError ? 2 : error instanceof SedimentError ? 1 : 1;
    // 130 / 143 (SPEC §6), and now: an abandoned data migration may still hold a timer that would keep
    // the process alive after the run was rolled back and the connection closed.
    if (error instanceof InterruptedError) process.exit(error.exitCode);
  }
}
