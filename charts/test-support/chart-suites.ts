// Test suites every chart runs the same way: golden renders, the values it refuses, `helm lint
// --strict` with each values file, and the documentation of values.yaml (every value has an @param,
// the README table matches them, the schema is strict and complete). After an intended change,
// UPDATE_GOLDEN=1 vitest run charts/<chart> rewrites the golden files and the README table.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartParams, leafPaths, valueAt } from './chart-params.ts';
import { helm, type RenderInput } from './helm-chart.ts';

/**
 * Each case rendered as in `<goldenDir>/<name>.yaml.golden` (helm's output byte for byte, so not
 * *.yaml, which a YAML formatter would change); UPDATE_GOLDEN=1 writes them instead.
 */
export function describeGoldenRenders(
  goldenDir: string,
  renderText: (input: RenderInput) => string,
  cases: Record<string, RenderInput>,
): void {
  const update = process.env.UPDATE_GOLDEN === '1';
  describe('golden renders', { timeout: 30_000 }, () => {
    for (const [name, input] of Object.entries(cases)) {
      it(`renders the ${name} case as in ${basename(goldenDir)}/${name}.yaml.golden`, () => {
        const file = join(goldenDir, `${name}.yaml.golden`);
        const actual = renderText(input);
        if (update || !existsSync(file)) {
          if (!update) throw new Error(`${file} is missing: run with UPDATE_GOLDEN=1 to create it`);
          mkdirSync(goldenDir, { recursive: true });
          writeFileSync(file, actual);
        }
        expect(actual).toBe(readFileSync(file, 'utf8'));
      });
    }
  });
}

/** Renders that must fail, each with helm's error output matching every pattern given. */
export function describeRefusals(
  renderError: (input: RenderInput) => string,
  cases: [what: string, input: RenderInput, messages: RegExp[]][],
): void {
  describe('values the chart refuses', { timeout: 30_000 }, () => {
    for (const [what, input, messages] of cases) {
      it(`refuses ${what}`, () => {
        const error = renderError(input);
        for (const message of messages) expect(error).toMatch(message);
      });
    }
  });
}

/** `helm lint --strict` of the chart with its defaults, then with each environment file. */
export function describeHelmLint(chartDir: string, environmentFiles: string[]): void {
  describe('helm lint --strict', { timeout: 30_000 }, () => {
    for (const files of [[], ...environmentFiles.map((file) => [file])]) {
      it(`passes with ${files.map((file) => basename(file)).join('') || 'values.yaml'}`, () => {
        const result = helm(['lint', '--strict', chartDir, ...files.flatMap((file) => ['-f', file])]);
        expect(result.stderr + result.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
        expect(result.status).toBe(0);
      });
    }
  });
}

/** values.yaml documented parameter by parameter, the README table made from it, a strict schema. */
export function describeChartDocs(chartDir: string): void {
  const { params, values, readmeTable } = chartParams(chartDir);

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
    const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8'));

    it('rejects unknown keys in every object it describes', () => {
      const loose: string[] = [];
      const walk = (node: unknown, path: string) => {
        if (node === null || typeof node !== 'object') return;
        const object = node as Record<string, unknown>;
        const described = object.type === 'object';
        if (described && object.properties && object.additionalProperties !== false) loose.push(path);
        if (described && !object.properties && typeof object.additionalProperties !== 'object') {
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
}
