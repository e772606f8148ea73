// A store's data, the scale of its workloads and its backup schedule, kept in memory by namespace.
import type { Readable, Writable } from 'node:stream';
import type {
  BackupPart,
  BackupScheduleTarget,
  ClusterBackupSchedule,
  ClusterData,
  ClusterScaling,
  ScaleScope,
  StoreTarget,
} from '../../../src/cluster/port.ts';
import type { ScriptedCalls } from './scripted-calls.ts';

export class MemoryData implements ClusterData {
  /** Each namespace's data, as a dump would carry it. Tests write it to tell backups apart. */
  readonly contents = new Map<string, string>();
  private readonly calls: ScriptedCalls;

  constructor(calls: ScriptedCalls) {
    this.calls = calls;
  }

  backupParts(): BackupPart[] {
    return ['database'];
  }

  dumpData(target: StoreTarget, _part: BackupPart, sink: Writable, signal: AbortSignal): Promise<void> {
    return this.calls.run('dumpData', target, signal, () => {
      sink.write(this.contents.get(target.namespace) ?? '');
    });
  }

  async restoreData(
    target: StoreTarget,
    _part: BackupPart,
    source: Readable,
    signal: AbortSignal,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of source) chunks.push(Buffer.from(chunk as Buffer));
    await this.calls.run('restoreData', target, signal, () => {
      this.contents.set(target.namespace, Buffer.concat(chunks).toString('utf8'));
    });
  }
}

export class MemoryScaling implements ClusterScaling {
  /** Which scopes of each namespace are scaled down. */
  readonly scaledDown = new Map<string, Set<ScaleScope>>();
  /** Setup reruns per namespace, by tag. */
  readonly setupReruns = new Map<string, Set<string>>();
  private readonly calls: ScriptedCalls;

  constructor(calls: ScriptedCalls) {
    this.calls = calls;
  }

  scaleDown(target: StoreTarget, scope: ScaleScope, signal: AbortSignal): Promise<void> {
    return this.calls.run('scaleDown', target, signal, () => {
      const scopes = this.scaledDown.get(target.namespace) ?? new Set();
      scopes.add(scope);
      this.scaledDown.set(target.namespace, scopes);
    });
  }

  scaleUp(target: StoreTarget, scope: ScaleScope, signal: AbortSignal): Promise<void> {
    return this.calls.run('scaleUp', target, signal, () => {
      // Scaling everything up brings back what a narrower scale-down stopped, as the adapter does.
      if (scope === 'all') this.scaledDown.get(target.namespace)?.clear();
      else this.scaledDown.get(target.namespace)?.delete(scope);
    });
  }

  rerunSetup(target: StoreTarget, tag: string, signal: AbortSignal): Promise<void> {
    return this.calls.run('rerunSetup', target, signal, () => {
      const tags = this.setupReruns.get(target.namespace) ?? new Set();
      tags.add(tag);
      this.setupReruns.set(target.namespace, tags);
    });
  }
}

export class MemoryBackupSchedule implements ClusterBackupSchedule {
  /** Each namespace's backup schedule. */
  readonly schedules = new Map<string, BackupScheduleTarget>();
  private readonly calls: ScriptedCalls;

  constructor(calls: ScriptedCalls) {
    this.calls = calls;
  }

  applyBackupSchedule(
    target: StoreTarget,
    schedule: BackupScheduleTarget | null,
    signal: AbortSignal,
  ): Promise<void> {
    return this.calls.run('applyBackupSchedule', target, signal, () => {
      if (schedule) this.schedules.set(target.namespace, schedule);
      else this.schedules.delete(target.namespace);
    });
  }
}
