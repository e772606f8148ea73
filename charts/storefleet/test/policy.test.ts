// Rules every render must follow: resources, probes and non-root for every container; no secret in a
// ConfigMap; a configuration the orchestrator accepts; every orchestrator variable settable from values.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../apps/orchestrator/src/config.ts';
import {
  render as renderStore,
  OPTIONS_CASE as STORE_OPTIONS_CASE,
  SCENARIOS as STORE_SCENARIOS,
} from '../../store/test/support/chart.ts';
import {
  CHART,
  containers,
  find,
  type Manifest,
  podSpec,
  REPO,
  type RenderInput,
  render,
  SCENARIOS,
  VALUES_PROD,
} from './support/chart.ts';

const CASES: Record<string, RenderInput> = {
  ...SCENARIOS,
  'prod with an existing database and owner migrations': {
    files: [VALUES_PROD],
    values: {
      database: {
        existingSecret: 'platform-db',
        postgresql: { enabled: false },
        backup: { enabled: false },
        migrations: { existingSecret: 'platform-db-owner' },
      },
    },
  },
};

const rendered = new Map<string, Manifest[]>();
function objectsOf(name: string): Manifest[] {
  let objects = rendered.get(name);
  if (!objects) {
    objects = render(CASES[name] ?? {});
    rendered.set(name, objects);
  }
  return objects;
}

/** The variables the orchestrator reads, from the schema in its config.ts. */
function orchestratorVariables(): string[] {
  const source = readFileSync(join(REPO, 'apps/orchestrator/src/config.ts'), 'utf8');
  const start = source.indexOf('const EnvSchema = z.object({');
  const end = source.indexOf('\n});', start);
  expect(start, 'EnvSchema not found in config.ts').toBeGreaterThanOrEqual(0);
  return Array.from(source.slice(start, end).matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm), (m) => m[1] ?? '');
}

/** The environment the orchestrator container starts with: its ConfigMap, then its env. */
function orchestratorEnvironment(objects: Manifest[]): Record<string, string> {
  const deployment = find(objects, 'Deployment');
  const container = podSpec(deployment)?.containers.find((c) => c.name === 'orchestrator');
  const environment: Record<string, string> = {};
  for (const source of container?.envFrom ?? []) {
    const name = source.configMapRef?.name;
    if (name) Object.assign(environment, find(objects, 'ConfigMap', name).data);
  }
  for (const variable of container?.env ?? []) {
    // A Secret's value is not in the render: stand in a well-formed one.
    environment[variable.name] =
      variable.value ??
      (variable.name === 'DATABASE_URL' ? 'postgres://storefleet:x@db:5432/storefleet' : 'from-a-secret');
  }
  return environment;
}

