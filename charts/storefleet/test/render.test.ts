// Golden renders (values in, manifests out), the names other parts of the project rely on, and the
// values the chart must refuse. Regenerate the golden files after an intended change:
//   UPDATE_GOLDEN=1 npx vitest run charts/storefleet
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CHART,
  find,
  helm,
  type Manifest,
  OPTIONS_VALUES,
  podSpec,
  type RenderInput,
  render,
  renderError,
  renderText,
  SCENARIOS,
  VALUES_LOCAL,
  VALUES_PROD,
  withoutGeneratedSecrets,
} from './support/chart.ts';

const GOLDEN = join(CHART, 'test', 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

describe('golden renders', { timeout: 60_000 }, () => {
  for (const [name, input] of Object.entries(SCENARIOS)) {
    it(`renders the ${name} case as in golden/${name}.yaml.golden`, () => {
      const file = join(GOLDEN, `${name}.yaml.golden`);
      const actual = withoutGeneratedSecrets(renderText(input));
      if (update || !existsSync(file)) {
        if (!update) throw new Error(`${file} is missing: run with UPDATE_GOLDEN=1 to create it`);
        mkdirSync(GOLDEN, { recursive: true });
        writeFileSync(file, actual);
      }
      expect(actual).toBe(readFileSync(file, 'utf8'));
    });
  }
});

describe('one resource per template', { timeout: 60_000 }, () => {
  it('renders at most one object from each template file', () => {
    for (const input of [SCENARIOS.prod, SCENARIOS.options]) {
      const sources = Array.from(renderText(input ?? {}).matchAll(/^# Source: (.+)$/gm), (m) => m[1]);
      expect(sources.length).toBeGreaterThan(10);
      expect(sources.filter((source, i) => sources.indexOf(source) !== i)).toEqual([]);
    }
  });
});

describe('names', { timeout: 60_000 }, () => {
  const clusterScoped = (objects: Manifest[]) =>
    objects
      .filter((o) =>
        [
          'ClusterRole',
          'ClusterRoleBinding',
          'ValidatingAdmissionPolicy',
          'ValidatingAdmissionPolicyBinding',
        ].includes(o.kind),
      )
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .sort();

  it('keeps the names the orchestrator and its tests use for release "storefleet"', () => {
    const objects = render({ release: 'storefleet', namespace: 'storefleet' });
    expect(find(objects, 'ServiceAccount').metadata.name).toBe('storefleet-orchestrator');
    expect(clusterScoped(objects)).toEqual([
      'ClusterRole/storefleet-orchestrator',
      'ClusterRole/storefleet-store',
      'ClusterRoleBinding/storefleet-orchestrator',
      'ValidatingAdmissionPolicy/storefleet-orchestrator-store-namespaces-only',
      'ValidatingAdmissionPolicyBinding/storefleet-orchestrator-store-namespaces-only',
    ]);
    const config = find(objects, 'ConfigMap', 'storefleet-orchestrator').data ?? {};
    expect(config.STORE_CLUSTER_ROLE).toBe('storefleet-store');
    expect(config.ORCHESTRATOR_SERVICE_ACCOUNT).toBe('storefleet/storefleet-orchestrator');
  });

  it('gives a second release cluster-scoped names of its own, so that both can be installed', () => {
    const first = clusterScoped(render({ release: 'storefleet', namespace: 'storefleet' }));
    const second = render({ release: 'sf-chart-test', namespace: 'storefleet-chart-test' });
    expect(clusterScoped(second).filter((name) => first.includes(name))).toEqual([]);
    const policy = find(second, 'ValidatingAdmissionPolicy');
    expect(policy.spec.matchConditions[0].expression).toContain(
      'system:serviceaccount:storefleet-chart-test:sf-chart-test-storefleet-orchestrator',
    );
    const bindRule = find(second, 'ClusterRole', 'sf-chart-test-storefleet-orchestrator').rules.find(
      (rule: { verbs: string[] }) => rule.verbs.includes('bind'),
    );
    expect(bindRule.resourceNames).toEqual(['sf-chart-test-storefleet-store']);
  });

  it('uses rbac.clusterResourcePrefix for every cluster-scoped name', () => {
    const objects = render(SCENARIOS.options ?? {});
    expect(clusterScoped(objects).every((name) => name.split('/')[1]?.startsWith('acme-storefleet-'))).toBe(
      true,
    );
  });
});

describe('database modes', { timeout: 60_000 }, () => {
  const env = (object: Manifest) => podSpec(object)?.containers[0]?.env ?? [];

  it('embedded: PGlite on a volume, one replica, Recreate, no DATABASE_URL', () => {
    const objects = render({});
    const d = find(objects, 'Deployment');
    expect(d.spec.strategy.type).toBe('Recreate');
    expect(env(d).find((e) => e.name === 'DATABASE_URL')).toBeUndefined();
    expect(find(objects, 'PersistentVolumeClaim', 'storefleet-data').metadata.annotations).toEqual({
      'helm.sh/resource-policy': 'keep',
    });
    expect(objects.some((o) => o.kind === 'StatefulSet')).toBe(false);
  });

  it('existing: DATABASE_URL from the named Secret, rolling updates, no database objects', () => {
    const objects = render({
      values: {
        replicaCount: 3,
        database: { existingSecret: 'pg', existingSecretKey: 'uri' },
        storeBackups: { persistence: { accessMode: 'ReadWriteMany' } },
      },
    });
    const d = find(objects, 'Deployment');
    expect(d.spec.strategy.type).toBe('RollingUpdate');
    expect(env(d).find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({
      name: 'pg',
      key: 'uri',
    });
    expect(
      objects
        .filter((o) => ['StatefulSet', 'PersistentVolumeClaim', 'Secret'].includes(o.kind))
        .map((o) => `${o.kind}/${o.metadata.name}`),
    ).toEqual(['PersistentVolumeClaim/storefleet-store-backups']);
  });

  it('bundled PostgreSQL: a generated password Secret, a StatefulSet, and the orchestrator waits for it', () => {
    const objects = render({ files: [VALUES_PROD] });
    const secret = find(objects, 'Secret', 'storefleet-postgresql');
    const password = Buffer.from(secret.data?.password ?? '', 'base64').toString();
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(Buffer.from(secret.data?.['database-url'] ?? '', 'base64').toString()).toBe(
      `postgres://storefleet:${password}@storefleet-postgresql:5432/storefleet`,
    );
    const d = find(objects, 'Deployment');
    expect(podSpec(d)?.initContainers?.map((c) => c.name)).toEqual(['wait-for-postgresql']);
    // The orchestrator's uid has no entry in the PostgreSQL image: pg_isready needs a user name given.
    expect(podSpec(d)?.initContainers?.[0]?.command?.at(-1)).toContain('--username=storefleet;');
    expect(env(d).find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({
      name: 'storefleet-postgresql',
      key: 'database-url',
    });
    const statefulSet = find(objects, 'StatefulSet', 'storefleet-postgresql');
    expect(statefulSet.spec.template.spec.containers[0].image).toBe('postgres:17.7');
    expect(statefulSet.spec.persistentVolumeClaimRetentionPolicy.whenDeleted).toBe('Retain');
    expect(find(objects, 'CronJob').spec.jobTemplate.spec.template.spec.containers[0].env[0]).toEqual({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'storefleet-postgresql', key: 'database-url' } },
    });
  });

  it('bundled PostgreSQL with your Secret: nothing generated, the same render every time (helm template, GitOps)', () => {
    const input = {
      files: [VALUES_PROD],
      values: { database: { postgresql: { existingSecret: 'pg-credentials' } } },
    };
    const objects = render(input);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(renderText(input)).toBe(renderText(input));
    const references = objects.flatMap((object) =>
      (podSpec(object)
        ? [...(podSpec(object)?.initContainers ?? []), ...(podSpec(object)?.containers ?? [])]
        : []
      )
        .flatMap((container) => container.env ?? [])
        .flatMap((variable) =>
          variable.valueFrom?.secretKeyRef
            ? [
                `${object.kind} ${variable.name} ${variable.valueFrom.secretKeyRef.name}/${variable.valueFrom.secretKeyRef.key}`,
              ]
            : [],
        ),
    );
    expect(references.sort()).toEqual([
      'CronJob DATABASE_URL pg-credentials/database-url',
      'Deployment DATABASE_URL pg-credentials/database-url',
      'StatefulSet POSTGRES_PASSWORD pg-credentials/password',
    ]);
  });

  it('backups: the CronJob runs next to the server, whose pod mounts (and so binds) the backup volume', () => {
    const objects = render({
      files: [VALUES_PROD],
      values: { database: { backup: { timeZone: 'Europe/Berlin' } } },
    });
    const cronJob = find(objects, 'CronJob', 'storefleet-backup');
    expect(cronJob.spec.timeZone).toBe('Europe/Berlin');
    const pod = cronJob.spec.jobTemplate.spec.template.spec;
    expect(
      pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels,
    ).toEqual(find(objects, 'StatefulSet').spec.selector.matchLabels);
    expect(pod.volumes).toEqual([
      { name: 'backups', persistentVolumeClaim: { claimName: 'storefleet-backups' } },
    ]);
    const server = find(objects, 'StatefulSet').spec.template.spec;
    expect(server.volumes).toContainEqual({
      name: 'backups',
      persistentVolumeClaim: { claimName: 'storefleet-backups' },
    });
    expect(server.containers[0].volumeMounts).toContainEqual({
      name: 'backups',
      mountPath: '/backups',
      readOnly: true,
    });
  });

  it("volumePermissions: root init containers that may only chown hand the volumes to the pods' users", () => {
    const chown = (objects: ReturnType<typeof render>, kind: string) =>
      podSpec(find(objects, kind))?.initContainers?.find((c) => c.name === 'volume-permissions');
    const embedded = render({ values: { volumePermissions: { enabled: true } } });
    expect(chown(embedded, 'Deployment')?.command).toEqual(['chown', '1000:1000', '/data', '/store-backups']);
    const bundled = render({ files: [VALUES_PROD], values: { volumePermissions: { enabled: true } } });
    expect(chown(bundled, 'Deployment')?.command).toEqual(['chown', '1000:1000', '/store-backups']);
    expect(chown(bundled, 'StatefulSet')?.command).toEqual(['chown', '999:999', '/var/lib/postgresql/data']);
    for (const container of [chown(bundled, 'Deployment'), chown(bundled, 'StatefulSet')]) {
      expect(container?.securityContext).toMatchObject({
        runAsUser: 0,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'], add: ['CHOWN', 'FOWNER', 'DAC_OVERRIDE'] },
      });
    }
    // Off by default, and nothing to hand over when the volumes are emptyDirs.
    expect(chown(render({ files: [VALUES_PROD] }), 'StatefulSet')).toBeUndefined();
    const ephemeral = render({
      values: {
        volumePermissions: { enabled: true },
        database: { embedded: { persistence: { enabled: false } } },
        storeBackups: { persistence: { enabled: false } },
      },
    });
    expect(podSpec(find(ephemeral, 'Deployment'))?.initContainers).toBeUndefined();
  });

  it('keepOnUninstall=false lets helm uninstall delete the data', () => {
    const objects = render({ files: [VALUES_PROD], values: { database: { keepOnUninstall: false } } });
    expect(find(objects, 'Secret').metadata.annotations).toBeUndefined();
    expect(find(objects, 'PersistentVolumeClaim').metadata.annotations).toBeUndefined();
    expect(find(objects, 'StatefulSet').spec.persistentVolumeClaimRetentionPolicy.whenDeleted).toBe('Delete');
  });

  it('migrations as the schema owner run in an init container before the orchestrator', () => {
    const d = find(render(SCENARIOS.options ?? {}), 'Deployment');
    const migrate = podSpec(d)?.initContainers?.find((c) => c.name === 'migrate');
    expect(migrate?.command).toEqual(['node', '/app/images/orchestrator/migrate.ts']);
    expect(migrate?.env).toEqual([
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'platform-database-owner', key: 'url' } } },
    ]);
  });
});

