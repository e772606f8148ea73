// Golden renders (values in, manifests out) and the values the chart must refuse.
// Regenerate the golden files after an intended change: UPDATE_GOLDEN=1 npx vitest run charts/store
// (*.yaml.golden, not *.yaml: they hold helm's output byte for byte, which a YAML formatter would change.)
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineModule } from '../../../apps/orchestrator/src/engines/registry.ts';
import { describeGoldenRenders, describeRefusals } from '../../test-support/chart-suites.ts';
import {
  CHART,
  type Container,
  containers,
  find,
  helm,
  type Manifest,
  OPTIONS_CASE,
  orchestratorValues,
  podSpecOf,
  type RenderInput,
  render,
  renderError,
  renderOnCluster,
  renderText,
  SCENARIOS,
  VALUES_LOCAL,
  valueArgs,
  WORKLOAD_KINDS,
} from './support/chart.ts';
import { quantity } from './support/quantity.ts';

const GOLDEN = join(CHART, 'test', 'golden');

const goldenCases: Record<string, RenderInput> = {
  // What the orchestrator installs on a laptop cluster and on the test control plane.
  local: SCENARIOS.local,
  // Production: TLS through cert-manager, bigger requests, a storage class, 2 replicas, a PDB.
  prod: SCENARIOS.prod,
  // A plain `helm install` with the defaults: WooCommerce downloaded, host from the release name.
  defaults: { release: 'demo', namespace: 'demo' },
  // Every optional switch the other cases leave alone.
  options: OPTIONS_CASE,
};

describeGoldenRenders(GOLDEN, renderText, goldenCases);

const localWith = (values: Record<string, unknown>): RenderInput => ({
  files: [VALUES_LOCAL],
  values: { ...orchestratorValues('cube-shop'), ...values },
});
const refusals: [string, RenderInput, RegExp[]][] = [
  [
    'the medusa engine (it has its own chart)',
    localWith({ engine: 'medusa' }),
    [/engine "medusa" is not this chart's: .*charts\/medusa/],
  ],
  ['an unknown engine', localWith({ engine: 'shopify' }), [/\/engine/, /value must be one of/]],
  [
    'a volume size that is not a quantity',
    localWith({ persistence: { size: 'a lot' } }),
    [/\/persistence\/size/, /does not match pattern/],
  ],
  ['an unknown key', localWith({ app: { replica: 2 } }), [/additional properties 'replica' not allowed/]],
  ['too many replicas', localWith({ app: { replicas: 6 } }), [/\/app\/replicas/, /maximum/]],
  ['no replicas', localWith({ app: { replicas: 0 } }), [/\/app\/replicas/, /minimum/]],
  ['a privileged port', localWith({ app: { containerPort: 80 } }), [/\/app\/containerPort/, /minimum/]],
  ['an unknown WooCommerce source', localWith({ woocommerce: { source: 'git' } }), [/\/woocommerce\/source/]],
  ['a quota that is not a string', localWith({ quota: { hard: { pods: 20 } } }), [/\/quota\/hard\/pods/]],
  [
    'resources without limits',
    localWith({ database: { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: null } } }),
    [/\/database\/resources/, /missing property 'limits'/],
  ],
  [
    'a malformed host',
    localWith({ ingress: { className: 'traefik', host: 'Not A Host' } }),
    [/\/ingress\/host/],
  ],
  [
    'downloads with internet egress denied',
    localWith({ woocommerce: { source: 'download' } }),
    [/woocommerce.source=download needs networkPolicy.allowInternetEgress=true/],
  ],
  [
    'TLS without a certificate source',
    localWith({ ingress: { className: 'traefik', host: 'cube-shop.localhost', tls: { enabled: true } } }),
    [/ingress.tls.enabled needs ingress.tls.secretName/],
  ],
];
describeRefusals(renderError, refusals);

describe('re-running the setup', { timeout: 30_000 }, () => {
  it('runs a new Job for each new setup.rerun value, and keeps the name while the value stays', () => {
    const jobName = (rerun: string) =>
      find(render({ ...SCENARIOS.local, values: { ...SCENARIOS.local.values, setup: { rerun } } }), 'Job')
        .metadata.name;
    expect(jobName('')).toBe(find(render(SCENARIOS.local), 'Job').metadata.name);
    expect(jobName('2026-11-29')).not.toBe(jobName(''));
    expect(jobName('2026-11-29')).toBe(jobName('2026-11-29'));
    expect(jobName('2026-11-30')).not.toBe(jobName('2026-11-29'));
  });
});

