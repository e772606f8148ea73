// Prometheus metrics. Gauges that describe shared state (stores by state, queue depth) are read
// from the database at scrape time, so every replica reports the same truth.
import { STORE_STATES } from '@storefleet/contracts';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueDepth } from '../queue/work-queue.ts';

export interface MetricSources {
  storeCounts(): Promise<Record<string, number>>;
  queueDepth(): Promise<QueueDepth>;
}

export interface ReconcileMetrics {
  observeProvisioned(engine: string, seconds: number): void;
  observeStep(operation: string, step: string, seconds: number): void;
  countStepFailure(operation: string, step: string, reason: string): void;
}

export class Metrics implements ReconcileMetrics {
  readonly registry = new Registry();
  private readonly provisioningDuration: Histogram<'engine'>;
  private readonly stepDuration: Histogram<'operation' | 'step'>;
  private readonly stepFailures: Counter<'operation' | 'step' | 'reason'>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'storefleet_process_' });
    this.provisioningDuration = new Histogram({
      name: 'storefleet_provisioning_duration_seconds',
      help: 'Time from the start of provisioning to Ready.',
      labelNames: ['engine'],
      buckets: [5, 15, 30, 60, 120, 180, 300, 600, 900, 1800],
      registers,
    });
    this.stepDuration = new Histogram({
      name: 'storefleet_step_duration_seconds',
      help: 'Duration of each successful reconcile step.',
      labelNames: ['operation', 'step'],
      buckets: [0.05, 0.25, 1, 5, 15, 30, 60, 120, 300, 600],
      registers,
    });
    this.stepFailures = new Counter({
      name: 'storefleet_step_failures_total',
      help: 'Failed reconcile steps, by reason.',
      labelNames: ['operation', 'step', 'reason'],
      registers,
    });
    new Gauge({
      name: 'storefleet_stores',
      help: 'Stores by lifecycle state.',
      labelNames: ['state'],
      registers,
      async collect() {
        const counts = await sources.storeCounts();
        for (const state of STORE_STATES) this.set({ state }, counts[state] ?? 0);
      },
    });
    new Gauge({
      name: 'storefleet_queue_jobs',
      help: 'Jobs in the work queue: pending (waiting or backing off) and running (leased).',
      labelNames: ['status'],
      registers,
      async collect() {
        const depth = await sources.queueDepth();
        this.set({ status: 'pending' }, depth.pending);
        this.set({ status: 'running' }, depth.running);
      },
    });
  }

  observeProvisioned(engine: string, seconds: number): void {
    this.provisioningDuration.observe({ engine }, seconds);
  }

  observeStep(operation: string, step: string, seconds: number): void {
    this.stepDuration.observe({ operation, step }, seconds);
  }

  countStepFailure(operation: string, step: string, reason: string): void {
    this.stepFailures.inc({ operation, step, reason });
  }
}
