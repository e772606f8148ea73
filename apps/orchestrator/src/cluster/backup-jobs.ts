// Backup and restore Jobs in a store's namespace (BACKUP_TARGET=s3), on the Kubernetes API: the
// NetworkPolicies, the Job's Secret and the Job that backup-job.ts builds, then the wait for its end and
// the termination message of its pod. Idempotent by name: an attempt that runs again (a retry, another
// worker after a crash) finds the Job the first one started and waits for it, or starts it afresh when
// it failed. Nothing of the dump passes through here.
import type { V1Job, V1NetworkPolicy, V1Pod } from '@kubernetes/client-node';
import type { Engine } from '@storefleet/contracts';
import type { Placement } from '../engines/engine.ts';
import { engineModule } from '../engines/registry.ts';
import { sleep } from '../sleep.ts';
import { type BackupJobInput, backupJob, backupJobNetworkPolicies, backupJobSecret } from './backup-job.ts';
import { isStatus } from './cluster-errors.ts';
import { createOrReplace, type KubeApi, withSignal } from './kube-api.ts';
import { type BackupJobRequest, type BackupJobResult, type ClusterBackupJobs, ClusterError } from './port.ts';
import { STORE_SECRET_NAME } from './store-secrets.ts';

/** How often a running Job is read again (a backup takes seconds to hours: a watch buys little). */
const POLL_MS = 2000;

export class KubernetesBackupJobs implements ClusterBackupJobs {
  private readonly kube: KubeApi;
  private readonly placementOf: (engine: Engine) => Placement;
  private readonly pollMs: number;

  constructor(kube: KubeApi, placementOf: (engine: Engine) => Placement, pollMs = POLL_MS) {
    this.kube = kube;
    this.placementOf = placementOf;
    this.pollMs = pollMs;
  }

  async run(request: BackupJobRequest, signal: AbortSignal): Promise<BackupJobResult> {
    const input = backupJobInput(request, this.placementOf(request.target.engine));
    const job = backupJob(input);
    const name = job.metadata?.name ?? '';
    const namespace = request.target.namespace;
    for (const policy of backupJobNetworkPolicies(input)) await this.apply(policy, signal);
    const existing = await this.readJob(namespace, name, signal);
    if (existing && finished(existing) === 'failed') await this.deleteJob(namespace, name, signal);
    if (!existing || finished(existing) === 'failed') {
      await this.writeSecret(input, request, signal);
      await this.createJob(job, signal);
    }
    const done = await this.waitForEnd(namespace, name, signal);
    const result = await this.resultOf(namespace, name, done, signal);
    // The Secret (a restore's holds the identity) goes as soon as the Job has ended; the Job stays
    // for its TTL, for whoever looks into a failure.
    await this.deleteSecret(namespace, name, signal);
    return result;
  }

  private async apply(policy: V1NetworkPolicy, signal: AbortSignal): Promise<void> {
    const namespace = policy.metadata?.namespace ?? '';
    const name = policy.metadata?.name ?? '';
    const options = withSignal(signal);
    try {
      await createOrReplace(
        () => this.kube.networking.readNamespacedNetworkPolicy({ namespace, name }, options),
        (resourceVersion) =>
          resourceVersion === undefined
            ? this.kube.networking.createNamespacedNetworkPolicy({ namespace, body: policy }, options)
            : this.kube.networking.replaceNamespacedNetworkPolicy(
                { namespace, name, body: { ...policy, metadata: { ...policy.metadata, resourceVersion } } },
                options,
              ),
      );
    } catch (error) {
      throw this.kube.failure(error, `write NetworkPolicy ${name}`, signal);
    }
  }

  private async writeSecret(input: BackupJobInput, request: BackupJobRequest, signal: AbortSignal) {
    const secret = backupJobSecret(input, request.secrets);
    const namespace = request.target.namespace;
    const name = secret.metadata?.name ?? '';
    const options = withSignal(signal);
    try {
      await createOrReplace(
        () => this.kube.core.readNamespacedSecret({ namespace, name }, options),
        (resourceVersion) =>
          resourceVersion === undefined
            ? this.kube.core.createNamespacedSecret({ namespace, body: secret }, options)
            : this.kube.core.replaceNamespacedSecret(
                { namespace, name, body: { ...secret, metadata: { ...secret.metadata, resourceVersion } } },
                options,
              ),
      );
    } catch (error) {
      // Never the Secret's content: only what was asked and the API server's reason.
      throw this.kube.failure(error, `write the backup Job's Secret ${name}`, signal);
    }
  }

