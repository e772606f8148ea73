// The CronJob that asks the platform for a store's scheduled backups: it runs the engine's trigger in
// the app's own image (placed and confined like the app) with the store's token from a Secret, and a
// NetworkPolicy lets it out (the store charts deny egress by default) to DNS and the platform only.
import type { V1CronJob, V1NetworkPolicy, V1PodSpec } from '@kubernetes/client-node';
import { SCHEDULE_ENV } from '../engines/engine.ts';
import { engineModule } from '../engines/registry.ts';
import { isStatus } from './cluster-errors.ts';
import { createOrReplace, type KubeApi, withSignal } from './kube-api.ts';
import {
  type BackupScheduleTarget,
  type ClusterBackupSchedule,
  ClusterError,
  type StoreTarget,
} from './port.ts';
import { storeLabels } from './store-labels.ts';
import { COMPONENT_LABEL } from './workload-state.ts';

export const BACKUP_CRONJOB = 'storefleet-backup';
const BACKUP_TOKEN_SECRET = 'storefleet-backup-trigger';

/** Egress of the backup schedule's pods: DNS, and the platform's ports (the URL's, or 80/443, and its own). */
function backupSchedulePolicy(target: StoreTarget, schedule: BackupScheduleTarget): V1NetworkPolicy {
  const parsed = new URL(schedule.url);
  const urlPort = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  const ports = [...new Set([urlPort, schedule.platformPort])].map((port) => ({ protocol: 'TCP', port }));
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: BACKUP_CRONJOB, namespace: target.namespace, labels: storeLabels(target) },
    spec: {
      podSelector: { matchLabels: { [COMPONENT_LABEL]: 'backup-schedule' } },
      policyTypes: ['Egress'],
      egress: [
        {
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        { ports },
      ],
    },
  };
}

export class KubernetesBackupSchedule implements ClusterBackupSchedule {
  private readonly kube: KubeApi;

  constructor(kube: KubeApi) {
    this.kube = kube;
  }

  async applyBackupSchedule(
    target: StoreTarget,
    schedule: BackupScheduleTarget | null,
    signal: AbortSignal,
  ): Promise<void> {
    const { batch, core } = this.kube;
    const options = withSignal(signal);
    const namespace = target.namespace;
    const { networking } = this.kube;
    if (!schedule) {
      for (const remove of [
        () => batch.deleteNamespacedCronJob({ name: BACKUP_CRONJOB, namespace }, options),
        () => core.deleteNamespacedSecret({ name: BACKUP_TOKEN_SECRET, namespace }, options),
        () => networking.deleteNamespacedNetworkPolicy({ name: BACKUP_CRONJOB, namespace }, options),
      ]) {
        try {
          await remove();
        } catch (error) {
          if (!isStatus(error, 404)) throw this.kube.failure(error, 'remove the backup schedule', signal);
        }
      }
      return;
    }
    const labels = storeLabels(target);
    await this.put(
      () => core.readNamespacedSecret({ name: BACKUP_TOKEN_SECRET, namespace }, options),
      (resourceVersion) => {
        const body = {
          metadata: { name: BACKUP_TOKEN_SECRET, namespace, labels, resourceVersion },
          type: 'Opaque',
          stringData: { token: schedule.token },
        };
        return resourceVersion
          ? core.replaceNamespacedSecret({ name: BACKUP_TOKEN_SECRET, namespace, body }, options)
          : core.createNamespacedSecret({ namespace, body }, options);
      },
      'write the backup schedule token',
      signal,
    );
    // The store charts deny all egress by default: the schedule's pod may reach DNS and the platform.
    const policy = backupSchedulePolicy(target, schedule);
    await this.put(
      () => networking.readNamespacedNetworkPolicy({ name: BACKUP_CRONJOB, namespace }, options),
      (resourceVersion) =>
        resourceVersion
          ? networking.replaceNamespacedNetworkPolicy(
              {
                name: BACKUP_CRONJOB,
                namespace,
                body: { ...policy, metadata: { ...policy.metadata, resourceVersion } },
              },
              options,
            )
          : networking.createNamespacedNetworkPolicy({ namespace, body: policy }, options),
      'write the backup schedule network policy',
      signal,
    );
    const body = await this.backupCronJob(target, schedule, signal);
    await this.put(
      () => batch.readNamespacedCronJob({ name: BACKUP_CRONJOB, namespace }, options),
      (resourceVersion) => {
        const cronJob = { ...body, metadata: { ...body.metadata, resourceVersion } };
        return resourceVersion
          ? batch.replaceNamespacedCronJob({ name: BACKUP_CRONJOB, namespace, body: cronJob }, options)
          : batch.createNamespacedCronJob({ namespace, body: cronJob }, options);
      },
      'write the backup CronJob',
      signal,
    );
  }

