// Rules every render of the chart keeps: resources, probes, non-root, secrets only by reference,
// and the labels the orchestrator reads.
import { describe, expect, it } from 'vitest';
import {
  type Container,
  containers,
  find,
  type Manifest,
  podSpecOf,
  type RenderInput,
  render,
  renderOnCluster,
  SCENARIOS,
  WORKLOAD_KINDS,
} from './support/chart.ts';

const SECRET_LIKE_ENV = /PASSWORD|SECRET|TOKEN|_KEY$|_SALT$/;

for (const [scenario, input] of Object.entries(SCENARIOS) as [string, RenderInput][]) {
  describe(`the ${scenario} render`, () => {
    const objects = render(input);
    const release = input.release ?? 'store-cube-shop';

    it('gives every container requests and limits of cpu and memory', () => {
      for (const { workload, container } of containers(objects)) {
        const where = `${workload.kind}/${workload.metadata.name} ${container.name}`;
        for (const kind of ['requests', 'limits'] as const) {
          expect(container.resources?.[kind]?.cpu, `${where} ${kind}.cpu`).toBeTruthy();
          expect(container.resources?.[kind]?.memory, `${where} ${kind}.memory`).toBeTruthy();
        }
      }
    });

    it('gives every container ephemeral-storage requests and limits, and every emptyDir a size limit', () => {
      for (const { workload, container } of containers(objects)) {
        const where = `${workload.kind}/${workload.metadata.name} ${container.name}`;
        expect(container.resources?.requests?.['ephemeral-storage'], `${where} requests`).toBeTruthy();
        expect(container.resources?.limits?.['ephemeral-storage'], `${where} limits`).toBeTruthy();
      }
      const unbounded = objects
        .filter((o) => WORKLOAD_KINDS.includes(o.kind))
        .flatMap((workload) =>
          (podSpecOf(workload).volumes ?? [])
            .filter(
              (volume: { emptyDir?: { sizeLimit?: string } }) =>
                volume.emptyDir && !volume.emptyDir.sizeLimit,
            )
            .map((volume: { name: string }) => `${workload.kind}/${workload.metadata.name} ${volume.name}`),
        );
      expect(unbounded).toEqual([]);
    });

    it('runs every container with a read-only root filesystem, writing only to its volumes', () => {
      for (const { workload, container } of containers(objects)) {
        const where = `${workload.kind}/${workload.metadata.name} ${container.name}`;
        expect(container.securityContext?.readOnlyRootFilesystem, where).toBe(true);
      }
    });

    it('probes every long-running container (startup, readiness, liveness); Jobs and init containers excepted', () => {
      for (const { workload, container, init } of containers(objects)) {
        if (workload.kind === 'Job' || workload.kind === 'CronJob' || init) continue;
        const where = `${workload.kind}/${workload.metadata.name} ${container.name}`;
        expect(container.startupProbe, `${where} startupProbe`).toBeDefined();
        expect(container.readinessProbe, `${where} readinessProbe`).toBeDefined();
        expect(container.livenessProbe, `${where} livenessProbe`).toBeDefined();
      }
    });

    it('runs every container as non-root, without privilege escalation and with all capabilities dropped', () => {
      for (const { workload, container, pod } of containers(objects)) {
        const where = `${workload.kind}/${workload.metadata.name} ${container.name}`;
        const runAsNonRoot = container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
        const runAsUser = container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
        expect(runAsNonRoot, `${where} runAsNonRoot`).toBe(true);
        expect(runAsUser, `${where} runAsUser`).toBeGreaterThan(0);
        expect(container.securityContext?.allowPrivilegeEscalation, `${where}`).toBe(false);
        expect(container.securityContext?.privileged ?? false, `${where}`).toBe(false);
        expect(container.securityContext?.capabilities?.drop, `${where}`).toContain('ALL');
      }
    });

    it('runs WordPress and wp-cli as uid 33 so that both own the wp-content files', () => {
      for (const { workload, container, pod } of containers(objects)) {
        if (workload.kind === 'StatefulSet') continue;
        expect(container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser).toBe(33);
      }
    });

    it('takes credentials from the Secret by reference only', () => {
      for (const { workload, container } of containers(objects)) {
        for (const variable of container.env ?? []) {
          if (!SECRET_LIKE_ENV.test(variable.name)) continue;
          expect(
            variable.value,
            `${workload.metadata.name} ${container.name} ${variable.name}`,
          ).toBeUndefined();
          expect(variable.valueFrom?.secretKeyRef?.name).toBe(
            (input.values as { existingSecret?: string } | undefined)?.existingSecret ?? 'store-credentials',
          );
        }
      }
    });

    it('labels the workloads with the component the orchestrator watches, on the objects themselves', () => {
      const component = (o: Manifest) => o.metadata.labels?.['app.kubernetes.io/component'];
      expect(component(find(objects, 'StatefulSet'))).toBe('database');
      expect(component(find(objects, 'Deployment', `${release}-app`))).toBe('app');
      expect(component(find(objects, 'Job'))).toBe('setup');
    });

    it('labels every object with the release and the store id', () => {
      for (const object of objects) {
        expect(object.metadata.labels?.['app.kubernetes.io/instance'], object.metadata.name).toBe(release);
        expect(object.metadata.labels, object.metadata.name).toHaveProperty(['storefleet.io/store-id']);
      }
    });

    it('renders one ResourceQuota and one LimitRange', () => {
      expect(objects.filter((o) => o.kind === 'ResourceQuota')).toHaveLength(1);
      expect(objects.filter((o) => o.kind === 'LimitRange')).toHaveLength(1);
    });
  });
}

describe('secret values', () => {
  it('never appear in a ConfigMap, an env literal, an argument or an annotation', () => {
    const objects = renderOnCluster({
      release: 'demo',
      namespace: 'demo',
      values: { secret: { create: true } },
    });
    const secret = find(objects, 'Secret', 'store-credentials');
    const values = Object.values(secret.data ?? {}).map((v) => Buffer.from(v, 'base64').toString());
    expect(values.length).toBeGreaterThan(10);
    const exposed: string[] = [];
    for (const object of objects) {
      if (object.kind === 'Secret') continue;
      exposed.push(JSON.stringify(object.metadata.annotations ?? {}));
      if (object.kind === 'ConfigMap') exposed.push(JSON.stringify(object.data));
    }
    for (const { container } of containers(objects)) {
      exposed.push(...(container.env ?? []).map((e: NonNullable<Container['env']>[number]) => e.value ?? ''));
      exposed.push(...(container.command ?? []), ...(container.args ?? []));
    }
    const text = exposed.join('\n');
    for (const value of values.filter((v) => v.length >= 16)) expect(text).not.toContain(value);
  });
});
