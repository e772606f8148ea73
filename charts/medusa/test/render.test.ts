// Golden renders (values in, manifests out), the values the chart must refuse, and what every render
// must hold: labels, guardrails, the image contract's environment, and the network paths.
// Regenerate the golden files after an intended change: UPDATE_GOLDEN=1 vitest run charts/medusa
// (*.yaml.golden, not *.yaml: they hold helm's output byte for byte, which a YAML formatter would change.)
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineModule } from '../../../apps/orchestrator/src/engines/registry.ts';
import { quantity } from '../../store/test/support/quantity.ts';
import { describeGoldenRenders, describeRefusals } from '../../test-support/chart-suites.ts';
import {
  CHART,
  containers,
  envOf,
  find,
  helm,
  type LabelSelector,
  type Manifest,
  OPTIONS_CASE,
  orchestratorValues,
  podSpecOf,
  type RenderInput,
  render,
  renderError,
  renderText,
  SCENARIOS,
  selects,
  VALUES_LOCAL,
  valueArgs,
  workloadOf,
  workloads,
} from './support/chart.ts';

const goldenCases: Record<string, RenderInput> = {
  // What the orchestrator installs on a laptop cluster and on the test control plane.
  local: SCENARIOS.local,
  // Production: TLS through cert-manager, Redis and a worker, 2 servers with a PDB, bigger resources.
  prod: SCENARIOS.prod,
  // A plain `helm install` with the defaults: host from the release name.
  defaults: { release: 'demo', namespace: 'demo' },
  // Every optional switch the other cases leave alone.
  options: OPTIONS_CASE,
};

const RENDERED = { ...goldenCases, standalone: SCENARIOS.standalone };

describeGoldenRenders(join(CHART, 'test', 'golden'), renderText, goldenCases);

{
  const local = (values: Record<string, unknown>): RenderInput => ({
    files: [VALUES_LOCAL],
    values: { ...orchestratorValues('cube-shop'), ...values },
  });
  const cases: [string, RenderInput, RegExp[]][] = [
    [
      'a worker without Redis',
      local({ worker: { enabled: true } }),
      [/worker.enabled needs redis.enabled=true/, /event bus/],
    ],
    [
      'several servers without Redis',
      local({ medusa: { replicas: 2 } }),
      [/medusa.replicas=2 needs redis.enabled=true/],
    ],
    [
      'a slug that is not a DNS label',
      local({ store: { slug: 'Cube_Shop' } }),
      [/\/store\/slug/, /does not match pattern/],
    ],
    ['an unknown key', local({ medusa: { replica: 2 } }), [/additional properties 'replica' not allowed/]],
    ['an unknown top-level key', local({ engine: 'medusa' }), [/additional properties 'engine' not allowed/]],
    ['no replicas', local({ medusa: { replicas: 0 } }), [/\/medusa\/replicas/, /minimum/]],
    ['a currency that is not ISO 4217', local({ seed: { currency: 'EURO' } }), [/\/seed\/currency/]],
    ['no countries', local({ seed: { countries: [] } }), [/\/seed\/countries/]],
    ['an unknown pull policy', local({ imagePullPolicy: 'Sometimes' }), [/\/imagePullPolicy/]],
    [
      'a volume size that is not a quantity',
      local({ persistence: { size: 'a lot' } }),
      [/\/persistence\/size/, /does not match pattern/],
    ],
    [
      'resources without limits',
      local({ database: { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: null } } }),
      [/\/database\/resources/, /missing property 'limits'/],
    ],
    [
      'a malformed host',
      local({ ingress: { className: 'traefik', host: 'Not A Host' } }),
      [/\/ingress\/host/],
    ],
    [
      'TLS without a certificate source',
      local({ ingress: { className: 'traefik', host: 'cube-shop.localhost', tls: { enabled: true } } }),
      [/ingress.tls.enabled needs ingress.tls.secretName/],
    ],
    [
      'generating the Secret without a cluster to read it back from',
      local({ secret: { create: true } }),
      [
        /secret.create=true generates the store credentials on the cluster/,
        /Create the Secret "store-credentials"/,
      ],
    ],
  ];
  describeRefusals(renderError, cases);
}