/** The orchestrator's egress to the stores' apps (insights, the Medusa admin API). */
const STORE_APPS = {
  to: [
    {
      namespaceSelector: { matchLabels: { 'app.kubernetes.io/managed-by': 'storefleet' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/component': 'app' } },
    },
  ],
  ports: [
    { protocol: 'TCP', port: 9000 },
    { protocol: 'TCP', port: 8080 },
  ],
};

describe('network policies', { timeout: 60_000 }, () => {
  const policies = (objects: Manifest[]) =>
    Object.fromEntries(
      objects
        .filter((o) => o.kind === 'NetworkPolicy')
        .map((o) => [o.metadata.name.replace('storefleet-', ''), o]),
    );
  const selector = (component: string) => ({
    'app.kubernetes.io/name': 'storefleet',
    'app.kubernetes.io/instance': 'storefleet',
    'app.kubernetes.io/component': component,
  });

  it('denies everything in the namespace by default and lets every pod reach the DNS', () => {
    const byName = policies(render({ files: [VALUES_LOCAL] }));
    expect(Object.keys(byName).sort()).toEqual(['default-deny', 'dns', 'orchestrator']);
    expect(byName['default-deny']?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(byName.dns?.spec.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
  });

  it('in production: ingress controller -> orchestrator -> PostgreSQL and the API server, backup -> PostgreSQL', () => {
    const objects = render({ files: [VALUES_PROD] });
    const byName = policies(objects);
    expect(Object.keys(byName).sort()).toEqual([
      'acme-solver',
      'backup',
      'default-deny',
      'dns',
      'orchestrator',
      'postgresql',
    ]);
    const orchestrator = byName.orchestrator?.spec;
    expect(orchestrator.podSelector.matchLabels).toEqual(selector('orchestrator'));
    expect(orchestrator.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
        ports: [{ protocol: 'TCP', port: 'http' }],
      },
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'app.kubernetes.io/managed-by': 'storefleet' } },
            podSelector: {
              matchLabels: {
                'app.kubernetes.io/managed-by': 'storefleet',
                'app.kubernetes.io/component': 'backup-schedule',
              },
            },
          },
        ],
        ports: [{ protocol: 'TCP', port: 'http' }],
      },
    ]);
    expect(orchestrator.egress).toEqual([
      {
        to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
        ports: [
          { protocol: 'TCP', port: 443 },
          { protocol: 'TCP', port: 6443 },
        ],
      },
      STORE_APPS,
      {
        to: [{ podSelector: { matchLabels: selector('postgresql') } }],
        ports: [{ protocol: 'TCP', port: 5432 }],
      },
    ]);
    expect(byName.postgresql?.spec).toEqual({
      podSelector: { matchLabels: selector('postgresql') },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            { podSelector: { matchLabels: selector('orchestrator') } },
            { podSelector: { matchLabels: selector('backup') } },
          ],
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
      ],
    });
    expect(byName.backup?.spec.egress).toEqual([
      {
        to: [{ podSelector: { matchLabels: selector('postgresql') } }],
        ports: [{ protocol: 'TCP', port: 5432 }],
      },
    ]);
    // Each policy's selector is the pod template's labels of the workload it is meant for.
    expect(find(objects, 'StatefulSet').spec.template.metadata.labels).toEqual(selector('postgresql'));
    expect(find(objects, 'CronJob').spec.jobTemplate.spec.template.metadata.labels).toEqual(
      selector('backup'),
    );
    expect(find(objects, 'Deployment').spec.template.metadata.labels).toEqual(selector('orchestrator'));
  });

  it('narrows the API server and your own database to the given addresses, and adds extra ingress', () => {
    const objects = render({
      values: {
        database: { existingSecret: 'pg' },
        networkPolicy: {
          apiServerCidrs: ['10.0.0.10/32'],
          apiServerPorts: [6443],
          databaseCidrs: ['10.1.2.0/24'],
          databasePort: 6432,
          ingressNamespace: 'ingress-nginx',
          ingressPodLabels: { 'app.kubernetes.io/name': 'ingress-nginx' },
          extraIngress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'monitoring' } } }] }],
        },
      },
    });
    const orchestrator = policies(objects).orchestrator?.spec;
    expect(orchestrator.egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.0.0.10/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] },
      // The TLS check of custom domains, which the narrowed API server rule no longer lets out.
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      STORE_APPS,
      { to: [{ ipBlock: { cidr: '10.1.2.0/24' } }], ports: [{ protocol: 'TCP', port: 6432 }] },
    ]);
    expect(orchestrator.ingress[0].from).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
      },
    ]);
    expect(orchestrator.ingress[1].from[0].podSelector.matchLabels['app.kubernetes.io/component']).toBe(
      'backup-schedule',
    );
    expect(orchestrator.ingress[2]).toEqual({
      from: [{ namespaceSelector: { matchLabels: { team: 'monitoring' } } }],
    });
  });

  it('renders none with networkPolicy.enabled=false', () => {
    const objects = render({ files: [VALUES_PROD], values: { networkPolicy: { enabled: false } } });
    expect(objects.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
  });
});

