// A store's data in and out of its containers: a backup part is what a command run in the right
// container (pg_dump, mariadb-dump, tar) writes to stdout, and a restore feeds it back to the matching
// command's stdin. Runs through the API server's exec, so nothing but the orchestrator touches it.
import { type Readable, Writable } from 'node:stream';
import { Exec, type V1Pod, type V1Status } from '@kubernetes/client-node';
import type { DataCommand } from '../engines/engine.ts';
import { engineModule } from '../engines/registry.ts';
import { type KubeApi, withSignal } from './kube-api.ts';
import { type BackupPart, type ClusterData, ClusterError, type StoreTarget } from './port.ts';
import { COMPONENT_LABEL } from './workload-state.ts';

/** How much of a failed command's stderr a failure quotes. */
const STDERR_LIMIT = 2000;

export class KubernetesStoreData implements ClusterData {
  private readonly kube: KubeApi;
  private readonly exec: Exec;

  constructor(kube: KubeApi) {
    this.kube = kube;
    this.exec = new Exec(kube.kubeConfig);
  }

  backupParts(target: StoreTarget): BackupPart[] {
    return engineModule(target.engine).backup.files ? ['database', 'files'] : ['database'];
  }

  async dumpData(target: StoreTarget, part: BackupPart, sink: Writable, signal: AbortSignal): Promise<void> {
    const command = this.command(target, part, 'dump');
    await this.run(target, command, { stdout: sink }, `dump the store's ${part}`, signal);
  }

  async restoreData(
    target: StoreTarget,
    part: BackupPart,
    source: Readable,
    signal: AbortSignal,
  ): Promise<void> {
    const command = this.command(target, part, 'restore');
    await this.run(target, command, { stdin: source }, `restore the store's ${part}`, signal);
  }

  private command(target: StoreTarget, part: BackupPart, direction: 'dump' | 'restore'): DataCommand {
    const spec = engineModule(target.engine).backup;
    const commands = part === 'database' ? spec.database : spec.files;
    if (!commands) {
      throw new ClusterError('NoSuchBackupPart', `A ${target.engine} store keeps no ${part}.`, {
        retryable: false,
      });
    }
    return commands[direction];
  }

  /** Runs the command in a running container of its component; resolves when it exits with 0. */
  private async run(
    target: StoreTarget,
    command: DataCommand,
    streams: { stdout?: Writable; stdin?: Readable },
    action: string,
    signal: AbortSignal,
  ): Promise<void> {
    signal.throwIfAborted();
    const pod = await this.runningPod(target, command.component, action, signal);
    const stderr = new StderrTail();
    let socket: { close(): void } | undefined;
    const exited = new Promise<V1Status>((resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      this.exec
        .exec(
          target.namespace,
          pod,
          command.container,
          [...command.command],
          streams.stdout ?? null,
          stderr.writable,
          streams.stdin ?? null,
          false,
          resolve,
        )
        .then((ws) => {
          socket = ws;
          ws.on('close', () =>
            // The status arrives before the close; a close without one means the connection broke.
            setTimeout(
              () =>
                reject(
                  new ClusterError(
                    'ExecInterrupted',
                    `Could not ${action}: the connection to ${pod} closed.`,
                    {
                      retryable: true,
                    },
                  ),
                ),
              100,
            ),
          );
          if (signal.aborted) ws.close();
        }, reject);
    });
    try {
      const status = await exited;
      if (status.status !== 'Success') {
        const said = stderr.text() || status.message || 'no output';
        throw new ClusterError(
          'CommandFailed',
          `Could not ${action}: ${command.command[0]} failed in ${pod}: ${said}`,
          {
            retryable: true,
          },
        );
      }
    } catch (error) {
      throw this.kube.failure(error, action, signal);
    } finally {
      socket?.close();
    }
  }

  private async runningPod(
    target: StoreTarget,
    component: string,
    action: string,
    signal: AbortSignal,
  ): Promise<string> {
    let pods: V1Pod[];
    try {
      const list = await this.kube.core.listNamespacedPod(
        { namespace: target.namespace, labelSelector: `${COMPONENT_LABEL}=${component}` },
        withSignal(signal),
      );
      pods = list.items;
    } catch (error) {
      throw this.kube.failure(error, `find the ${component} pod`, signal);
    }
    const running = pods.find(
      (pod) =>
        pod.status?.phase === 'Running' &&
        !pod.metadata?.deletionTimestamp &&
        (pod.status.containerStatuses ?? []).every((container) => container.ready),
    );
    if (!running?.metadata?.name) {
      throw new ClusterError(
        'PodNotRunning',
        `Could not ${action}: no ${component} pod of the store is running and ready.`,
        { retryable: true },
      );
    }
    return running.metadata.name;
  }
}

/** Keeps the last bytes a command wrote to stderr, to quote when it fails. */
class StderrTail {
  private chunks = '';
  readonly writable: Writable;

  constructor() {
    this.writable = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.chunks = (this.chunks + chunk.toString('utf8')).slice(-STDERR_LIMIT);
        done();
      },
    });
  }

  text(): string {
    return this.chunks.trim();
  }
}
