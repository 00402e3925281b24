import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { loadMigrations } from '../../src/loader/index.js';
import { count, propertySeed } from './support/scale.js';

/**
 * Edit detection (issue 8 item 7): random edits of an applied data migration and of the helper file it
 * imports. Every edit that changes what runs — a helper's constant or function, a module-level
 * constant, a module-level statement, the runCode body, which helper export a name is bound to —
 * changes the migration's checksum (so migrate refuses and doctor reports it); no formatting-only edit
 * does — whitespace and line breaks, comments, quote style, semicolons, trailing commas.
 *
 * Every version is written with the same whole-second modification time, as `touch -r`, `tar` or a
 * reproducible build leaves it: only a cache keyed by content sees the edits at all. The checksums
 * come from the real loader (esbuild, the bundle, the piece store and the warm cache), in process.
 */

interface Values {
  readonly name: string;
  readonly rank: number;
  readonly prefix: string;
  readonly local: string;
  readonly body: string;
  /** A module-level statement with an effect, in the migration file. */
  readonly sideEffect: boolean;
  /** `import { NAME }` or `import { OTHER as NAME }`. */
  readonly boundTo: 'NAME' | 'OTHER';
}

interface Style {
  /** Separators between tokens where JavaScript allows any whitespace or a comment. */
  readonly gaps: readonly string[];
  readonly quote: "'" | '"';
  readonly semicolons: boolean;
  readonly trailingCommas: boolean;
  /** A `// …` comment at the end of these lines (by index), and a block comment above the file. */
  readonly lineComments: readonly number[];
  readonly header: boolean;
}

const base: Values = { name: 'from-helper-v1', rank: 1, prefix: '[', local: 'local-v1', body: 'body-v1', sideEffect: false, boundTo: 'NAME' };
const plainStyle: Style = { gaps: [], quote: "'", semicolons: true, trailingCommas: false, lineComments: [], header: false };

const GAPS = [' ', '  ', '\n    ', ' /* why */ ', '\t', '\n\n  '];

function render(values: Values, style: Style): { helper: string; migration: string } {
  let gap = 0;
  const g = () => style.gaps[gap++ % Math.max(1, style.gaps.length)] ?? ' ';
  const q = (text: string) => `${style.quote}${text}${style.quote}`;
  const semi = style.semicolons ? ';' : '';
  const comma = style.trailingCommas ? ',' : '';
  const lines = (list: string[]) =>
    `${style.header ? '/**\n * Edited by hand.\n */\n' : ''}${list.map((line, i) => (style.lineComments.includes(i) ? `${line} // note ${i}` : line)).join('\n')}\n`;
  const helper = lines([
    `export const NAME${g()}=${g()}${q(values.name)}${semi}`,
    `export const OTHER${g()}=${g()}${q('other-value')}${semi}`,
    `export const RANK${g()}=${g()}${values.rank}${semi}`,
    `export function label(x: string)${g()}{`,
    // No line break right after 'return': that would be an edit (automatic semicolon insertion).
    `  return ${q(values.prefix)}${g()}+${g()}x${semi}`,
    '}',
  ]);
  const migration = lines([
    `import${g()}{ migration, ops${comma} }${g()}from ${q('sediment-migrations')}${semi}`,
    `import { ${values.boundTo === 'NAME' ? 'NAME' : 'OTHER as NAME'}, RANK,${g()}label${comma} } from ${q('./_helpers')}${semi}`,
    `const LOCAL${g()}=${g()}${q(values.local)}${semi}`,
    ...(values.sideEffect ? [`Object.assign(globalThis, { __sedimentEditFuzz: 1 })${semi}`] : []),
    `export default migration({`,
    `  dependencies: [[${q('shop')}, ${q('0001_initial')}]],`,
    `  operations: [`,
    `    ops.runCode({`,
    `      forward: async ({ apps }: any) => {`,
    `        const Client = apps.getModel(${q('shop')},${g()}${q('Client')})${semi}`,
    `        await Client.objects.create({ name: label(NAME), rank: RANK${comma} })${semi}`,
    `        await Client.objects.create({${g()}name: LOCAL,${g()}note: ${q(values.body)}${comma} })${semi}`,
    `      },`,
    `    }),`,
    `  ],`,
    `})${semi}`,
  ]);
  return { helper, migration };
}