describe('store backups, sleep and wake', { timeout: 60_000 }, () => {
  const orchestratorPod = (objects: Manifest[]) => find(objects, 'Deployment').spec.template.spec;
  const config = (objects: Manifest[]) =>
    objects.find((o) => o.kind === 'ConfigMap' && o.data?.BACKUP_DIR !== undefined)?.data ?? {};

  it("keeps the stores' backups on a volume of their own, mounted where BACKUP_DIR points", () => {
    const objects = render({});
    const claim = find(objects, 'PersistentVolumeClaim', 'storefleet-store-backups');
    expect(claim.spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '10Gi' } },
    });
    expect(claim.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
    expect(claim.metadata.labels?.['app.kubernetes.io/component']).toBe('store-backups');
    const pod = orchestratorPod(objects);
    expect(pod.volumes).toContainEqual({
      name: 'store-backups',
      persistentVolumeClaim: { claimName: 'storefleet-store-backups' },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: 'store-backups',
      mountPath: '/store-backups',
    });
    expect(config(objects).BACKUP_DIR).toBe('/store-backups');
    expect(config(objects).BACKUP_QUOTA_BYTES).toBe('2147483648');
    // Not the platform database's dumps: that volume is the pg_dump CronJob's only.
    expect(objects.some((o) => o.metadata.name === 'storefleet-backups')).toBe(false);
  });

  it('follows backupDir, size, storage class, access mode and keepOnUninstall', () => {
    const objects = render(SCENARIOS.options ?? {});
    const claim = find(objects, 'PersistentVolumeClaim', 'sf-store-backups');
    expect(claim.spec).toEqual({
      accessModes: ['ReadWriteMany'],
      storageClassName: 'shared-nfs',
      resources: { requests: { storage: '50Gi' } },
    });
    expect(orchestratorPod(objects).containers[0].volumeMounts).toContainEqual({
      name: 'store-backups',
      mountPath: '/var/lib/storefleet/store-backups',
    });
    expect(config(objects).BACKUP_DIR).toBe('/var/lib/storefleet/store-backups');
    const dropped = render({ values: { database: { keepOnUninstall: false } } });
    expect(
      find(dropped, 'PersistentVolumeClaim', 'storefleet-store-backups').metadata.annotations,
    ).toBeUndefined();
  });

  it('uses an existing claim, or an emptyDir of the same size when persistence is off (one replica)', () => {
    const existing = render({ values: { storeBackups: { persistence: { existingClaim: 'my-backups' } } } });
    expect(existing.some((o) => o.metadata.name === 'storefleet-store-backups')).toBe(false);
    expect(orchestratorPod(existing).volumes).toContainEqual({
      name: 'store-backups',
      persistentVolumeClaim: { claimName: 'my-backups' },
    });
    const ephemeral = render({ values: { storeBackups: { persistence: { enabled: false, size: '3Gi' } } } });
    expect(ephemeral.some((o) => o.metadata.name === 'storefleet-store-backups')).toBe(false);
    expect(orchestratorPod(ephemeral).volumes).toContainEqual({
      name: 'store-backups',
      emptyDir: { sizeLimit: '3Gi' },
    });
  });

  it("with several replicas on ReadWriteOnce and colocateReplicas (values-prod.yaml): all on the volume's node", () => {
    const objects = render({ files: [VALUES_PROD] });
    expect(find(objects, 'PersistentVolumeClaim', 'storefleet-store-backups').spec.accessModes).toEqual([
      'ReadWriteOnce',
    ]);
    const affinity = orchestratorPod(objects).affinity;
    expect(affinity.podAntiAffinity).toBeUndefined();
    expect(affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      {
        topologyKey: 'kubernetes.io/hostname',
        labelSelector: { matchLabels: find(objects, 'Deployment').spec.selector.matchLabels },
      },
    ]);
    // With ReadWriteMany the replicas spread over nodes again.
    const shared = render({
      files: [VALUES_PROD],
      values: { storeBackups: { persistence: { accessMode: 'ReadWriteMany', colocateReplicas: false } } },
    });
    expect(orchestratorPod(shared).affinity.podAffinity).toBeUndefined();
    expect(orchestratorPod(shared).affinity.podAntiAffinity).toBeDefined();
    // One replica: nothing to colocate.
    expect(orchestratorPod(render({})).affinity.podAffinity).toBeUndefined();
  });

  it("publishes the orchestrator as the default backend of the stores' ingress class, with no rules", () => {
    const objects = render({ files: [VALUES_LOCAL] });
    const fallback = find(objects, 'Ingress', 'storefleet-fallback');
    expect(fallback.spec).toEqual({
      ingressClassName: 'traefik',
      defaultBackend: { service: { name: 'storefleet-orchestrator', port: { name: 'http' } } },
    });
    expect(find(objects, 'Service', 'storefleet-orchestrator').spec.ports[0].name).toBe('http');
    const options = find(render(SCENARIOS.options ?? {}), 'Ingress', 'sf-fallback');
    expect(options.spec.ingressClassName).toBe('nginx');
    expect(options.spec.rules).toBeUndefined();
    expect(options.metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/proxy-read-timeout': '30' });
    expect(config(objects).PUBLISH_INGRESS_FALLBACK).toBe('false');
  });

  it('renders no fallback without the ingress, or with ingress.fallback.enabled=false', () => {
    const names = (objects: Manifest[]) =>
      objects.filter((o) => o.kind === 'Ingress').map((o) => o.metadata.name);
    expect(names(render({}))).toEqual([]);
    expect(
      names(render({ files: [VALUES_LOCAL], values: { ingress: { fallback: { enabled: false } } } })),
    ).toEqual(['storefleet-orchestrator']);
  });

  it("lets the stores' backup schedules reach the orchestrator only while PLATFORM_INTERNAL_URL is set", () => {
    const rule = (objects: Manifest[]) =>
      find(objects, 'NetworkPolicy', 'storefleet-orchestrator').spec.ingress.find(
        (r: { from: { podSelector?: { matchLabels: Record<string, string> } }[] }) =>
          r.from[0]?.podSelector?.matchLabels['app.kubernetes.io/component'] === 'backup-schedule',
      );
    expect(rule(render({}))).toBeDefined();
    expect(rule(render({ values: { config: { platformInternalUrl: '' } } }))).toBeUndefined();
  });

  it('passes IDLE_SLEEP_AFTER and INGRESS_METRICS_URL only when set, and lets idle sleep read the metrics', () => {
    const plain = render({});
    expect(config(plain).IDLE_SLEEP_AFTER).toBeUndefined();
    expect(config(plain).INGRESS_METRICS_URL).toBeUndefined();
    const egress = (objects: Manifest[]) =>
      find(objects, 'NetworkPolicy', 'storefleet-orchestrator').spec.egress;
    // The API server and the stores' apps.
    expect(egress(plain)).toHaveLength(2);
    const sleepy = render({
      values: {
        config: {
          idleSleepAfter: '90m',
          ingressMetricsUrl: 'http://traefik-metrics.kube-system.svc:9100/metrics',
        },
        networkPolicy: { ingressPodLabels: { 'app.kubernetes.io/name': 'traefik' } },
      },
    });
    expect(config(sleepy).IDLE_SLEEP_AFTER).toBe('90m');
    expect(config(sleepy).INGRESS_METRICS_URL).toBe('http://traefik-metrics.kube-system.svc:9100/metrics');
    expect(egress(sleepy)[1]).toEqual({
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } },
        },
      ],
      ports: [{ protocol: 'TCP', port: 9100 }],
    });
    const https = render({
      values: { config: { ingressMetricsUrl: 'https://metrics.example.net/traefik' } },
    });
    expect(egress(https)[1].ports).toEqual([{ protocol: 'TCP', port: 443 }]);
  });
});