describe.each(Object.keys(CASES))('%s', { timeout: 60_000 }, (name) => {
  it('gives every container cpu and memory requests and limits', () => {
    const missing = containers(objectsOf(name))
      .filter(({ container }) =>
        ['requests', 'limits'].some((kind) => {
          const set = container.resources?.[kind as 'requests' | 'limits'];
          return !set?.cpu || !set?.memory;
        }),
      )
      .map(({ workload, container }) => `${workload.kind}/${workload.metadata.name}/${container.name}`);
    expect(missing).toEqual([]);
  });

  it('gives every container ephemeral-storage requests and limits, and every emptyDir a size limit', () => {
    const objects = objectsOf(name);
    const missing = containers(objects)
      .filter(({ container }) =>
        ['requests', 'limits'].some(
          (kind) => !container.resources?.[kind as 'requests' | 'limits']?.['ephemeral-storage'],
        ),
      )
      .map(({ workload, container }) => `${workload.kind}/${workload.metadata.name}/${container.name}`);
    expect(missing).toEqual([]);
    const unbounded = objects.flatMap((workload) =>
      (podSpec(workload)?.volumes ?? [])
        .filter((volume) => volume.emptyDir && !volume.emptyDir.sizeLimit)
        .map((volume) => `${workload.kind}/${workload.metadata.name}/${volume.name}`),
    );
    expect(unbounded).toEqual([]);
  });

  it('probes every long-running container (startup, liveness, readiness)', () => {
    const missing = containers(objectsOf(name))
      .filter(({ workload, init }) => !init && ['Deployment', 'StatefulSet'].includes(workload.kind))
      .filter(
        ({ container }) => !container.startupProbe || !container.livenessProbe || !container.readinessProbe,
      )
      .map(({ workload, container }) => `${workload.kind}/${workload.metadata.name}/${container.name}`);
    expect(missing).toEqual([]);
  });

  it('runs every container as non-root, without privileges (Pod Security Standard "restricted")', () => {
    for (const { workload, container, pod } of containers(objectsOf(name))) {
      const where = `${workload.kind}/${workload.metadata.name}/${container.name}`;
      const security = { ...pod.securityContext, ...container.securityContext };
      expect(security.runAsNonRoot, where).toBe(true);
      expect(security.runAsUser, where).toBeGreaterThan(0);
      expect(security.allowPrivilegeEscalation, where).toBe(false);
      expect(security.privileged ?? false, where).toBe(false);
      expect(security.capabilities?.drop, where).toContain('ALL');
      expect(security.capabilities?.add ?? [], where).toEqual([]);
      expect(security.seccompProfile?.type, where).toBe('RuntimeDefault');
      expect(security.readOnlyRootFilesystem, where).toBe(true);
    }
  });

  it('pins every image (a tag other than latest, or a digest)', () => {
    for (const { container } of containers(objectsOf(name))) {
      expect(container.image).toMatch(/(:[A-Za-z0-9_][A-Za-z0-9_.-]*|@sha256:[0-9a-f]{64})$/);
      expect(container.image).not.toMatch(/:latest$/);
    }
  });

  it('puts no secret in a ConfigMap, and DATABASE_URL only in Secrets', () => {
    const objects = objectsOf(name);
    const secretValues = objects
      .filter((o) => o.kind === 'Secret')
      .flatMap((o) => Object.values(o.data ?? {}).map((v) => Buffer.from(v, 'base64').toString()));
    for (const configMap of objects.filter((o) => o.kind === 'ConfigMap')) {
      for (const [key, value] of Object.entries(configMap.data ?? {})) {
        const where = `ConfigMap/${configMap.metadata.name}: ${key}`;
        expect(key, where).not.toMatch(/pass|secret|token|credential|database_url|private/i);
        expect(value, where).not.toMatch(/:\/\/[^/\s:@]+:[^@\s]+@/);
        expect(value, where).not.toMatch(/-----BEGIN|password\s*[:=]/i);
        for (const secret of secretValues) expect(value.includes(secret), where).toBe(false);
      }
    }
    for (const { container } of containers(objects)) {
      for (const variable of container.env ?? []) {
        if (/DATABASE_URL|PASSWORD/.test(variable.name))
          expect(variable.valueFrom?.secretKeyRef).toBeDefined();
      }
    }
  });

  it('configures the orchestrator with values its configuration accepts', () => {
    const environment = orchestratorEnvironment(objectsOf(name));
    const config = loadConfig(environment);
    expect(config.HOST).toBe('0.0.0.0');
    expect(config.ENGINE_MODULES).toEqual([]);
    expect(config.HELM_BIN).toBe('/usr/local/bin/helm');
    expect(config.DASHBOARD_DIR).toBe('/app/apps/dashboard/dist');
  });
});