  /** The CronJob runs the engine's trigger in the app's own image, placed and confined like the app. */
  private async backupCronJob(
    target: StoreTarget,
    schedule: BackupScheduleTarget,
    signal: AbortSignal,
  ): Promise<V1CronJob> {
    const trigger = engineModule(target.engine).backup.scheduleTrigger;
    let pod: V1PodSpec | undefined;
    try {
      const list = await this.kube.apps.listNamespacedDeployment(
        { namespace: target.namespace, labelSelector: `${COMPONENT_LABEL}=${trigger.component}` },
        withSignal(signal),
      );
      pod = list.items[0]?.spec?.template.spec;
    } catch (error) {
      throw this.kube.failure(error, `find the ${trigger.component} of ${target.namespace}`, signal);
    }
    const image = pod?.containers[0]?.image;
    if (!pod || !image) {
      throw new ClusterError(
        'AppNotFound',
        `Could not schedule backups: the store has no ${trigger.component} workload to take the image from.`,
        { retryable: true },
      );
    }
    const labels = { ...storeLabels(target), [COMPONENT_LABEL]: 'backup-schedule' };
    return {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: BACKUP_CRONJOB, namespace: target.namespace, labels },
      spec: {
        schedule: schedule.cron,
        timeZone: 'Etc/UTC',
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 300,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 2,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            ttlSecondsAfterFinished: 3600,
            template: {
              metadata: { labels },
              spec: {
                restartPolicy: 'Never',
                automountServiceAccountToken: false,
                ...(pod.nodeSelector ? { nodeSelector: pod.nodeSelector } : {}),
                ...(pod.tolerations ? { tolerations: pod.tolerations } : {}),
                ...(pod.securityContext ? { securityContext: pod.securityContext } : {}),
                containers: [
                  {
                    name: 'request-backup',
                    image,
                    imagePullPolicy: pod.containers[0]?.imagePullPolicy ?? 'IfNotPresent',
                    command: [...trigger.command],
                    env: [
                      { name: SCHEDULE_ENV.url, value: schedule.url },
                      {
                        name: SCHEDULE_ENV.token,
                        valueFrom: { secretKeyRef: { name: BACKUP_TOKEN_SECRET, key: 'token' } },
                      },
                    ],
                    securityContext: {
                      allowPrivilegeEscalation: false,
                      readOnlyRootFilesystem: true,
                      runAsNonRoot: true,
                      capabilities: { drop: ['ALL'] },
                      ...(pod.containers[0]?.securityContext?.runAsUser === undefined
                        ? {}
                        : { runAsUser: pod.containers[0].securityContext.runAsUser }),
                    },
                    resources: {
                      requests: { cpu: '10m', memory: '32Mi', 'ephemeral-storage': '1Mi' },
                      limits: { cpu: '200m', memory: '128Mi', 'ephemeral-storage': '16Mi' },
                    },
                  },
                ],
              },
            },
          },
        },
      },
    };
  }

  /** Creates or replaces one object; a failure names what was being done. */
  private async put(
    read: () => Promise<{ metadata?: { resourceVersion?: string } }>,
    write: (resourceVersion: string | undefined) => Promise<unknown>,
    action: string,
    signal: AbortSignal,
  ): Promise<void> {
    try {
      await createOrReplace(read, write);
    } catch (error) {
      throw this.kube.failure(error, action, signal);
    }
  }
}