describe('re-running the setup', { timeout: 30_000 }, () => {
  it('runs a new Job for each new setup.rerun value, and keeps the name while the value stays', () => {
    const jobName = (rerun: string) =>
      find(render({ ...SCENARIOS.local, values: { ...SCENARIOS.local.values, setup: { rerun } } }), 'Job')
        .metadata.name;
    expect(jobName('')).toBe(find(render(SCENARIOS.local), 'Job').metadata.name);
    expect(jobName('')).toMatch(/^store-cube-shop-setup-[0-9a-f]{8}$/);
    expect(jobName('2026-11-29')).not.toBe(jobName(''));
    expect(jobName('2026-11-29')).toBe(jobName('2026-11-29'));
  });

  it('is a plain Job, not a hook, with few retries and a generous deadline', () => {
    const job = find(render(SCENARIOS.local), 'Job');
    expect(job.metadata.annotations?.['helm.sh/hook']).toBeUndefined();
    expect(job.spec.backoffLimit).toBe(2);
    expect(job.spec.activeDeadlineSeconds).toBe(900);
    expect(podSpecOf(job).restartPolicy).toBe('Never');
  });
});

describe('components and labels', { timeout: 30_000 }, () => {
  const components = (objects: Manifest[]) =>
    workloads(objects)
      .map((w) => `${w.kind}/${w.metadata.labels?.['app.kubernetes.io/component']}`)
      .sort();

  it('are database, app, storefront and setup locally; redis and worker join in production', () => {
    expect(components(render(SCENARIOS.local))).toEqual([
      'Deployment/app',
      'Deployment/storefront',
      'Job/setup',
      'StatefulSet/database',
    ]);
    expect(components(render(SCENARIOS.prod))).toEqual([
      'Deployment/app',
      'Deployment/redis',
      'Deployment/storefront',
      'Deployment/worker',
      'Job/setup',
      'StatefulSet/database',
    ]);
  });

  it('label every workload and pod with the instance, the component, the store and its owner', () => {
    for (const [name, input] of Object.entries({ local: SCENARIOS.local, prod: SCENARIOS.prod })) {
      for (const workload of workloads(render(input))) {
        const component = workload.metadata.labels?.['app.kubernetes.io/component'];
        for (const labels of [workload.metadata.labels, workload.spec.template.metadata.labels]) {
          expect(labels, `${name} ${workload.metadata.name}`).toMatchObject({
            'app.kubernetes.io/instance': 'store-cube-shop',
            'app.kubernetes.io/component': component,
            'storefleet.io/store-id': '3f6c1f0e-5b7a-4c1e-9d2a-0b8e7c6d5a41',
            'storefleet.io/owner': 'merchant-1',
            'storefleet.io/engine': 'medusa',
          });
        }
        // Each selector picks its own component's pods only.
        if (workload.kind !== 'Job') {
          expect(workload.spec.selector.matchLabels['app.kubernetes.io/component']).toBe(component);
        }
      }
    }
  });
});

