import { describe, expect, it } from 'vitest';
import { CHART, helm, VALUES_LOCAL, VALUES_PROD } from './support/chart.ts';

describe('helm lint --strict', { timeout: 30_000 }, () => {
  for (const [name, files] of Object.entries({
    'values.yaml': [],
    'values-local.yaml': [VALUES_LOCAL],
    'values-prod.yaml': [VALUES_PROD],
  })) {
    it(`passes with ${name}`, () => {
      const result = helm(['lint', '--strict', CHART, ...files.flatMap((file) => ['-f', file])]);
      expect(result.stderr + result.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
      expect(result.status).toBe(0);
    });
  }
});
