// helm lint --strict with each values file the chart ships.
import { describe, expect, it } from 'vitest';
import { CHART, helm, VALUES_LOCAL, VALUES_PROD } from './support/chart.ts';

describe('helm lint --strict', { timeout: 60_000 }, () => {
  const cases: Record<string, string[]> = {
    'values.yaml': [],
    'values-local.yaml': [VALUES_LOCAL],
    'values-prod.yaml': [VALUES_PROD],
  };
  for (const [name, files] of Object.entries(cases)) {
    it(`passes with ${name}`, () => {
      const result = helm(['lint', '--strict', CHART, ...files.flatMap((file) => ['-f', file])]);
      expect(result.stdout + result.stderr).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
      expect(result.status).toBe(0);
    });
  }

  // (helm lint turns the templates' `fail` into a log line; render.test.ts checks those cases.)
  it('fails on values the schema refuses', () => {
    const result = helm(['lint', '--strict', CHART, '--set', 'replicaCount=0']);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/\/replicaCount/);
  });
});