const styles: fc.Arbitrary<Style> = fc.record({
  gaps: fc.array(fc.constantFrom(...GAPS), { minLength: 1, maxLength: 12 }),
  quote: fc.constantFrom("'", '"'),
  semicolons: fc.boolean(),
  trailingCommas: fc.boolean(),
  lineComments: fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
  header: fc.boolean(),
});

/** One change to what runs, or none. Each produces values different from `base`. */
const semanticEdits: fc.Arbitrary<{ readonly kind: string; readonly values: Values } | null> = fc.oneof(
  // About half of the runs are formatting only.
  { arbitrary: fc.constant(null), weight: 7 },
  fc.stringMatching(/^[a-z0-9-]{1,12}$/).filter((s) => s !== base.name).map((name) => ({ kind: 'helper constant', values: { ...base, name } })),
  fc.integer({ min: 2, max: 1000 }).map((rank) => ({ kind: 'helper number', values: { ...base, rank } })),
  fc.constantFrom('(', '<', '#').map((prefix) => ({ kind: 'helper function', values: { ...base, prefix } })),
  fc.stringMatching(/^[a-z0-9-]{1,12}$/).filter((s) => s !== base.local).map((local) => ({ kind: 'module constant', values: { ...base, local } })),
  fc.stringMatching(/^[a-z0-9-]{1,12}$/).filter((s) => s !== base.body).map((body) => ({ kind: 'runCode body', values: { ...base, body } })),
  fc.constant({ kind: 'module statement', values: { ...base, sideEffect: true } }),
  fc.constant({ kind: 'import binding', values: { ...base, boundTo: 'OTHER' as const } }),
);

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const WHEN = new Date('2026-01-01T00:00:00Z');
const INITIAL = `import { f, migration, ops } from 'sediment-migrations';
export default migration({ initial: true, operations: [ops.createModel({ name: 'Client', fields: { id: f.bigAuto({ primaryKey: true }) } })] });
`;

test('every random edit that changes what a data migration runs changes its checksum, and no formatting-only edit does', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sediment-edit-fuzz-'));
  roots.push(root);
  const dir = join(root, 'src', 'shop', 'migrations');
  mkdirSync(dir, { recursive: true });
  const project = { root, apps: [['shop', 'src/shop']] as const };
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    utimesSync(join(dir, name), WHEN, WHEN);
  };
  const checksumOf = async (values: Values, style: Style) => {
    const { helper, migration } = render(values, style);
    write('_helpers.ts', helper);
    write('0002_data.ts', migration);
    return (await loadMigrations(project)).find((m) => m.name === '0002_data')!.checksum;
  };
  write('0001_initial.ts', INITIAL);
  const baseline = await checksumOf(base, plainStyle);
  const tally: Record<string, number> = {};
  const seed = propertySeed();
  console.log(`edit detection fuzz: seed ${seed}`);
  await fc.assert(
    fc.asyncProperty(styles, semanticEdits, async (style, edit) => {
      const checksum = await checksumOf(edit?.values ?? base, style);
      const kind = edit ? edit.kind : 'formatting only';
      tally[kind] = (tally[kind] ?? 0) + 1;
      if (edit) assert.notEqual(checksum, baseline, `${edit.kind} went unnoticed:\n${render(edit.values, style).helper}\n${render(edit.values, style).migration}`);
      else assert.equal(checksum, baseline, `a formatting-only edit counted as an edit:\n${render(base, style).helper}\n${render(base, style).migration}`);
    }),
    { numRuns: count(120, 2000, 'SEDIMENT_RELIABILITY_EDIT_RUNS'), seed },
  );
  console.log(`edit detection fuzz: ${Object.entries(tally).map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
});
