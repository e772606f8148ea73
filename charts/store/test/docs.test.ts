// values.yaml is documented parameter by parameter, the README table matches it, and the schema is strict.
// After changing an @param: UPDATE_GOLDEN=1 npx vitest run charts/store rewrites the README table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartParams, leafPaths, valueAt } from '../../test-support/chart-params.ts';
import { CHART } from './support/chart.ts';

const { params, values, readmeTable } = chartParams(CHART);

describe('values.yaml', () => {
  it('documents every value with an @param (a map may be documented as a whole)', () => {
    const documented = new Set(params().map((p) => p.name));
    const undocumented = leafPaths(values())
      .filter((parts) => !parts.some((_, i) => documented.has(parts.slice(0, i + 1).join('.'))))
      .map((parts) => parts.join('.'));
    expect(undocumented).toEqual([]);
  });

  it('has no @param for a value that does not exist', () => {
    const root = values();
    expect(params().filter((p) => valueAt(root, p.name) === undefined)).toEqual([]);
  });
});

describe('README.md', () => {
  it('has the parameters table of values.yaml', () => {
    const { current, wanted } = readmeTable();
    expect(current).toBe(wanted);
  });
});

describe('values.schema.json', () => {
  const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8'));

  it('rejects unknown keys in every object it describes', () => {
    const loose: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (node === null || typeof node !== 'object') return;
      const object = node as Record<string, unknown>;
      if (object.type === 'object' && object.properties && object.additionalProperties !== false)
        loose.push(path);
      if (object.type === 'object' && !object.properties && typeof object.additionalProperties !== 'object') {
        loose.push(path);
      }
      for (const [key, child] of Object.entries(object)) walk(child, `${path}/${key}`);
    };
    walk(schema, '#');
    expect(loose).toEqual([]);
  });

  it('describes every value of values.yaml', () => {
    const missing = leafPaths(values()).filter((path) => {
      let node = schema;
      for (const key of path) {
        while (node.$ref) node = valueAt(schema, node.$ref.replace('#/', '').replaceAll('/', '.'));
        if (node.properties?.[key]) node = node.properties[key];
        else if (typeof node.additionalProperties === 'object') node = node.additionalProperties;
        else return true;
      }
      return false;
    });
    expect(missing).toEqual([]);
  });
});