describe('the setup Job name', { timeout: 30_000 }, () => {
  const jobName = (values: Record<string, unknown>) =>
    find(render({ files: [VALUES_LOCAL], values: { ...orchestratorValues('cube-shop'), ...values } }), 'Job')
      .metadata.name;

  it('stays the same when only the site changes (an upgrade leaves the completed Job alone)', () => {
    expect(jobName({ app: { replicas: 3 } })).toBe(jobName({}));
  });

  it('changes with what the setup does, so a changed setup runs as a new Job', () => {
    const base = jobName({});
    expect(base).toMatch(/^store-cube-shop-setup-[0-9a-f]{8}$/);
    expect(jobName({ woocommerce: { version: '11.2.0' } })).not.toBe(base);
    expect(jobName({ ingress: { className: 'traefik', host: 'shop.example.test' } })).not.toBe(base);
  });
});

describe('the generated Secret (secret.create)', { timeout: 30_000 }, () => {
  it('holds every key the orchestrator writes, with random passwords', () => {
    // On a cluster (--dry-run=server), where lookup works as in helm install.
    const objects = renderOnCluster({
      release: 'demo',
      namespace: 'demo',
      values: { secret: { create: true } },
    });
    const secret = find(objects, 'Secret', 'store-credentials');
    const data = Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]),
    );
    expect(Object.keys(data).sort()).toEqual(
      [
        'admin-email',
        'admin-password',
        'admin-username',
        'auth-key',
        'auth-salt',
        'database-password',
        'database-root-password',
        'logged-in-key',
        'logged-in-salt',
        'nonce-key',
        'nonce-salt',
        'secure-auth-key',
        'secure-auth-salt',
      ].sort(),
    );
    expect(data['admin-username']).toBe('storeadmin');
    expect(data['admin-email']).toBe('admin@demo.localhost');
    expect(data['admin-password']).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(data['auth-key']).toMatch(/^[A-Za-z0-9]{64}$/);
  });

  it('is not rendered when the orchestrator provides it', () => {
    const objects = render(SCENARIOS.local);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('refuses to generate passwords where lookup has no cluster (helm template, GitOps)', () => {
    const error = renderError({ release: 'demo', namespace: 'demo', values: { secret: { create: true } } });
    expect(error).toMatch(/secret.create=true generates the store credentials on the cluster/);
    expect(error).toMatch(/Create the Secret "store-credentials" yourself .* and set secret.create=false/);
  });

  it("renders with an existing Secret and no cluster, every pod reading that Secret (the orchestrator's way)", () => {
    const objects = render(SCENARIOS.standalone);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const secretNames = new Set(
      containers(objects).flatMap(({ container }) =>
        (container.env ?? []).flatMap((e) =>
          e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef.name] : [],
        ),
      ),
    );
    expect([...secretNames]).toEqual(['demo-credentials']);
  });
});

