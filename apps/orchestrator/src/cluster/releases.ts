// The store's Helm release, and the only caller of helm: install or upgrade, rollback, history and
// uninstall. (A release an interrupted operation left pending is the reconciler's to unlock first.)
import type { Engine, ReleaseRevision } from '@storefleet/contracts';
import { releaseDescription } from '../domain/next-action.ts';
import { engineChart, type Placement } from '../engines/engine.ts';
import { engineModule } from '../engines/registry.ts';
import { helmFailure } from './cluster-errors.ts';
import { type HelmCli, HelmError } from './helm-cli.ts';
import { helmRunningFor } from './helm-processes.ts';
import type { KubeApi } from './kube-api.ts';
import {
  ClusterError,
  type ClusterReleases,
  type DeployedRelease,
  type StoreTarget,
  type UninstallOptions,
} from './port.ts';
import { type ChartSettings, storeValues } from './store-values.ts';

export interface HelmReleasesOptions {
  kube: KubeApi;
  helm: HelmCli;
  chart: ChartSettings;
  /** Where the pods of an engine's stores go (a real node, or anywhere). */
  placementOf: (engine: Engine) => Placement;
}

export class HelmReleases implements ClusterReleases {
  private readonly options: HelmReleasesOptions;

  constructor(options: HelmReleasesOptions) {
    this.options = options;
  }

  async installRelease(target: StoreTarget, signal: AbortSignal): Promise<DeployedRelease> {
    const { helm, chart, placementOf } = this.options;
    try {
      // A release left pending-* by a dead process is unlocked before this, by the reconciler's
      // release step (nextAction over the release history).
      const release = await helm.upgradeInstall(
        {
          release: target.release,
          namespace: target.namespace,
          ...engineChart(engineModule(target.engine), chart.environment, chart.valuesFiles[target.engine]),
          values: storeValues(target, chart, placementOf(target.engine)),
          description: releaseDescription(target.generation),
        },
        signal,
      );
      return { revision: release.revision, chartVersion: release.chartVersion, values: target.values };
    } catch (error) {
      throw this.failure(error, 'install the Helm release', signal);
    }
  }

  async rollbackRelease(
    target: StoreTarget,
    revision: number,
    signal: AbortSignal,
  ): Promise<DeployedRelease> {
    const { helm } = this.options;
    try {
      await helm.rollback(target.release, target.namespace, revision, signal);
      const status = await helm.status(target.release, target.namespace, signal);
      if (!status)
        throw new ClusterError(
          'ReleaseMissing',
          `Release ${target.release} disappeared during the rollback.`,
          { retryable: false },
        );
      const values = await helm.values(target.release, target.namespace, status.revision, signal);
      return {
        revision: status.revision,
        chartVersion: status.chartVersion,
        values: engineModule(target.engine).storeValuesFrom(values),
      };
    } catch (error) {
      throw this.failure(error, `roll the release back to revision ${revision}`, signal);
    }
  }

  async releaseHistory(target: StoreTarget, signal: AbortSignal): Promise<ReleaseRevision[]> {
    try {
      return await this.options.helm.history(target.release, target.namespace, signal);
    } catch (error) {
      throw this.failure(error, 'read the release history', signal);
    }
  }

  async uninstallRelease(
    target: StoreTarget,
    signal: AbortSignal,
    options: UninstallOptions = {},
  ): Promise<void> {
    try {
      await this.options.helm.uninstall(target.release, target.namespace, signal, options.wait ?? true);
    } catch (error) {
      if (error instanceof HelmError && /namespaces? .* not found/i.test(error.stderr)) return;
      throw this.failure(error, 'uninstall the Helm release', signal);
    }
  }

  helmRunning(target: StoreTarget): Promise<boolean | undefined> {
    return helmRunningFor(target.release, target.namespace);
  }

  /** helm rejects with the abort reason once `signal` fires; anything else is a helm failure. */
  private failure(error: unknown, action: string, signal: AbortSignal): unknown {
    if (signal.aborted) return signal.reason;
    return helmFailure(error, action, this.options.kube.server);
  }
}
