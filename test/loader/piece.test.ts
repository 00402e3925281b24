import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combinePieces, pieceFromOutput, UnexpectedOutputError } from '../../src/loader/piece.js';

test("an entry's export clause becomes the piece's return value", () => {
  const piece = pieceFromOutput('var x_default = 1;\nvar a = 2;\nexport {\n  a,\n  x_default as default,\n  a as "odd name"\n};\n', new Set(), 'x.ts');
  assert.equal(piece.code, 'var x_default = 1;\nvar a = 2;\nreturn { "a": a, "default": x_default, "odd name": a };\n');
});

test('a CommonJS entry (export default expression) and an entry without exports are handled', () => {
  assert.match(pieceFromOutput('var r = 1;\nexport default require_x();\n', new Set(), 'x.js').code, /return \{ "default": require_x\(\) \};\n$/);
  assert.match(pieceFromOutput('console.log(1);\n', new Set(), 'x.js').code, /return \{\};\n$/);
});

test('imports of external packages are lifted out, and bound again inside the piece', () => {
  const output = [
    '// src/x.ts',
    'import def, { named as other, plain } from "pkg";',
    'import * as ns from "node:path";',
    'import "side-effect";',
    'var x_default = [def, other, plain, ns];',
    'export {',
    '  x_default as default',
    '};',
    '',
  ].join('\n');
  const piece = pieceFromOutput(output, new Set(['pkg', 'node:path', 'side-effect']), 'x.ts');
  assert.deepEqual(piece.imports, [
    { spec: 'pkg', clause: 'def, { named as other, plain }' },
    { spec: 'node:path', clause: '* as ns' },
    { spec: 'side-effect', clause: null },
  ]);
  const bundle = combinePieces([{ file: 'src/x.ts', piece }], ['f']);
  assert.match(bundle, /^import \* as __sediment_ext_0 from "pkg";$/m);
  assert.match(bundle, /^import \* as __sediment_ext_2 from "side-effect";$/m);
  assert.match(bundle, /^var def = __sediment_ext_0\.default;\nvar other = __sediment_ext_0\["named"\];\nvar plain = __sediment_ext_0\["plain"\];\nvar ns = __sediment_ext_1;$/m);
});

test("the virtual 'sediment' module's lines are dropped from pieces and declared once in the bundle", () => {
  const output = [
    '// sediment:sediment',
    'var __sediment_api = globalThis.__sediment__;',
    'if (__sediment_api === void 0) throw new Error("...");',
    'var __sediment_get = (name) => __sediment_api[name];',
    'var __sediment_ops = /* @__PURE__ */ __sediment_get("ops");',
    '',
    '// src/x.ts',
    'var x_default = __sediment_ops.noop;',
    'export {',
    '  x_default as default',
    '};',
    '',
  ].join('\n');
  const piece = pieceFromOutput(output, new Set(), 'x.ts');
  assert.doesNotMatch(piece.code, /__sediment_get|__sediment_api/);
  const bundle = combinePieces([{ file: 'src/x.ts', piece }], ['ops']);
  assert.match(bundle, /^const __sediment_ops = __sediment_api\.ops;$/m);
});

test('output the bundler cannot hold is reported rather than guessed at', () => {
  assert.throws(() => pieceFromOutput('export * from "pkg";\nvar x = 1;\n', new Set(['pkg']), 'x.ts'), UnexpectedOutputError);
});
