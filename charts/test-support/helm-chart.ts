// Rendering a chart with the pinned helm and reading what it renders. Shared by the charts' tests
// (js-yaml comes with @kubernetes/client-node, whose own loaders would turn objects into client models).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { inject } from 'vitest';

/** A Kubernetes object as rendered, loosely typed: tests walk it by path. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked field by field
  spec?: any;
  data?: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked field by field
  [field: string]: any;
}

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the pinned helm (from the test run's global setup). */
export function helm(args: string[]): HelmResult {
  const result = spawnSync(inject('helm'), args, { encoding: 'utf8', timeout: 180_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function valuesFile(values: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'chart-test-values-')), 'values.json');
  writeFileSync(file, JSON.stringify(values));
  return file;
}

export interface RenderInput {
  release?: string;
  namespace?: string;
  /** Values files applied in order (environment files first), then `values`. */
  files?: string[];
  values?: Record<string, unknown>;
}

export function valueArgs(input: RenderInput): string[] {
  const args: string[] = [];
  for (const file of input.files ?? []) args.push('-f', file);
  if (input.values) args.push('-f', valuesFile(input.values));
  return args;
}

export function parse(text: string): Manifest[] {
  return loadAll(text).filter((doc): doc is Manifest => Boolean(doc));
}

export function find(objects: Manifest[], kind: string, name?: string): Manifest {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` ${name}` : ''} rendered`);
  return found;
}

/** `helm template` of the chart in `chartDir`, installed by default as `release` in namespace `namespace`. */
export function chartRenderer(chartDir: string, defaults: { release: string; namespace: string }) {
  const templateArgs = (input: RenderInput) => [
    'template',
    input.release ?? defaults.release,
    chartDir,
    '-n',
    input.namespace ?? defaults.namespace,
    ...valueArgs(input),
  ];

  /** `helm template`, which must succeed; returns the YAML text. */
  const renderText = (input: RenderInput): string => {
    const result = helm(templateArgs(input));
    if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
    return result.stdout;
  };

  return {
    renderText,
    render: (input: RenderInput): Manifest[] => parse(renderText(input)),
    /** `helm template` that must fail; returns helm's error output. */
    renderError: (input: RenderInput): string => {
      const result = helm(templateArgs(input));
      if (result.status === 0) throw new Error('helm template succeeded but was expected to fail');
      return result.stderr;
    },
  };
}