describe('images', { timeout: 60_000 }, () => {
  it('are registry/repository:tag or @digest, and every pod has the pull secrets', () => {
    const digest = `sha256:${'d'.repeat(64)}`;
    const objects = render({
      files: [VALUES_PROD],
      values: {
        imagePullSecrets: [{ name: 'registry-credentials' }],
        image: { registry: 'registry.example.com', repository: 'storefleet/orchestrator', tag: '0.2.0' },
        database: {
          postgresql: { image: { registry: 'mirror.example.com', repository: 'library/postgres', digest } },
        },
      },
    });
    const pods = objects.map(podSpec).filter((pod) => pod !== undefined);
    expect(pods).toHaveLength(3);
    for (const pod of pods) expect(pod.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
    const images = new Set(
      pods.flatMap((pod) => [...(pod.initContainers ?? []), ...pod.containers].map((c) => c.image)),
    );
    expect([...images].sort()).toEqual([
      `mirror.example.com/library/postgres@${digest}`,
      'registry.example.com/storefleet/orchestrator:0.2.0',
    ]);
  });
});

describe('PostgreSQL and its backups', { timeout: 60_000 }, () => {
  const objects = () => render({ files: [VALUES_PROD] });

  it('names a headless Service as the StatefulSet serviceName, selecting its pod', () => {
    const rendered = objects();
    const statefulSet = find(rendered, 'StatefulSet');
    const headless = find(rendered, 'Service', statefulSet.spec.serviceName);
    expect(headless.metadata.name).toBe('storefleet-postgresql-hl');
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.selector).toEqual(statefulSet.spec.template.metadata.labels);
    // Clients keep the ClusterIP Service of the database URL.
    expect(find(rendered, 'Service', 'storefleet-postgresql').spec.clusterIP).toBeUndefined();
  });

  it('probes liveness (the server runs) differently from readiness (the database accepts connections)', () => {
    const container = find(objects(), 'StatefulSet').spec.template.spec.containers[0];
    expect(container.livenessProbe.exec.command).toEqual([
      'pg_isready',
      '--quiet',
      '--host=/var/run/postgresql',
      '--port=5432',
    ]);
    expect(container.readinessProbe.exec.command).toEqual([
      'pg_isready',
      '--quiet',
      '--host=127.0.0.1',
      '--port=5432',
      '--username=storefleet',
      '--dbname=storefleet',
    ]);
  });

  it('gives the backup CronJob a starting deadline', () => {
    expect(find(objects(), 'CronJob').spec.startingDeadlineSeconds).toBe(3600);
    const custom = render({
      files: [VALUES_PROD],
      values: { database: { backup: { startingDeadlineSeconds: 600 } } },
    });
    expect(find(custom, 'CronJob').spec.startingDeadlineSeconds).toBe(600);
  });
});