describe('guardrails on every pod', { timeout: 30_000 }, () => {
  it('run non-root with a read-only root filesystem, no capabilities, and ephemeral-storage requests and limits', () => {
    for (const [name, input] of Object.entries(RENDERED)) {
      for (const { workload, container } of containers(render(input))) {
        const where = `${name} ${workload.metadata.name}/${container.name}`;
        const pod = podSpecOf(workload);
        expect(container.securityContext?.readOnlyRootFilesystem, where).toBe(true);
        expect(container.securityContext?.allowPrivilegeEscalation, where).toBe(false);
        expect(container.securityContext?.privileged, where).toBe(false);
        expect(container.securityContext?.capabilities?.drop, where).toEqual(['ALL']);
        expect(container.resources?.requests?.['ephemeral-storage'], where).toBeDefined();
        expect(container.resources?.limits?.['ephemeral-storage'], where).toBeDefined();
        expect(container.resources?.limits?.memory, where).toBeDefined();
        expect(container.imagePullPolicy, where).toBe(name === 'options' ? 'Always' : 'IfNotPresent');
        expect(pod.automountServiceAccountToken, where).toBe(false);
        expect(pod.securityContext.seccompProfile, where).toEqual({ type: 'RuntimeDefault' });
        if (container.name === 'volume-permissions') {
          // Root, only to hand the data directory over.
          expect(container.securityContext?.runAsUser).toBe(0);
          expect(container.securityContext?.capabilities?.add).toEqual(['CHOWN', 'FOWNER', 'DAC_OVERRIDE']);
        } else {
          expect(pod.securityContext.runAsNonRoot, where).toBe(true);
          expect(
            container.securityContext?.runAsUser ?? pod.securityContext.runAsUser,
            where,
          ).toBeGreaterThan(0);
        }
        for (const volume of pod.volumes ?? []) {
          if (volume.emptyDir) expect(volume.emptyDir.sizeLimit, `${where} ${volume.name}`).toBeDefined();
        }
      }
    }
  });

  it('run Medusa as uid 1000 and PostgreSQL as 999; the volume fix-up is on locally, off by default and in production', () => {
    const local = render(SCENARIOS.local);
    expect(podSpecOf(workloadOf(local, 'app')).securityContext.runAsUser).toBe(1000);
    expect(podSpecOf(workloadOf(local, 'database')).securityContext.runAsUser).toBe(999);
    const initNames = (objects: Manifest[]) =>
      (podSpecOf(workloadOf(objects, 'database')).initContainers ?? []).map((c: { name: string }) => c.name);
    expect(initNames(local)).toEqual(['volume-permissions']);
    expect(initNames(render(SCENARIOS.prod))).toEqual([]);
    expect(initNames(render(SCENARIOS.standalone))).toEqual([]);
  });

  it('place every pod with the top-level nodeSelector and tolerations', () => {
    const objects = render(OPTIONS_CASE);
    expect(workloads(objects)).toHaveLength(6);
    for (const workload of workloads(objects)) {
      const pod = podSpecOf(workload);
      expect(pod.nodeSelector, workload.metadata.name).toEqual({ 'storefleet.io/pool': 'stores' });
      expect(pod.tolerations, workload.metadata.name).toEqual(OPTIONS_CASE.values.tolerations);
      expect(pod.imagePullSecrets, workload.metadata.name).toEqual([{ name: 'registry-credentials' }]);
    }
    for (const workload of workloads(render(SCENARIOS.local))) {
      expect(podSpecOf(workload).nodeSelector).toBeUndefined();
      expect(podSpecOf(workload).tolerations).toBeUndefined();
    }
  });

  it('have probes: a startup probe on /health for the server, pg_isready for the database', () => {
    const objects = render(SCENARIOS.prod);
    const server = podSpecOf(workloadOf(objects, 'app')).containers[0];
    expect(server.startupProbe.httpGet.path).toBe('/health');
    expect(server.readinessProbe.httpGet.path).toBe('/health');
    const storefront = podSpecOf(workloadOf(objects, 'storefront')).containers[0];
    expect(storefront.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    const database = podSpecOf(workloadOf(objects, 'database')).containers[0];
    expect(database.readinessProbe.exec.command[0]).toBe('pg_isready');
    expect(database.livenessProbe).not.toEqual(database.readinessProbe);
  });
});

describe('the image contract', { timeout: 30_000 }, () => {
  it('runs one image with the roles serve, setup and storefront', () => {
    const objects = render(SCENARIOS.prod);
    const roles = Object.fromEntries(
      containers(objects)
        .filter(({ container }) => container.image.startsWith('storefleet.local/medusa'))
        .map(({ workload, container }) => [
          workload.metadata.labels?.['app.kubernetes.io/component'],
          container.args,
        ]),
    );
    expect(roles).toEqual({
      app: ['serve'],
      worker: ['serve'],
      setup: ['setup'],
      storefront: ['storefront'],
    });
    const images = [...new Set(containers(objects).map(({ container }) => container.image))].sort();
    expect(images).toEqual([
      'docker.io/library/redis:7.4-alpine',
      'storefleet.local/medusa:2.21.2',
      'storefleet.local/postgres:15',
    ]);
    expect(workloadOf(render(OPTIONS_CASE), 'app').spec.template.spec.containers[0].image).toBe(
      `registry.acme.test/shop/medusa@sha256:${'c'.repeat(64)}`,
    );
  });

  it('gives serve its environment, DATABASE_URL built from DATABASE_PASSWORD declared before it', () => {
    const server = podSpecOf(workloadOf(render(SCENARIOS.local), 'app')).containers[0];
    const names = server.env.map((e: { name: string }) => e.name);
    expect(names.indexOf('DATABASE_PASSWORD')).toBeLessThan(names.indexOf('DATABASE_URL'));
    expect(envOf(server)).toEqual({
      DATABASE_PASSWORD: { secretKeyRef: { name: 'store-credentials', key: 'database-password' } },
      DATABASE_URL:
        'postgres://medusa:$(DATABASE_PASSWORD)@store-cube-shop-database:5432/medusa?sslmode=disable',
      JWT_SECRET: { secretKeyRef: { name: 'store-credentials', key: 'jwt-secret' } },
      COOKIE_SECRET: { secretKeyRef: { name: 'store-credentials', key: 'cookie-secret' } },
      STORE_CORS: 'http://cube-shop.localhost',
      ADMIN_CORS: 'http://cube-shop.localhost',
      AUTH_CORS: 'http://cube-shop.localhost',
      PORT: '9000',
      NODE_ENV: 'production',
      MEDUSA_DISABLE_TELEMETRY: 'true',
      MEDUSA_WORKER_MODE: 'shared',
    });
  });

  it('splits server and worker only with the worker on, both on Redis', () => {
    const objects = render(SCENARIOS.prod);
    const env = (component: string) => envOf(podSpecOf(workloadOf(objects, component)).containers[0]);
    expect(env('app').MEDUSA_WORKER_MODE).toBe('server');
    expect(env('worker').MEDUSA_WORKER_MODE).toBe('worker');
    for (const component of ['app', 'worker', 'setup']) {
      expect(env(component).REDIS_URL, component).toBe('redis://store-cube-shop-redis:6379');
      expect(env(component).STORE_CORS, component).toBe('https://cube-shop.stores.example.com');
    }
  });

  it('gives the setup the admin login, the store name and the seed', () => {
    const setup = (input: RenderInput) => envOf(podSpecOf(find(render(input), 'Job')).containers[0]);
    expect(setup(SCENARIOS.local)).toMatchObject({
      MEDUSA_ADMIN_EMAIL: { secretKeyRef: { name: 'store-credentials', key: 'admin-email' } },
      MEDUSA_ADMIN_PASSWORD: { secretKeyRef: { name: 'store-credentials', key: 'admin-password' } },
      STORE_NAME: 'Cube Shop',
      STORE_CURRENCY: 'eur',
      STORE_COUNTRIES: 'de,fr,nl,gb,us',
      DATABASE_URL:
        'postgres://medusa:$(DATABASE_PASSWORD)@store-cube-shop-database:5432/medusa?sslmode=disable',
    });
    // Its last log lines become the termination message the store's condition quotes.
    expect(podSpecOf(find(render(SCENARIOS.local), 'Job')).containers[0].terminationMessagePolicy).toBe(
      'FallbackToLogsOnError',
    );
    expect(setup(OPTIONS_CASE)).toMatchObject({
      STORE_NAME: 'Acme Outdoor Supplies',
      STORE_CURRENCY: 'usd',
      STORE_COUNTRIES: 'us,ca',
    });
  });

  it('needs nothing from the Secret in the storefront but reads only existingSecret elsewhere', () => {
    const objects = render(SCENARIOS.standalone);
    expect(podSpecOf(workloadOf(objects, 'storefront')).containers[0].env).toEqual([
      { name: 'PORT', value: '8000' },
    ]);
    const secrets = new Set(
      containers(objects).flatMap(({ container }) =>
        (container.env ?? []).flatMap((e) =>
          e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef.name] : [],
        ),
      ),
    );
    expect([...secrets]).toEqual(['demo-credentials']);
  });

  it('initialises PostgreSQL as user and database medusa below the mount point', () => {
    const database = podSpecOf(workloadOf(render(SCENARIOS.local), 'database')).containers[0];
    expect(envOf(database)).toEqual({
      POSTGRES_USER: 'medusa',
      POSTGRES_DB: 'medusa',
      POSTGRES_PASSWORD: { secretKeyRef: { name: 'store-credentials', key: 'database-password' } },
      PGDATA: '/var/lib/postgresql/data/pgdata',
    });
  });
});

