import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CONFIG_FILES } from '../../config/load-config.js';
import { ConfigError, UsageError } from '../../errors/index.js';
import type { Output } from '../output.js';
import type { GlobalOptions } from '../project.js';

interface InitOptions {
  readonly app: string;
  readonly dir?: string;
}

/** `sediment init`: a config on the embedded PGlite database and one app, ready for makemigrations. */
export async function init(output: Output, _global: GlobalOptions, options: InitOptions): Promise<number> {
  const root = process.cwd();
  const label = options.app;
  if (!/^[a-z_][a-z0-9_]*$/.test(label)) {
    throw new UsageError(`App label ${JSON.stringify(label)} must be lower_snake_case (letters, digits, _).`);
  }
  const existing = CONFIG_FILES.map((name) => join(root, name)).find((file) => existsSync(file));
  if (existing) {
    throw new ConfigError(`${relative(root, existing)} already exists; init changes nothing.`, {
      hint: 'Add apps to the existing config by hand: apps: { label: "folder" }.',
    });
  }
  const appDir = options.dir ?? `src/${label}`;
  const created: string[] = [];
  const write = (path: string, content: string) => {
    const full = join(root, path);
    if (existsSync(full)) return;
    writeFileSync(full, content);
    created.push(path);
  };
  write(
    'sediment.config.ts',
    `import { defineConfig } from 'sediment-migrations';

export default defineConfig({
  // The embedded PostgreSQL (PGlite) needs no server; set DATABASE_URL=postgres://… for a real one.
  database: process.env.DATABASE_URL ?? 'pglite:./.sediment/dev',
  apps: { ${label}: '${appDir}' },
});
`,
  );
  mkdirSync(join(root, appDir, 'migrations'), { recursive: true });
  write(
    join(appDir, 'models.ts'),
    `import { model, f } from 'sediment-migrations';

// Declare your models here, then run \`npx sediment makemigrations\` and \`npx sediment migrate\`.
//
// export const Note = model('Note', {
//   title: f.char({ maxLength: 200 }),
//   createdAt: f.dateTime({ default: f.now }),
// });
`,
  );
  write(join(appDir, 'migrations', '.gitkeep'), '');
  const gitignore = join(root, '.gitignore');
  if (!existsSync(gitignore) || !readFileSync(gitignore, 'utf8').split('\n').includes('.sediment/')) {
    appendFileSync(gitignore, '.sediment/\n');
    created.push('.gitignore (.sediment/)');
  }
  for (const path of created) output.line(`${output.color.green('created')} ${path}`);
  output.line();
  output.line(`Next: declare models in ${appDir}/models.ts, then run 'npx sediment makemigrations' and 'npx sediment migrate'.`);
  return 0;
}