describe('store values and checksums', { timeout: 60_000 }, () => {
  it('mounts storeValues as a values file the orchestrator passes to every WooCommerce store', () => {
    const objects = render(SCENARIOS.options ?? {});
    const config = find(objects, 'ConfigMap', 'sf-orchestrator').data ?? {};
    expect(config.ENGINE_VALUES_FILES).toBe(
      'woocommerce=/etc/extra/store.yaml,woocommerce=/etc/storefleet/store-values/values.yaml',
    );
    expect(find(objects, 'ConfigMap', 'sf-store-values').data?.['values.yaml']).toBe(
      'networkPolicy:\n  ingressNamespace: ingress-nginx\n',
    );
  });

  it('rolls the pods when the configuration changes', () => {
    const checksum = (values: Record<string, unknown>) =>
      find(render({ values }), 'Deployment').spec.template.metadata.annotations['checksum/config'];
    expect(checksum({})).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum({ config: { maxStores: 7 } })).not.toBe(checksum({}));
    expect(checksum({ replicaCount: 1 })).toBe(checksum({}));
  });
});

describe('NOTES.txt', { timeout: 60_000 }, () => {
  const notes = (args: string[]) => {
    const result = helm(['install', 'storefleet', CHART, '-n', 'storefleet', '--dry-run=client', ...args]);
    if (result.status !== 0) throw new Error(result.stderr);
    return result.stdout.slice(result.stdout.indexOf('NOTES:'));
  };

  it('gives the URL and how the first admin is made, locally', () => {
    const text = notes(['-f', VALUES_LOCAL]);
    expect(text).toContain('http://storefleet.localhost/');
    expect(text).toContain('The first account to sign up becomes an admin.');
    expect(text).toContain('embedded PGlite on the volume storefleet-data; a single replica only');
  });

  it('gives the https URL, the admin e-mails and the backups in production', () => {
    const text = notes(['-f', VALUES_PROD]);
    expect(text).toContain('https://storefleet.shops.example.com/');
    expect(text).toContain('and so does the account of any of admin@example.com');
    expect(text).toContain('New stores answer at https://<slug>.shops.example.com');
    expect(text).toContain('Backups: pg_dump on "30 3 * * *"');
  });

  it('says how to reach the dashboard without an Ingress, and warns about Secure cookies over http', () => {
    const text = notes(['--set', 'config.environment=production']);
    expect(text).toContain('kubectl -n storefleet port-forward svc/storefleet-orchestrator 8080:80');
    expect(text).toContain('Serve the dashboard over HTTPS');
  });
});

