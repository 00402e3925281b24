import type { Field } from '../../../src/model/fields.js';
import { isCallableDefault, isRelation } from '../../../src/model/fields.js';
import type { ModelDefinition } from '../../../src/model/model.js';

/**
 * A models.ts file that declares `definitions`, as a person would write it: `model('Name', { field:
 * f.kind({...}) }, { indexes: [index([...])], ... })`. Every value is written with JSON.stringify (valid
 * TypeScript for every string, quotes and unicode included), callables as `f.now` / `f.uuid4`.
 */
export function modelsSource(definitions: readonly ModelDefinition[]): string {
  const body = definitions.map((m, i) => `export const M${i} = model(${JSON.stringify(m.name)}, ${fieldsSource(m.fields)}${optionsSource(m.options)});`);
  return `import { check, f, index, model, unique } from 'sediment-migrations';\n\n${body.join('\n\n')}\n`;
}

function value(v: unknown): string {
  return isCallableDefault(v) ? `f.${v.name}` : JSON.stringify(v);
}

function objectSource(object: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(object).filter(([, v]) => v !== undefined);
  return entries.length ? `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${value(v)}`).join(', ')} }` : '{}';
}

function fieldSource(field: Field): string {
  const { kind, ...rest } = field as unknown as Record<string, unknown>;
  if (isRelation(field)) {
    const { to, ...options } = rest;
    return `f.${String(kind)}(${JSON.stringify(to)}, ${objectSource(options)})`;
  }
  return `f.${String(kind)}(${objectSource(rest)})`;
}

function fieldsSource(fields: Readonly<Record<string, Field>>): string {
  const entries = Object.entries(fields).map(([name, field]) => `\n  ${JSON.stringify(name)}: ${fieldSource(field)},`);
  return `{${entries.join('')}\n}`;
}

function optionsSource(options: ModelDefinition['options']): string {
  const parts: string[] = [];
  for (const [key, v] of Object.entries(options)) {
    if (v === undefined) continue;
    if (key === 'indexes') {
      const list = (v as { fields: string[]; name?: string; condition?: string }[]).map(({ fields, ...rest }) => `index(${JSON.stringify(fields)}, ${objectSource(rest as Record<string, unknown>)})`);
      parts.push(`indexes: [${list.join(', ')}]`);
    } else if (key === 'constraints') {
      const list = (v as Record<string, unknown>[]).map((c) => {
        const { kind, ...rest } = c;
        if (kind === 'check') {
          const { check: expression, ...others } = rest;
          return `check(${JSON.stringify(expression)}, ${objectSource(others)})`;
        }
        const { fields, ...others } = rest;
        return `unique(${JSON.stringify(fields)}, ${objectSource(others)})`;
      });
      parts.push(`constraints: [${list.join(', ')}]`);
    } else {
      parts.push(`${JSON.stringify(key)}: ${JSON.stringify(v)}`);
    }
  }
  return parts.length ? `, {\n  ${parts.join(',\n  ')},\n}` : '';
}