describe('ingress', { timeout: 30_000 }, () => {
  it('sends the APIs, the admin and /health to Medusa and the rest to the storefront', () => {
    const ingress = find(render(SCENARIOS.local), 'Ingress');
    const rule = ingress.spec.rules[0];
    expect(rule.host).toBe('cube-shop.localhost');
    const routes = Object.fromEntries(
      rule.http.paths.map((p: { path: string; backend: { service: { name: string } } }) => [
        p.path,
        p.backend.service.name,
      ]),
    );
    expect(routes).toEqual({
      '/store': 'store-cube-shop-app',
      '/auth': 'store-cube-shop-app',
      '/admin': 'store-cube-shop-app',
      '/app': 'store-cube-shop-app',
      '/storefront': 'store-cube-shop-app',
      '/health': 'store-cube-shop-app',
      '/': 'store-cube-shop-storefront',
    });
    expect(ingress.spec.tls).toBeUndefined();
  });

  it('serves TLS with a cert-manager certificate in production', () => {
    const ingress = find(render(SCENARIOS.prod), 'Ingress', 'store-cube-shop');
    expect(ingress.metadata.annotations).toEqual({
      'cert-manager.io/cluster-issuer': 'letsencrypt-prod',
      // http is redirected to https (ingress-redirect-suite.ts): the routes serve https only.
      'traefik.ingress.kubernetes.io/router.entrypoints': 'websecure',
    });
    expect(ingress.spec.tls).toEqual([
      { hosts: ['cube-shop.stores.example.com'], secretName: 'store-cube-shop-tls' },
    ]);
  });
});

