// Progress lines go to stderr so that stdout carries only results (the kubeconfig path).
export type Log = (line: string) => void;

export const stderrLog: Log = (line) => {
  process.stderr.write(`[testcluster ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

export const silentLog: Log = () => {};

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60
    ? `${seconds}s`
    : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
