// values.yaml is documented parameter by parameter, the README table matches it, and the schema is
// strict. After changing an @param: UPDATE_GOLDEN=1 npx vitest run charts/storefleet rewrites the table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartParams, leafPaths, valueAt } from '../../test-support/chart-params.ts';
import { CHART } from './support/chart.ts';

const { params, values, readmeTable } = chartParams(CHART);

type SchemaNode = {
  $ref?: string;
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  [key: string]: unknown;
};

const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as SchemaNode;

function resolveRef(node: SchemaNode): SchemaNode {
  let current = node;
  while (current.$ref) {
    const path = current.$ref.replace(/^#\//, '').split('/');
    current = path.reduce<SchemaNode>((at, key) => at[key] as SchemaNode, schema);
  }
  return current;
}

describe('values.yaml', () => {
  it('documents every value with an @param (a map or list may be documented as a whole)', () => {
    const documented = new Set(params().map((p) => p.name));
    const undocumented = leafPaths(values())
      .filter((parts) => !parts.some((_, i) => documented.has(parts.slice(0, i + 1).join('.'))))
      .map((parts) => parts.join('.'));
    expect(undocumented).toEqual([]);
  });

  it('has no @param for a value that does not exist, and none twice', () => {
    const names = params().map((p) => p.name);
    expect(names.filter((name) => valueAt(values(), name) === undefined)).toEqual([]);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });
});

describe('README.md', () => {
  it('has the parameters table of values.yaml', () => {
    const { current, wanted } = readmeTable();
    expect(current).toBe(wanted);
  });
});

describe('values.schema.json', () => {
  it('refuses unknown keys in every object it describes (open maps say what their values are)', () => {
    const loose: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (node === null || typeof node !== 'object') return;
      const object = node as SchemaNode;
      if (object.type === 'object') {
        if (object.properties && object.additionalProperties !== false)
          loose.push(`${path} (has properties)`);
        if (!object.properties && object.additionalProperties === undefined) loose.push(`${path} (open)`);
      }
      for (const [key, child] of Object.entries(object)) walk(child, `${path}/${key}`);
    };
    walk(schema, '#');
    expect(loose).toEqual([]);
  });

  it('describes every value of values.yaml', () => {
    const missing = leafPaths(values())
      .filter((path) => {
        let node = schema;
        for (const key of path) {
          node = resolveRef(node);
          if (node.properties?.[key]) node = node.properties[key];
          else if (typeof node.additionalProperties === 'object') node = node.additionalProperties;
          else if (node.additionalProperties === true) return false;
          else return true;
        }
        return false;
      })
      .map((path) => path.join('.'));
    expect(missing).toEqual([]);
  });

  it('requires every top-level value, so that a typo in a values file cannot drop one silently', () => {
    expect([...((schema.required as string[]) ?? [])].sort()).toEqual(Object.keys(values()).sort());
  });
});
