import { usePlatform } from '../api/queries.ts';

/** Says so whenever stores cannot really serve: no cluster at all, or the simulated local one. */
export function ClusterBanner() {
  const { data } = usePlatform();
  if (!data) return null;
  const { cluster } = data;
  if (cluster.configured && !cluster.simulated) return null;
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