/** Whether the NetworkPolicies let `from` reach `to` on `port` (both pods of the render). */
function allowed(objects: Manifest[], from: string, to: string, port: number): boolean {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const labelsOf = (component: string) => workloadOf(objects, component).spec.template.metadata.labels;
  const peerMatches = (
    peer: { podSelector?: LabelSelector; namespaceSelector?: unknown },
    labels: Record<string, string>,
  ) =>
    peer.podSelector !== undefined &&
    peer.namespaceSelector === undefined &&
    selects(peer.podSelector, labels);
  const portMatches = (ports: { port: number }[] | undefined) => !ports || ports.some((p) => p.port === port);
  const egress = policies.some(
    (p) =>
      p.spec.policyTypes.includes('Egress') &&
      selects(p.spec.podSelector, labelsOf(from)) &&
      (p.spec.egress ?? []).some(
        (rule: { to?: []; ports?: [] }) =>
          (rule.to ?? []).some((peer) => peerMatches(peer, labelsOf(to))) && portMatches(rule.ports),
      ),
  );
  const ingress = policies.some(
    (p) =>
      p.spec.policyTypes.includes('Ingress') &&
      selects(p.spec.podSelector, labelsOf(to)) &&
      (p.spec.ingress ?? []).some(
        (rule: { from?: []; ports?: [] }) =>
          (rule.from ?? []).some((peer) => peerMatches(peer, labelsOf(from))) && portMatches(rule.ports),
      ),
  );
  return egress && ingress;
}

