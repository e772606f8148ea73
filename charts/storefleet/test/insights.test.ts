// What store insights need of the platform chart: the orchestrator may read the kubelets' metrics
// through the node proxy (get only), its sampling interval is configurable, and an operator with
// the Prometheus Operator can have a ServiceMonitor scrape /metrics.
import { describe, expect, it } from 'vitest';
import { find, render, renderError } from './support/chart.ts';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

describe('store insights in the platform chart', { timeout: 60_000 }, () => {
  it('lets the orchestrator get nodes/proxy and nothing more of it', () => {
    const role = find(render({}), 'ClusterRole', 'storefleet-orchestrator') as unknown as { rules: Rule[] };
    const proxy = role.rules.filter((rule) => rule.resources?.includes('nodes/proxy'));
    expect(proxy).toEqual([{ apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] }]);
  });

  it('passes the sampling interval on as INSIGHTS_INTERVAL', () => {
    const configMap = find(
      render({ values: { config: { insightsInterval: '30s' } } }),
      'ConfigMap',
      'storefleet-orchestrator',
    );
    expect((configMap as unknown as { data: Record<string, string> }).data.INSIGHTS_INTERVAL).toBe('30s');
    expect(renderError({ values: { config: { insightsInterval: 'often' } } })).toMatch(
      /\/config\/insightsInterval/,
    );
  });

  it('renders a ServiceMonitor of /metrics only when asked for', () => {
    expect(render({}).filter((o) => o.kind === 'ServiceMonitor')).toEqual([]);
    const monitor = find(
      render({
        values: {
          metrics: { serviceMonitor: { enabled: true, interval: '15s', labels: { release: 'prom' } } },
        },
      }),
      'ServiceMonitor',
    ) as unknown as { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> };
    expect(monitor.metadata.labels.release).toBe('prom');
    expect(monitor.spec).toMatchObject({
      selector: { matchLabels: { 'app.kubernetes.io/component': 'orchestrator' } },
      namespaceSelector: { matchNames: ['storefleet'] },
      endpoints: [{ port: 'http', path: '/metrics', interval: '15s' }],
    });
    // The port it names is the orchestrator Service's.
    const service = find(render({}), 'Service', 'storefleet-orchestrator') as unknown as {
      spec: { ports: { name: string }[] };
    };
    expect(service.spec.ports.map((p) => p.name)).toContain('http');
  });
});
