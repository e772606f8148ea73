// The helm v4 command line as a typed client: spawned without a shell, JSON output, a timeout that
// kills the process, and stderr turned into a short readable error with anything secret-looking removed.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface HelmOptions {
  bin: string;
  kubeconfig?: string;
  /** Bearer token to use instead of the kubeconfig's credentials (the orchestrator's ServiceAccount). */
  token?: string;
  /** How long helm may wait for workloads; the process is killed a little after that. */
  timeoutMs: number;
}

export interface HelmRelease {
  name: string;
  namespace: string;
  revision: number;
  status: string;
  chartName: string;
  chartVersion: string;
  appVersion: string | null;
  description: string;
}

export interface HelmRevision {
  revision: number;
  status: string;
  chart: string;
  appVersion: string | null;
  updated: string;
  description: string;
}

export class HelmError extends Error {
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(message: string, exitCode: number | null, stderr: string) {
    super(message);
    this.name = 'HelmError';
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

const SECRET_LIKE = /((?:password|passwd|secret|token|key|salt)[^=:\s"]*["']?\s*[=:]\s*["']?)[^\s"',}]+/gi;

/** Removes anything that looks like a credential from text meant for people. */
export function redactSecrets(text: string, known: readonly string[] = []): string {
  let result = text.replace(SECRET_LIKE, '$1[redacted]');
  for (const secret of known) if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  return result;
}

export interface InstallRequest {
  release: string;
  namespace: string;
  chart: string;
  /** Non-secret values only; secrets reach the chart through the Kubernetes Secret. */
  values: Record<string, unknown>;
  valuesFiles?: string[];
  reuseValues?: boolean;
  version?: string;
  /** Kept as the revision's description once it is deployed (helm writes its own while pending). */
  description?: string;
}

export class HelmCli {
  private readonly options: HelmOptions;

  constructor(options: HelmOptions) {
    this.options = options;
  }

  async version(signal?: AbortSignal): Promise<string> {
    return (await this.run(['version', '--template', '{{.Version}}'], signal, false)).trim();
  }

  async status(release: string, namespace: string, signal?: AbortSignal): Promise<HelmRelease | undefined> {
    try {
      return parseRelease(await this.run(['status', release, '-n', namespace, '-o', 'json'], signal));
    } catch (error) {
      if (error instanceof HelmError && /release: not found/i.test(error.stderr)) return undefined;
      throw error;
    }
  }

  async history(release: string, namespace: string, signal?: AbortSignal): Promise<HelmRevision[]> {
    try {
      const raw = JSON.parse(
        await this.run(['history', release, '-n', namespace, '-o', 'json', '--max', '50'], signal),
      );
      return (raw as Record<string, unknown>[]).map((entry) => ({
        revision: Number(entry.revision),
        status: String(entry.status ?? ''),
        chart: String(entry.chart ?? ''),
        appVersion: entry.app_version ? String(entry.app_version) : null,
        updated: String(entry.updated ?? ''),
        description: String(entry.description ?? ''),
      }));
    } catch (error) {
      if (error instanceof HelmError && /release: not found/i.test(error.stderr)) return [];
      throw error;
    }
  }

  async values(
    release: string,
    namespace: string,
    revision?: number,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const args = ['get', 'values', release, '-n', namespace, '-o', 'json'];
    if (revision !== undefined) args.push('--revision', String(revision));
    const parsed: unknown = JSON.parse(await this.run(args, signal));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  }

  /**
   * `helm upgrade --install`, returning once the objects are applied: the orchestrator's own watches
   * decide whether the workloads become ready (and remediate a release that does not).
   */
  async upgradeInstall(request: InstallRequest, signal?: AbortSignal): Promise<HelmRelease> {
    const valuesFile = join(tmpdir(), `storefleet-values-${randomUUID()}.json`);
    await writeFile(valuesFile, JSON.stringify(request.values), { mode: 0o600 });
    try {
      const args = [
        'upgrade',
        request.release,
        request.chart,
        '--install',
        '-n',
        request.namespace,
        '--timeout',
        `${Math.ceil(this.options.timeoutMs / 1000)}s`,
        '-o',
        'json',
      ];
      if (request.reuseValues) args.push('--reuse-values');
      if (request.description) args.push('--description', request.description);
      if (request.version) args.push('--version', request.version);
      for (const file of request.valuesFiles ?? []) args.push('-f', file);
      args.push('-f', valuesFile);
      return parseRelease(await this.run(args, signal));
    } finally {
      await rm(valuesFile, { force: true });
    }
  }

  async rollback(release: string, namespace: string, revision: number, signal?: AbortSignal): Promise<void> {
    await this.run(
      [
        'rollback',
        release,
        String(revision),
        '-n',
        namespace,
        '--timeout',
        `${Math.ceil(this.options.timeoutMs / 1000)}s`,
      ],
      signal,
    );
  }

  /** `helm uninstall`; with `wait`, until the release's objects are gone. */
  async uninstall(release: string, namespace: string, signal?: AbortSignal, wait = true): Promise<void> {
    await this.run(
      [
        'uninstall',
        release,
        '-n',
        namespace,
        '--ignore-not-found',
        ...(wait ? ['--wait=watcher'] : []),
        '--timeout',
        `${Math.ceil(this.options.timeoutMs / 1000)}s`,
      ],
      signal,
    );
  }

  /** Runs helm; resolves with stdout, rejects with a HelmError whose message is fit for people. */
  private run(args: string[], signal?: AbortSignal, withCluster = true): Promise<string> {
    const { bin, kubeconfig, token, timeoutMs } = this.options;
    const fullArgs = [...args];
    if (withCluster) {
      if (kubeconfig) fullArgs.push('--kubeconfig', kubeconfig);
      if (token) fullArgs.push('--kube-token', token);
    }
    return new Promise((resolve, reject) => {
      signal?.throwIfAborted();
      const child = spawn(bin, fullArgs, {
        shell: false,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, HELM_NO_PLUGINS: '1' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const kill = () => {
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      };
      // helm enforces --timeout itself; this is the backstop for a helm that hangs anyway.
      const timer = setTimeout(kill, timeoutMs + 30_000);
      const onAbort = () => kill();
      signal?.addEventListener('abort', onAbort, { once: true });
      child.on('error', (error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(new HelmError(`helm could not be started (${bin}): ${error.message}; set HELM_BIN`, null, ''));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) return reject(signal.reason);
        if (code === 0) return resolve(stdout);
        const secrets = token ? [token] : [];
        const summary = summarise(redactSecrets(stderr, secrets)) || `exit code ${code}`;
        reject(new HelmError(`helm ${args[0]} failed: ${summary}`, code, redactSecrets(stderr, secrets)));
      });
    });
  }
}

/** The last meaningful lines of helm's stderr, without its log prefixes. */
function summarise(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.replace(/^(Error|ERROR|level=\w+ msg=)[: ]*/, '').trim())
    .filter((line) => line.length > 0 && !/^(WARNING|time=)/.test(line));
  return lines.slice(-3).join(' ').slice(0, 600);
}

function parseRelease(stdout: string): HelmRelease {
  const raw = JSON.parse(stdout) as {
    name: string;
    namespace: string;
    version: number;
    info?: { status?: string; description?: string };
    chart?: { metadata?: { name?: string; version?: string; appVersion?: string } };
  };
  return {
    name: raw.name,
    namespace: raw.namespace,
    revision: raw.version,
    status: raw.info?.status ?? 'unknown',
    chartName: raw.chart?.metadata?.name ?? '',
    chartVersion: raw.chart?.metadata?.version ?? '',
    appVersion: raw.chart?.metadata?.appVersion ?? null,
    description: raw.info?.description ?? '',
  };
}