  private async createJob(job: V1Job, signal: AbortSignal): Promise<void> {
    const namespace = job.metadata?.namespace ?? '';
    try {
      await this.kube.batch.createNamespacedJob({ namespace, body: job }, withSignal(signal));
    } catch (error) {
      // Another worker created it meanwhile: wait for that one.
      if (!isStatus(error, 409)) throw this.kube.failure(error, `create Job ${job.metadata?.name}`, signal);
    }
  }

  private async readJob(namespace: string, name: string, signal: AbortSignal): Promise<V1Job | undefined> {
    try {
      return await this.kube.batch.readNamespacedJob({ namespace, name }, withSignal(signal));
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw this.kube.failure(error, `read Job ${name}`, signal);
    }
  }

  private async deleteJob(namespace: string, name: string, signal: AbortSignal): Promise<void> {
    try {
      await this.kube.batch.deleteNamespacedJob(
        { namespace, name, propagationPolicy: 'Foreground' },
        withSignal(signal),
      );
    } catch (error) {
      if (!isStatus(error, 404)) throw this.kube.failure(error, `delete Job ${name}`, signal);
    }
    // A Job of the same name can be created only once the old one is gone.
    while (await this.readJob(namespace, name, signal)) await sleep(this.pollMs, signal);
  }

  private async deleteSecret(namespace: string, name: string, signal: AbortSignal): Promise<void> {
    try {
      await this.kube.core.deleteNamespacedSecret({ namespace, name }, withSignal(signal));
    } catch (error) {
      if (!isStatus(error, 404)) throw this.kube.failure(error, `delete Secret ${name}`, signal);
    }
  }

  private async waitForEnd(namespace: string, name: string, signal: AbortSignal) {
    for (;;) {
      const job = await this.readJob(namespace, name, signal);
      if (!job) {
        throw new ClusterError('BackupJobFailed', `Job ${name} went away before it ended.`, {
          retryable: true,
        });
      }
      const end = finished(job);
      if (end) return end;
      await sleep(this.pollMs, signal);
    }
  }

  /** The exit status and termination message of the Job's pod. */
  private async resultOf(
    namespace: string,
    name: string,
    end: 'succeeded' | 'failed',
    signal: AbortSignal,
  ): Promise<BackupJobResult> {
    let pods: V1Pod[];
    try {
      pods = (
        await this.kube.core.listNamespacedPod(
          { namespace, labelSelector: `job-name=${name}` },
          withSignal(signal),
        )
      ).items;
    } catch (error) {
      throw this.kube.failure(error, `read the pod of Job ${name}`, signal);
    }
    const terminated = pods
      .map((pod) => pod.status?.containerStatuses?.find((c) => c.name === 'agent')?.state?.terminated)
      .find((state) => state !== undefined);
    if (!terminated) {
      // No container ran to an end: the deadline passed, or the pod could not start (image, volume).
      return {
        exitCode: end === 'succeeded' ? 0 : -1,
        message: `Job ${name} ${end} without a container that ended (past its deadline, or its pod never started)`,
      };
    }
    return { exitCode: terminated.exitCode, message: terminated.message ?? '' };
  }
}

/** The builder's input for a request: the engine's commands for the part, the store's Secret, the placement. */
export function backupJobInput(request: BackupJobRequest, placement: Placement): BackupJobInput {
  const commands = engineModule(request.target.engine).backup.job?.(request.target.release);
  const part = commands?.[request.part];
  if (!part) {
    throw new ClusterError(
      'NoSuchBackupPart',
      `A ${request.target.engine} store has no backup Job for its ${request.part} (its engine does not say how one reaches it).`,
      { retryable: false },
    );
  }
  return {
    direction: request.direction,
    target: request.target,
    backupStoreId: request.backupStoreId,
    backupId: request.backupId,
    part: request.part,
    commands: part,
    storeSecret: STORE_SECRET_NAME,
    bucket: request.bucket,
    withCredentials: request.secrets.credentials !== undefined,
    image: request.image,
    placement,
    deadlineSeconds: request.deadlineSeconds,
  };
}

function finished(job: V1Job): 'succeeded' | 'failed' | undefined {
  const conditions = job.status?.conditions ?? [];
  const has = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
  if (has('Complete') || (job.status?.succeeded ?? 0) > 0) return 'succeeded';
  if (has('Failed') || (job.status?.failed ?? 0) > 0) return 'failed';
  return undefined;
}