describe('network policies', { timeout: 30_000 }, () => {
  const prod = render(SCENARIOS.prod);

  it('deny everything by default, for every pod', () => {
    const deny = find(prod, 'NetworkPolicy', 'store-cube-shop-default-deny');
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it('let the Medusa processes, and only them, reach the database and Redis', () => {
    for (const client of ['app', 'worker', 'setup']) {
      expect(allowed(prod, client, 'database', 5432), client).toBe(true);
      expect(allowed(prod, client, 'redis', 6379), client).toBe(true);
    }
    for (const stranger of ['storefront', 'redis']) {
      expect(allowed(prod, stranger, 'database', 5432), stranger).toBe(false);
    }
    expect(allowed(prod, 'storefront', 'redis', 6379)).toBe(false);
    expect(allowed(prod, 'app', 'database', 3306)).toBe(false);
    expect(allowed(prod, 'storefront', 'app', 9000)).toBe(false);
  });

  it('let the ingress controller reach the server on 9000 and the storefront on 8000', () => {
    const fromIngress = (component: string) =>
      find(prod, 'NetworkPolicy', `store-cube-shop-${component}-from-ingress`);
    expect(fromIngress('app').spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
        ports: [{ protocol: 'TCP', port: 9000 }],
      },
    ]);
    expect(fromIngress('storefront').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8000 }]);
    expect(
      selects(
        fromIngress('storefront').spec.podSelector,
        workloadOf(prod, 'app').spec.template.metadata.labels,
      ),
    ).toBe(false);
  });

  it("let the platform's orchestrator pods, when the orchestrator names their namespace, reach the server on 9000", () => {
    const names = (objects: Manifest[]) =>
      objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name);
    expect(names(prod)).not.toContain('store-cube-shop-app-from-platform');
    const withPlatform = render({
      ...SCENARIOS.prod,
      values: { ...SCENARIOS.prod.values, networkPolicy: { platformNamespace: 'storefleet' } },
    });
    const policy = find(withPlatform, 'NetworkPolicy', 'store-cube-shop-app-from-platform');
    expect(policy.spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storefleet' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/component': 'orchestrator' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 9000 }],
      },
    ]);
    expect(
      selects(policy.spec.podSelector, workloadOf(withPlatform, 'app').spec.template.metadata.labels),
    ).toBe(true);
  });

  it('give DNS and the internet only to the Medusa processes, internet only where switched on', () => {
    const labels = (objects: Manifest[], component: string) =>
      workloadOf(objects, component).spec.template.metadata.labels;
    const selecting = (objects: Manifest[], name: string) =>
      ['app', 'worker', 'setup', 'storefront', 'database', 'redis'].filter((component) =>
        selects(find(objects, 'NetworkPolicy', name).spec.podSelector, labels(objects, component)),
      );
    expect(selecting(prod, 'store-cube-shop-dns')).toEqual(['app', 'worker', 'setup']);
    expect(selecting(prod, 'store-cube-shop-internet')).toEqual(['app', 'worker']);
    expect(find(prod, 'NetworkPolicy', 'store-cube-shop-internet').spec.egress[0].ports).toEqual([
      { protocol: 'TCP', port: 443 },
    ]);
    expect(render(SCENARIOS.local).filter((o) => o.metadata.name === 'store-cube-shop-internet')).toEqual([]);
  });

  it('are left out with networkPolicy.enabled=false', () => {
    expect(render(OPTIONS_CASE).filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
  });
});