describe('orchestrator configuration', { timeout: 60_000 }, () => {
  it('lets values set every variable of apps/orchestrator/src/config.ts', () => {
    const variables = orchestratorVariables();
    expect(variables.length).toBeGreaterThan(30);
    const environment = orchestratorEnvironment(objectsOf('options'));
    expect(variables.filter((variable) => !(variable in environment))).toEqual([]);
  });

  it('documents in the chart README which value sets each variable', () => {
    const readme = readFileSync(join(CHART, 'README.md'), 'utf8');
    expect(orchestratorVariables().filter((variable) => !readme.includes(`\`${variable}\``))).toEqual([]);
  });

  it('passes the options through unchanged', () => {
    const config = loadConfig(orchestratorEnvironment(objectsOf('options')));
    expect(config.ENVIRONMENT).toBe('production');
    expect(config.STORAGE_CLASS).toBe('fast-ssd');
    expect(config.RESOURCE_PREFIX).toBe('shop-');
    expect(config.CORS_ORIGINS).toEqual(['https://admin.example.net', 'https://ops.example.net']);
    expect(config.ADMIN_EMAILS).toEqual(['ops@example.net', 'cto@example.net']);
    expect(config.SIGNUP_ENABLED).toBe(false);
    expect(config.BODY_LIMIT_BYTES).toBe(1048576);
    expect(config.MAX_STORES).toBe(100000);
    expect(config.KUBECONFIG).toBe('/etc/storefleet/kubeconfig/config');
    expect(config.STORE_CLUSTER_ROLE).toBe('acme-storefleet-store');
    expect(config.ORCHESTRATOR_SERVICE_ACCOUNT).toBe('platform/orchestrator');
    expect(config.backupDir).toBe('/var/lib/storefleet/store-backups');
    expect(config.BACKUP_QUOTA_BYTES).toBe(5368709120);
    expect(config.PLATFORM_INTERNAL_URL).toBe('https://storefleet-internal.example.net');
    expect(config.IDLE_SLEEP_AFTER).toBe(2 * 3_600_000);
    expect(config.INGRESS_METRICS_URL).toBe('http://traefik-metrics.kube-system.svc:9100/metrics');
    expect(config.PUBLISH_INGRESS_FALLBACK).toBe(false);
    expect(config.STORE_TLS).toEqual({ mode: 'cluster-issuer', name: 'letsencrypt-prod' });
    expect(config.STORE_URL_TLS_PORT).toBe(8443);
    expect(config.DOMAIN_DNS_SERVERS).toEqual(['1.1.1.1', '9.9.9.9:53']);
    expect(config.DOMAIN_INGRESS_ADDRESS).toBe('203.0.113.10');
    expect(config.DOMAIN_TLS_PROBE_ADDRESS).toBe('traefik.kube-system.svc:443');
    expect(config.DOMAIN_ISSUE_TIMEOUT).toBe(15 * 60_000);
    expect(config.engineValuesFiles.woocommerce).toEqual([
      '/etc/extra/store.yaml',
      '/etc/storefleet/store-values/values.yaml',
    ]);
    expect(config.INGRESS_URL).toBe('http://traefik.kube-system.svc');
  });

  it('gives the backup, quota and internal address defaults the orchestrator expects in a cluster', () => {
    const config = loadConfig(orchestratorEnvironment(objectsOf('prod')));
    expect(config.backupDir).toBe('/store-backups');
    expect(config.BACKUP_QUOTA_BYTES).toBe(2 * 1024 ** 3);
    // The orchestrator Service, as pods in store namespaces reach it.
    expect(config.PLATFORM_INTERNAL_URL).toBe('http://storefleet-orchestrator.storefleet.svc:80');
    // The chart renders the ingress's default backend itself.
    expect(config.PUBLISH_INGRESS_FALLBACK).toBe(false);
    expect(config.IDLE_SLEEP_AFTER).toBeUndefined();
    expect(config.INGRESS_METRICS_URL).toBeUndefined();
  });

  it('leaves PLATFORM_INTERNAL_URL unset when asked to, or when the stores run in another cluster', () => {
    const disabled = orchestratorEnvironment(render({ values: { config: { platformInternalUrl: '' } } }));
    expect(disabled.PLATFORM_INTERNAL_URL).toBeUndefined();
    const remote = orchestratorEnvironment(render({ values: { kubeconfig: { existingSecret: 'other' } } }));
    expect(remote.PLATFORM_INTERNAL_URL).toBeUndefined();
  });

  it('leaves the store role to the kubeconfig when the chart creates no RBAC', () => {
    const environment = orchestratorEnvironment(render({ values: { rbac: { create: false } } }));
    expect(environment.STORE_CLUSTER_ROLE).toBeUndefined();
    expect(environment.ORCHESTRATOR_SERVICE_ACCOUNT).toBeUndefined();
  });
});

describe('the store role', { timeout: 60_000 }, () => {
  const storeRoleRules = (): { apiGroups: string[]; resources: string[]; verbs: string[] }[] =>
    find(render({}), 'ClusterRole', 'storefleet-store').rules;

  it('lets the orchestrator manage every kind of object the store chart renders', () => {
    const rules = storeRoleRules();
    const cases = [STORE_SCENARIOS.local, STORE_SCENARIOS.prod, STORE_OPTIONS_CASE];
    const kinds = new Map<string, string>();
    for (const input of cases) {
      for (const object of renderStore(input)) kinds.set(object.kind, object.apiVersion);
    }
    expect(kinds.size).toBeGreaterThan(10);
    const missing = [...kinds].filter(([kind, apiVersion]) => {
      const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
      const resource = kind === 'Ingress' ? 'ingresses' : `${kind.toLowerCase().replace(/y$/, 'ie')}s`;
      return !rules.some(
        (rule) =>
          rule.apiGroups.includes(group ?? '') &&
          rule.resources.includes(resource) &&
          ['create', 'update', 'patch', 'delete'].every((verb) => rule.verbs.includes(verb)),
      );
    });
    expect(missing).toEqual([]);
  });

  it("lets the orchestrator exec into store pods (backups and restores) and read their logs (a failure's last words), and nothing more on pods", () => {
    const rules = storeRoleRules();
    const onPods = rules.filter((rule) => rule.resources.some((resource) => resource.startsWith('pods')));
    expect(onPods.map((rule) => [rule.resources, rule.verbs])).toEqual([
      [
        ['pods', 'events'],
        ['get', 'list', 'watch'],
      ],
      [['pods/exec'], ['get', 'create']],
      [['pods/log'], ['get']],
    ]);
    // Only inside store namespaces: the orchestrator's own ClusterRole has no exec anywhere.
    const own: { resources?: string[] }[] = find(render({}), 'ClusterRole', 'storefleet-orchestrator').rules;
    expect(
      own.flatMap((rule) => rule.resources ?? []).filter((resource) => resource.includes('/exec')),
    ).toEqual([]);
  });
});