describe('images', { timeout: 30_000 }, () => {
  const images = (objects: Manifest[]) =>
    [...new Set(containers(objects).map(({ container }) => container.image))].sort();

  it('are registry/repository:tag, or @digest when a digest is set, with the pull secrets on every pod', () => {
    expect(images(render(SCENARIOS.prod))).toEqual([
      'docker.io/library/mariadb:11.8.9',
      'docker.io/library/wordpress:7.1.1-php8.3-apache',
      'docker.io/library/wordpress:cli-2.12.0-php8.3',
    ]);
    const digest = `sha256:${'c'.repeat(64)}`;
    const objects = render({
      ...SCENARIOS.prod,
      values: {
        ...SCENARIOS.prod.values,
        imagePullSecrets: [{ name: 'registry-credentials' }],
        app: { image: { registry: 'registry.example.com', repository: 'shop/wordpress', digest } },
      },
    });
    expect(images(objects)).toContain(`registry.example.com/shop/wordpress@${digest}`);
    const pods = objects.filter((o) => WORKLOAD_KINDS.includes(o.kind)).map(podSpecOf);
    expect(pods).toHaveLength(4);
    for (const pod of pods) expect(pod.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
  });

  it('takes the local WordPress image without a registry', () => {
    expect(images(render(SCENARIOS.local))).toContain('storefleet/wordpress:7.1.1-wc11.1.2');
  });
});

describe('PHP memory', { timeout: 30_000 }, () => {
  const phpIni = (objects: Manifest[], configMap: string, key: string) =>
    /memory_limit = (\d+)M/.exec(find(objects, 'ConfigMap', configMap).data?.[key] ?? '')?.[1];

  it('is three quarters of each container memory limit, from that one value', () => {
    const objects = render(SCENARIOS.prod);
    expect(phpIni(objects, 'store-cube-shop-config', 'php.ini')).toBe('768');
    expect(phpIni(objects, 'store-cube-shop-setup', 'php-setup.ini')).toBe('384');
    expect(phpIni(objects, 'store-cube-shop-setup', 'php-cron.ini')).toBe('192');
    const bigger = render({
      ...SCENARIOS.prod,
      values: { ...SCENARIOS.prod.values, app: { resources: { limits: { memory: '2Gi' } } } },
    });
    expect(phpIni(bigger, 'store-cube-shop-config', 'php.ini')).toBe('1536');
  });

  it('stays below the limit of the container that runs it in every scenario', () => {
    for (const input of Object.values(SCENARIOS) as RenderInput[]) {
      const objects = render(input);
      const limit = (kind: string) => {
        const container = containers(objects).find(
          ({ workload, init }) => workload.kind === kind && !init,
        )?.container;
        return quantity(container?.resources?.limits?.memory ?? '0') / 2 ** 20;
      };
      const release = input.release ?? 'store-cube-shop';
      expect(Number(phpIni(objects, `${release}-config`, 'php.ini'))).toBeLessThan(limit('Deployment'));
      expect(Number(phpIni(objects, `${release}-setup`, 'php-setup.ini'))).toBeLessThan(limit('Job'));
      expect(Number(phpIni(objects, `${release}-setup`, 'php-cron.ini'))).toBeLessThan(limit('CronJob'));
    }
  });

  it('refuses a container limit that leaves PHP too little', () => {
    const error = renderError({
      ...SCENARIOS.local,
      values: { ...SCENARIOS.local.values, app: { resources: { limits: { memory: '64Mi' } } } },
    });
    expect(error).toMatch(/a memory limit of 64Mi leaves PHP 48M, below the 64M WordPress needs/);
  });
});

describe('WP-Cron and calls home', { timeout: 30_000 }, () => {
  const configExtra = (objects: Manifest[]) =>
    containers(objects)
      .find(({ workload }) => workload.kind === 'Deployment')
      ?.container.env?.find((e) => e.name === 'WORDPRESS_CONFIG_EXTRA')?.value ?? '';

  it('turns WP-Cron off in the web process and runs the due events from a CronJob with wp-cli', () => {
    const objects = render(SCENARIOS.prod);
    expect(configExtra(objects)).toContain("define('DISABLE_WP_CRON', true);");
    const cron = find(objects, 'CronJob', 'store-cube-shop-cron');
    expect(cron.spec.schedule).toBe('*/5 * * * *');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    expect(cron.spec.startingDeadlineSeconds).toBe(240);
    const pod = podSpecOf(cron);
    expect(pod.containers[0].command).toEqual([
      'sh',
      '-c',
      "if wp core is-installed; then exec wp cron event run --due-now; else echo 'WordPress is not installed yet: no events to run'; fi",
    ]);
    expect(pod.containers[0].image).toBe('docker.io/library/wordpress:cli-2.12.0-php8.3');
    expect(
      pod.volumes.find((v: { name: string }) => v.name === 'wp-content').persistentVolumeClaim.claimName,
    ).toBe('store-cube-shop-wp-content');
    expect(cron.spec.jobTemplate.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('cron');
  });

  it('blocks external HTTP in WordPress exactly where egress is closed', () => {
    expect(configExtra(render(SCENARIOS.local))).toContain("define('WP_HTTP_BLOCK_EXTERNAL', true);");
    expect(configExtra(render(SCENARIOS.prod))).not.toContain('WP_HTTP_BLOCK_EXTERNAL');
    const open = render({
      ...SCENARIOS.local,
      values: { ...SCENARIOS.local.values, networkPolicy: { enabled: false } },
    });
    expect(configExtra(open)).not.toContain('WP_HTTP_BLOCK_EXTERNAL');
  });

  it('lets WP-Cron reach the internet where the site may', () => {
    const internet = find(render(SCENARIOS.prod), 'NetworkPolicy', 'store-cube-shop-internet');
    expect(internet.spec.podSelector.matchExpressions[0].values).toEqual(['app', 'cron', 'setup']);
  });
});

describe('e-mail', { timeout: 30_000 }, () => {
  const smtp = {
    enabled: true,
    host: 'smtp.example.com',
    user: 'shop',
    existingSecret: 'smtp',
    from: 'shop@example.com',
  };

  it('sends through the SMTP server, its password from the Secret, and lets the senders reach its port', () => {
    const objects = render({ ...SCENARIOS.prod, values: { ...SCENARIOS.prod.values, smtp } });
    const plugin = find(objects, 'ConfigMap', 'store-cube-shop-config').data?.['smtp.php'] ?? '';
    expect(plugin).toContain("$GLOBALS['wp_filter']['phpmailer_init']");
    for (const kind of ['Deployment', 'CronJob', 'Job']) {
      const { container } = containers(objects).find(
        ({ workload, init }) => workload.kind === kind && !init,
      )!;
      const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
      expect(env.SMTP_HOST, kind).toBe('smtp.example.com');
      expect(env.SMTP_PORT, kind).toBe('587');
      expect(env.SMTP_PASSWORD, kind).toEqual({ secretKeyRef: { name: 'smtp', key: 'smtp-password' } });
      expect(env.WORDPRESS_CONFIG_EXTRA, kind).toContain("require_once '/etc/storefleet/smtp.php';");
    }
    const policy = find(objects, 'NetworkPolicy', 'store-cube-shop-smtp');
    expect(policy.spec.egress).toEqual([{ ports: [{ protocol: 'TCP', port: 587 }] }]);
  });

  it('says in the notes when the store sends no mail', () => {
    // helm prints NOTES.txt after an install; a client-side dry run renders it without a cluster.
    const notes = (input: RenderInput) => {
      const result = helm(['install', 'store-cube-shop', CHART, '--dry-run=client', ...valueArgs(input)]);
      if (result.status !== 0) throw new Error(result.stderr);
      return result.stdout;
    };
    expect(notes(SCENARIOS.local)).toMatch(/smtp.enabled=false: the store sends no e-mail/);
    expect(notes({ ...SCENARIOS.local, values: { ...SCENARIOS.local.values, smtp } })).toMatch(
      /E-mail \(orders, password resets\) goes through smtp.example.com:587/,
    );
  });

  it('refuses a user without a password Secret, and no host', () => {
    expect(
      renderError({
        ...SCENARIOS.local,
        values: {
          ...SCENARIOS.local.values,
          smtp: { enabled: true, host: 'smtp.example.com', user: 'shop' },
        },
      }),
    ).toMatch(/smtp.user needs smtp.existingSecret/);
    expect(
      renderError({ ...SCENARIOS.local, values: { ...SCENARIOS.local.values, smtp: { enabled: true } } }),
    ).toMatch(/smtp.enabled needs smtp.host/);
  });
});

describe('probes behind TLS', { timeout: 30_000 }, () => {
  const probes = (objects: Manifest[]) => {
    const container = containers(objects).find(({ workload }) => workload.kind === 'Deployment')!
      .container as Container & {
      startupProbe: { httpGet: { httpHeaders?: unknown } };
      readinessProbe: { httpGet: { httpHeaders?: unknown } };
      livenessProbe: { httpGet: { httpHeaders?: unknown } };
    };
    return [container.startupProbe, container.readinessProbe, container.livenessProbe].map(
      (p) => p.httpGet.httpHeaders,
    );
  };

  it('say the request came over https, so that WordPress answers instead of redirecting', () => {
    expect(probes(render(SCENARIOS.prod))).toEqual(
      Array(3).fill([{ name: 'X-Forwarded-Proto', value: 'https' }]),
    );
  });

  it('send no header over plain http', () => {
    expect(probes(render(SCENARIOS.local))).toEqual([undefined, undefined, undefined]);
  });
});

describe('the images the engine module names', { timeout: 30_000 }, () => {
  it('are among the images a local store runs (the ones a real node could not build)', () => {
    const images = new Set(containers(render(SCENARIOS.local)).map(({ container }) => container.image));
    for (const ref of engineModule('woocommerce').images.refs) expect(images).toContain(ref);
  });
});