describe('values the chart refuses', { timeout: 120_000 }, () => {
  const cases: [string, RenderInput, RegExp[]][] = [
    // Refused by the templates, with a message saying what to do.
    [
      'more than one replica on the embedded database',
      { values: { replicaCount: 2 } },
      [/replicaCount=2 needs PostgreSQL: the embedded database \(PGlite\) serves a single process/],
    ],
    [
      'both an existing database and the bundled one',
      { values: { database: { existingSecret: 'pg', postgresql: { enabled: true } } } },
      [/set either database.existingSecret .* or database.postgresql.enabled=true .*, not both/],
    ],
    [
      'backups of a database the chart does not run',
      { values: { replicaCount: 2, database: { existingSecret: 'pg', backup: { enabled: true } } } },
      [/database.backup.enabled dumps the bundled PostgreSQL \(database.postgresql.enabled=true\)/],
    ],
    [
      'several replicas on a ReadWriteOnce store-backups volume without colocateReplicas',
      { values: { replicaCount: 2, database: { existingSecret: 'pg' } } },
      [
        /replicaCount=2 with storeBackups.persistence.accessMode=ReadWriteOnce: .* a ReadWriteOnce volume is mounted on one node only/,
        /storeBackups.persistence.accessMode=ReadWriteMany/,
        /storeBackups.persistence.colocateReplicas=true/,
      ],
    ],
    [
      "several replicas with the stores' backups on an emptyDir each",
      {
        values: {
          replicaCount: 2,
          database: { existingSecret: 'pg' },
          storeBackups: { persistence: { enabled: false } },
        },
      },
      [/replicaCount=2 needs storeBackups.persistence.enabled=true/],
    ],
    [
      "the store backups on the database's volume",
      { values: { config: { backupDir: '/data/' } } },
      [/config.backupDir=\/data\/ is where another volume is mounted/],
    ],
    [
      'owner migrations on the embedded database',
      { values: { database: { migrations: { existingSecret: 'owner' } } } },
      [/database.migrations.existingSecret needs PostgreSQL/],
    ],
    // Refused by values.schema.json.
    ['an unknown key', { values: { replicas: 2 } }, [/additional properties 'replicas' not allowed/]],
    [
      'an unknown config key',
      { values: { config: { maxStore: 2 } } },
      [/additional properties 'maxStore' not allowed/],
    ],
    ['no replicas', { values: { replicaCount: 0 } }, [/\/replicaCount/, /minimum/]],
    ['a bad environment', { values: { config: { environment: 'staging' } } }, [/\/config\/environment/]],
    [
      'a bad duration',
      { values: { config: { provisionTimeout: '15 minutes' } } },
      [/\/config\/provisionTimeout/],
    ],
    ['a number as a string', { values: { config: { maxStores: '100' } } }, [/\/config\/maxStores/]],
    [
      'a bad resource prefix',
      { values: { config: { resourcePrefix: 'Stores_' } } },
      [/\/config\/resourcePrefix/],
    ],
    ['a privileged port', { values: { config: { port: 80 } } }, [/\/config\/port/, /minimum/]],
    [
      'a relative store chart path',
      { values: { config: { engineValuesFiles: ['woocommerce=values.yaml'] } } },
      [/\/config\/engineValuesFiles/],
    ],
    ['a malformed ingress host', { values: { ingress: { host: 'Not A Host' } } }, [/\/ingress\/host/]],
    [
      'a CORS origin with a path',
      { values: { config: { corsOrigins: ['https://a.example/x'] } } },
      [/\/config\/corsOrigins/],
    ],
    [
      'resources without limits',
      { values: { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: null } } },
      [/\/resources/, /missing property 'limits'/],
    ],
    [
      'running as root',
      { values: { podSecurityContext: { runAsNonRoot: false } } },
      [/\/podSecurityContext\/runAsNonRoot/],
    ],
    [
      'privilege escalation',
      { values: { containerSecurityContext: { allowPrivilegeEscalation: true } } },
      [/\/containerSecurityContext\/allowPrivilegeEscalation/],
    ],
    [
      'a volume size that is not a size',
      { values: { database: { postgresql: { persistence: { size: 'big' } } } } },
      [/\/database\/postgresql\/persistence\/size/],
    ],
    ['a bad image digest', { values: { image: { digest: 'latest' } } }, [/\/image\/digest/]],
    ['an env var without a value', { values: { extraEnvVars: [{ name: 'X' }] } }, [/\/extraEnvVars\/0/]],
    [
      'a backup without a starting deadline',
      { values: { database: { backup: { startingDeadlineSeconds: 0 } } } },
      [/\/database\/backup\/startingDeadlineSeconds/, /minimum/],
    ],
    [
      'an unknown access mode of the store backups',
      { values: { storeBackups: { persistence: { accessMode: 'ReadWriteOncePod' } } } },
      [/\/storeBackups\/persistence\/accessMode/],
    ],
    [
      'idle sleep without the ingress metrics it reads',
      { values: { config: { idleSleepAfter: '2h' } } },
      [/config.idleSleepAfter needs config.ingressMetricsUrl/],
    ],
    [
      'a bad idle sleep duration',
      { values: { config: { idleSleepAfter: '2 hours' } } },
      [/\/config\/idleSleepAfter/],
    ],
    [
      'an internal URL that is not one',
      { values: { config: { platformInternalUrl: 'storefleet:8080' } } },
      [/\/config\/platformInternalUrl/],
    ],
    [
      'an API server address that is not a CIDR',
      { values: { networkPolicy: { apiServerCidrs: ['kubernetes.default'] } } },
      [/\/networkPolicy\/apiServerCidrs\/0/],
    ],
  ];
  for (const [what, input, messages] of cases) {
    it(`refuses ${what}`, () => {
      const error = renderError(input);
      for (const message of messages) expect(error).toMatch(message);
    });
  }

  it('fails helm install too, before anything reaches the cluster', () => {
    const result = helm(['install', 'x', CHART, '--dry-run=client', '--set', 'replicaCount=2']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/replicaCount=2 needs PostgreSQL/);
  });

  it('accepts the local values with the options layered on top', () => {
    expect(() => render({ files: [VALUES_LOCAL], values: OPTIONS_VALUES })).not.toThrow();
  });
});
