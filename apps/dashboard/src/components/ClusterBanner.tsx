import { usePlatform } from '../api/queries.ts';

/**
 * Says so whenever stores cannot really serve (no cluster at all, or the simulated local one), and on
 * a cluster of real pods that cannot run every engine, which ones and why.
 */
export function ClusterBanner() {
  const { data } = usePlatform();
  if (!data) return null;
  const { cluster, engines } = data;
  const unavailable = engines.filter((engine) => !engine.available);
  if (cluster.configured && !cluster.simulated) {
    // Real pods, but not every engine can run here (the local cluster's real node): say which.
    if (unavailable.length === 0) return null;
    const real = engines.filter((engine) => engine.available).map((engine) => engine.displayName);
    return (
      <div role="note" aria-label="Cluster notice" className="border-b border-sky-200 bg-sky-50 text-sky-950">
        <div className="mx-auto max-w-6xl space-y-0.5 px-4 py-2 text-sm">
          <p>
            <strong className="font-semibold">
              Real pods{real.length > 0 ? ` for ${real.join(' and ')}` : ''}.
            </strong>{' '}
            <span className="break-words">{cluster.description}</span>
          </p>
          {unavailable.map((engine) => (
            <p key={engine.engine} className="break-words">
              {engine.displayName} is unavailable: {engine.reason}
            </p>
          ))}
        </div>
      </div>
    );
  }
  const title = cluster.configured
    ? 'Simulated cluster: pods are not real and store URLs will not serve.'
    : 'No cluster configured: new stores fail at once.';
  const hint = cluster.configured
    ? cluster.description
    : 'Set KUBECONFIG (or run the orchestrator inside a cluster) and restart it.';
  return (
    <div
      role="note"
      aria-label="Cluster notice"
      className="border-b border-amber-300 bg-amber-50 text-amber-950"
    >
      <div className="mx-auto max-w-6xl px-4 py-2 text-sm">
        <strong className="font-semibold">{title}</strong> <span className="break-words">{hint}</span>
      </div>
    </div>
  );
}