describe('quota and disruption budget', { timeout: 30_000 }, () => {
  /**
   * The most the store's pods may hold at once: every Deployment with its surge pod (Redis is
   * recreated, not surged), the database (its init container counts when larger), and the setup Job.
   */
  const peak = (objects: Manifest[], field: 'requests' | 'limits', resource: 'cpu' | 'memory') =>
    workloads(objects).reduce((sum, workload) => {
      const pod = podSpecOf(workload);
      const total = (list: { resources?: { [k: string]: Record<string, string> | undefined } }[]) =>
        list.reduce((s, c) => s + quantity(c.resources?.[field]?.[resource] ?? '0'), 0);
      const perPod = Math.max(
        total(pod.containers),
        ...(pod.initContainers ?? []).map((c: never) => total([c])),
      );
      const surge = workload.spec.strategy?.type === 'RollingUpdate' ? 1 : 0;
      return sum + perPod * ((workload.spec.replicas ?? 1) + surge);
    }, 0);

  for (const [name, input] of Object.entries({
    local: SCENARIOS.local,
    prod: SCENARIOS.prod,
    defaults: goldenCases.defaults,
  })) {
    it(`fits the ${name} store during a rolling update with the setup Job running`, () => {
      const objects = render(input as RenderInput);
      const hard = find(objects, 'ResourceQuota').spec.hard;
      const limitRange = find(objects, 'LimitRange').spec.limits[0];
      for (const field of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory'] as const) {
          expect(peak(objects, field, resource), `${field}.${resource}`).toBeLessThanOrEqual(
            quantity(hard[`${field}.${resource}`]),
          );
        }
      }
      for (const { container } of containers(objects)) {
        expect(quantity(container.resources?.limits?.memory ?? '0')).toBeLessThanOrEqual(
          quantity(limitRange.max.memory),
        );
        expect(quantity(container.resources?.limits?.cpu ?? '0')).toBeLessThanOrEqual(
          quantity(limitRange.max.cpu),
        );
      }
      const pods = workloads(objects).reduce((n, w) => n + (w.spec.replicas ?? 1) + 1, 0);
      expect(pods).toBeLessThanOrEqual(Number(hard.pods));
    });
  }

  it('keeps a server up through voluntary disruptions when there are several', () => {
    const pdb = find(render(SCENARIOS.prod), 'PodDisruptionBudget', 'store-cube-shop-app');
    expect(pdb.spec).toEqual({
      maxUnavailable: 1,
      selector: {
        matchLabels: {
          'app.kubernetes.io/name': 'medusa',
          'app.kubernetes.io/instance': 'store-cube-shop',
          'app.kubernetes.io/component': 'app',
        },
      },
    });
    // One server: a budget would block node drains for nothing.
    const single = render({
      ...SCENARIOS.local,
      values: { ...SCENARIOS.local.values, podDisruptionBudget: { enabled: true } },
    });
    expect(single.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
  });
});

describe('notes', { timeout: 30_000 }, () => {
  it('give the storefront and admin URLs and how to read the admin login', () => {
    // helm prints NOTES.txt after an install; a client-side dry run renders it without a cluster.
    const result = helm([
      'install',
      'store-cube-shop',
      CHART,
      '--dry-run=client',
      ...valueArgs(SCENARIOS.prod),
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('Storefront:  https://cube-shop.stores.example.com/');
    expect(result.stdout).toContain('Admin:       https://cube-shop.stores.example.com/app');
    expect(result.stdout).toContain("-o jsonpath='{.data.admin-password}' | base64 -d");
  });
});

describe('the images the engine module names', { timeout: 30_000 }, () => {
  it('are exactly the images a local store runs (what the real node must hold)', () => {
    const images = new Set(containers(render(SCENARIOS.local)).map(({ container }) => container.image));
    expect([...images].sort()).toEqual([...engineModule('medusa').images.refs].sort());
  });
});
