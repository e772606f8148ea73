// The `## @param` comments of a chart's values.yaml, and the parameters table of its README made from
// them. Shared by the charts' documentation tests.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';

export interface Param {
  section: string;
  name: string;
  description: string;
}

export const TABLE_START = '<!-- parameters:start (generated from the @param comments of values.yaml) -->';
export const TABLE_END = '<!-- parameters:end -->';

export function valueAt(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !(key in current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Key paths of the leaves of a values tree: scalars, lists and empty maps. */
export function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    Object.keys(value).length === 0
  ) {
    return [prefix];
  }
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, [...prefix, key]));
}

function cell(value: unknown): string {
  const text = typeof value === 'string' && !value.includes('\n') ? value : JSON.stringify(value);
  return text === '' ? '`""`' : `\`${text.replaceAll('|', '\\|')}\``;
}

/** Rows of a Markdown table, padded as the repository's formatter (Biome) pads them. */
function padded(rows: string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, column) =>
    Math.max(3, ...rows.map((row) => [...(row[column] ?? '')].length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((text, i) => text + ' '.repeat((widths[i] ?? 0) - [...text].length)).join(' | ')} |`;
  return [line(rows[0] ?? []), line(widths.map((width) => '-'.repeat(width))), ...rows.slice(1).map(line)];
}

/** The documentation helpers of the chart in `chartDir`. */
export function chartParams(chartDir: string) {
  const valuesFile = join(chartDir, 'values.yaml');

  const params = (text = readFileSync(valuesFile, 'utf8')): Param[] => {
    const result: Param[] = [];
    let section = '';
    for (const line of text.split('\n')) {
      const sectionMatch = /^\s*## @section (.+)$/.exec(line);
      if (sectionMatch?.[1]) section = sectionMatch[1].trim();
      const paramMatch = /^\s*## @param (\S+) (.+)$/.exec(line);
      if (paramMatch?.[1] && paramMatch[2]) {
        result.push({ section, name: paramMatch[1], description: paramMatch[2].trim() });
      }
    }
    return result;
  };

  const values = (): Record<string, unknown> =>
    load(readFileSync(valuesFile, 'utf8')) as Record<string, unknown>;

  const parametersTable = (): string => {
    const root = values();
    const sections = new Map<string, string[][]>();
    for (const param of params()) {
      const rows = sections.get(param.section) ?? [['Name', 'Description', 'Default']];
      rows.push([
        `\`${param.name}\``,
        param.description.replaceAll('|', '\\|'),
        cell(valueAt(root, param.name)),
      ]);
      sections.set(param.section, rows);
    }
    const lines = [...sections].flatMap(([section, rows]) => ['', `### ${section}`, '', ...padded(rows)]);
    return `${TABLE_START}\n${lines.join('\n').trim()}\n${TABLE_END}`;
  };

  const readmeFile = join(chartDir, 'README.md');

  /**
   * The README's parameters table as it is, and as values.yaml says it should be. With
   * UPDATE_GOLDEN=1 a stale table is rewritten first, so both come out equal.
   */
  const readmeTable = (): { current: string; wanted: string } => {
    const readme = readFileSync(readmeFile, 'utf8');
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    if (start < 0 || end < 0) throw new Error(`${readmeFile} lacks the parameters markers`);
    const current = readme.slice(start, end + TABLE_END.length);
    const wanted = parametersTable();
    if (process.env.UPDATE_GOLDEN === '1' && current !== wanted) {
      writeFileSync(readmeFile, readme.replace(current, wanted));
      return { current: wanted, wanted };
    }
    return { current, wanted };
  };

  return {
    params,
    values,
    parametersTable,
    readmeTable,
    README_FILE: readmeFile,
    VALUES_FILE: valuesFile,
  };
}
