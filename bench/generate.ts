// Generates a benchmark project: N migrations over 10 apps, written by Sediment's own writer exactly as
// makemigrations writes them, plus models.ts files that match the final state (so that
// `makemigrations --check` has nothing to do). The history mixes creates, added/altered/renamed fields,
// indexes and cross-app foreign keys.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f } from '../src/model/fields.js';
import type { Field } from '../src/model/fields.js';
import { ops } from '../src/operations/ops.js';
import type { Operation } from '../src/operations/types.js';
import { stateForwards } from '../src/operations/registry.js';
import { ProjectState } from '../src/state/project-state.js';
import { renderMigration } from '../src/writer/index.js';
import { fieldExpr } from '../src/writer/render-operation.js';
import { flat } from '../src/writer/layout.js';

const APPS = Array.from({ length: 10 }, (_, i) => `app${i}`);

interface AppHistory {
  names: string[];
  models: { name: string; fields: string[]; counter: number }[];
}

export function generateProject(root: string, count: number, repo: string): void {
  const history: Record<string, AppHistory> = Object.fromEntries(APPS.map((app) => [app, { names: [], models: [] }]));
  let state = ProjectState.empty();
  const date = new Date('2026-01-01T00:00:00Z');
  for (let i = 0; i < count; i++) {
    const app = APPS[i % APPS.length];
    const mine = history[app];
    const number = String(mine.names.length + 1).padStart(4, '0');
    const dependencies: [string, string][] = mine.names.length ? [[app, mine.names[mine.names.length - 1]]] : [];
    const operations: Operation[] = [];
    const step = mine.names.length;
    const kind = step === 0 ? 'create' : ['create', 'add', 'alter', 'rename', 'index', 'crossFk'][step % 6];
    const model = mine.models[step % Math.max(1, mine.models.length)];
    if (kind === 'create' || !model) {
      const name = `Model${mine.models.length}`;
      const fields: Record<string, Field> = {
        id: f.bigAuto({ primaryKey: true }),
        title: f.char({ maxLength: 100 }),
        createdAt: f.dateTime({ default: f.now }),
        score: f.integer({ default: 0 }),
      };
      if (mine.models.length > 0) fields.parent = f.foreignKey(`${app}.${mine.models[0].name}`, { onDelete: 'cascade', null: true });
      operations.push(ops.createModel({ name, fields }));
      mine.models.push({ name, fields: Object.keys(fields).filter((n) => n !== 'id'), counter: 0 });
    } else if (kind === 'add') {
      const name = `extra${model.counter++}`;
      operations.push(ops.addField({ model: model.name, name, field: f.char({ maxLength: 50, null: true }) }));
      model.fields.push(name);
    } else if (kind === 'alter') {
      const target = model.fields.find((n) => n.startsWith('extra')) ?? 'title';
      operations.push(ops.alterField({ model: model.name, name: target, field: f.char({ maxLength: 200, null: true }) }));
    } else if (kind === 'rename') {
      const target = model.fields.find((n) => n.startsWith('extra'));
      if (target) {
        const renamed = `renamed${model.counter++}`;
        operations.push(ops.renameField({ model: model.name, oldName: target, newName: renamed }));
        model.fields[model.fields.indexOf(target)] = renamed;
      } else {
        operations.push(ops.addField({ model: model.name, name: `flag${model.counter++}`, field: f.boolean({ default: false }) }));
      }
    } else if (kind === 'index') {
      const name = `${app}_${model.name.toLowerCase()}_i${model.counter++}`;
      operations.push(ops.addIndex({ model: model.name, index: { kind: 'index', fields: ['title'], name } }));
    } else {
      // A foreign key to another app's first model, and the dependency on that app's newest migration.
      const otherApp = APPS[(APPS.indexOf(app) + 1) % APPS.length];
      const other = history[otherApp];
      if (other.names.length && other.models.length) {
        dependencies.push([otherApp, other.names[other.names.length - 1]]);
        const name = `link${model.counter++}`;
        operations.push(ops.addField({ model: model.name, name, field: f.foreignKey(`${otherApp}.${other.models[0].name}`, { onDelete: 'setNull', null: true }) }));
        model.fields.push(name);
      } else {
        operations.push(ops.addField({ model: model.name, name: `note${model.counter++}`, field: f.text({ null: true }) }));
      }
    }
    const words = operations[0].kind === 'createModel' ? (step === 0 ? 'initial' : `create_${(operations[0] as { name: string }).name.toLowerCase()}`) : `${kind}_${step}`;
    const name = `${number}_${words}`;
    const dir = join(root, 'src', app, 'migrations');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.ts`), renderMigration({ dependencies, operations, initial: step === 0 }, { date }));
    for (const op of operations) state = stateForwards(state, app, op);
    mine.names.push(name);
  }
  for (const app of APPS) writeModels(join(root, 'src', app, 'models.ts'), state, app);
  writeFileSync(
    join(root, 'sediment.config.ts'),
    `import { defineConfig } from 'sediment-migrations';\n\nexport default defineConfig({\n  apps: { ${APPS.map((a) => `${a}: 'src/${a}'`).join(', ')} },\n});\n`,
  );
  mkdirSync(join(root, 'node_modules'), { recursive: true });
  symlinkSync(repo, join(root, 'node_modules', 'sediment-migrations'), 'dir');
}

/** models.ts for the app's final state, written with the writer's field expressions. */
function writeModels(file: string, state: ProjectState, app: string): void {
  const ctx = { imports: new Set<never>() };
  const lines = ["import { model, f } from 'sediment-migrations';", ''];
  for (const model of state.modelsOf(app)) {
    const fields = model.fields.map(([name, field]) => `  ${name}: ${flat(fieldExpr(field, name, ctx as never))},`);
    const options = Object.keys(model.options).length ? `, ${JSON.stringify(model.options)}` : '';
    lines.push(`export const ${model.name} = model('${model.name}', {`, ...fields, `}${options});`, '');
  }
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, lines.join('\n'));
}
