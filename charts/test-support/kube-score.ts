// kube-score, built with the machine's Go from the Go module proxy into the project's binary cache
// (the way tools/testcluster builds its binaries), and run on rendered charts by the charts' tests.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { withFileLock } from '../../tools/testcluster/src/file-lock.ts';
import { findGo, isExecutableFile } from '../../tools/testcluster/src/go-toolchain.ts';
import { type Log, stderrLog } from '../../tools/testcluster/src/log.ts';
import { cacheRoot } from '../../tools/testcluster/src/paths.ts';
import { capture, runLogged } from '../../tools/testcluster/src/run.ts';

export const KUBE_SCORE_VERSION = 'v1.20.0';
const KUBE_SCORE_PACKAGE = 'github.com/zegl/kube-score/cmd/kube-score';

/** Where the built binary is cached: `<cacheRoot>/bin/kube-score-<version>`. */
export function kubeScorePath(): string {
  return join(cacheRoot(), 'bin', `kube-score-${KUBE_SCORE_VERSION}`);
}

/**
 * The cached kube-score, built first when missing (`go install` of the pinned version, static and
 * -trimpath, with upstream's version ldflags). One build at a time across processes (a lock file).
 */
export async function ensureKubeScore(log: Log = stderrLog): Promise<string> {
  const binary = kubeScorePath();
  if (isExecutableFile(binary)) return binary;
  const buildDir = join(cacheRoot(), 'build', 'kube-score');
  await withFileLock(
    join(cacheRoot(), 'build', 'kube-score.lock'),
    { what: 'the build of kube-score', timeoutMs: 20 * 60_000, log },
    async () => {
      if (isExecutableFile(binary)) return;
      const toolchain = await findGo().catch((error: Error) => {
        throw new Error(
          `kube-score is not in ${binary} and cannot be built: ${error.message}. ` +
            'Put Go (≥ 1.26) on PATH, e.g. /usr/local/go/bin, or place a kube-score binary there',
        );
      });
      const out = join(buildDir, 'out');
      await mkdir(out, { recursive: true });
      const [command, ...prefix] = [...toolchain.prefix, toolchain.go];
      const ldflags = `-s -w -X main.version=${KUBE_SCORE_VERSION.replace(/^v/, '')}`;
      log(`building kube-score ${KUBE_SCORE_VERSION} with ${toolchain.version} (about 1 min on 2 cores)`);
      await runLogged(
        command as string,
        [
          ...prefix,
          'install',
          '-trimpath',
          `-ldflags=${ldflags}`,
          `${KUBE_SCORE_PACKAGE}@${KUBE_SCORE_VERSION}`,
        ],
        {
          label: `kube-score ${KUBE_SCORE_VERSION} (go install)`,
          log,
          cwd: buildDir,
          env: { ...toolchain.env, GOBIN: out },
          echoStdout: true,
        },
      );
      await mkdir(join(cacheRoot(), 'bin'), { recursive: true });
      const temporary = `${binary}.tmp-${process.pid}`;
      await copyFile(join(out, 'kube-score'), temporary);
      await chmod(temporary, 0o755);
      const version = await capture(temporary, ['version']);
      if (!version.includes(KUBE_SCORE_VERSION.replace(/^v/, ''))) {
        await rm(temporary, { force: true });
        throw new Error(
          `the freshly built kube-score does not report ${KUBE_SCORE_VERSION}: ${version.trim()}`,
        );
      }
      await rename(temporary, binary);
    },
  );
  return binary;
}

/** One finding: a check that did not pass (grade warning or critical) for one object. */
export interface KubeScoreFinding {
  /** `Kind/name`, e.g. `Deployment/storefleet-orchestrator`. */
  object: string;
  check: string;
  grade: 'WARNING' | 'CRITICAL';
  comments: string[];
}

interface ScoredObject {
  object_name: string;
  type_meta: { kind: string };
  checks: {
    check: { id: string };
    grade: number;
    skipped: boolean;
    comments: { summary: string; path?: string; description?: string }[] | null;
  }[];
}

// kube-score's grades (scorecard.Grade): 1 critical, 5 warning, 7 almost OK, 10 all OK.
const GRADE_CRITICAL = 1;
const GRADE_WARNING = 5;

/** Runs kube-score on `manifests` (YAML text) and returns what did not pass. */
export function kubeScore(binary: string, manifests: string, extraArgs: string[] = []): KubeScoreFinding[] {
  const result = spawnSync(
    binary,
    ['score', '--output-format', 'json', '--kubernetes-version', 'v1.34', ...extraArgs, '-'],
    { input: manifests, encoding: 'utf8', timeout: 60_000 },
  );
  if (result.error) throw result.error;
  // kube-score exits 1 when any check failed; the JSON is on stdout either way.
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`kube-score exited with ${result.status}: ${result.stderr}`);
  }
  const scored = JSON.parse(result.stdout) as ScoredObject[];
  return scored.flatMap((object) =>
    object.checks
      .filter((check) => !check.skipped && (check.grade === GRADE_CRITICAL || check.grade === GRADE_WARNING))
      .map((check) => ({
        object: `${object.type_meta.kind}/${object.object_name.split('/').pop()}`,
        check: check.check.id,
        grade: check.grade === GRADE_CRITICAL ? ('CRITICAL' as const) : ('WARNING' as const),
        comments: (check.comments ?? []).map((c) => [c.path, c.summary].filter(Boolean).join(': ')),
      })),
  );
}

export const JUSTIFICATIONS_START = '<!-- kube-score:start -->';
export const JUSTIFICATIONS_END = '<!-- kube-score:end -->';

/** Whether a README key (a trailing `*` matches any rest of the name) covers a finding's key. */
export function keyMatches(pattern: string, key: string): boolean {
  return pattern.endsWith('*') ? key.startsWith(pattern.slice(0, -1)) : key === pattern;
}

/** `check Kind/name`: the unit a README line justifies (all containers of the object at once). */
export function findingKey(finding: Pick<KubeScoreFinding, 'check' | 'object'>): string {
  return `${finding.check} ${finding.object}`;
}

/**
 * The findings a chart's README accepts, one list item each between the kube-score markers:
 * ``- `check-id` `Kind/name`: why``; a name ending in `*` stands for every name it begins (a setup Job
 * named after its content's hash). Returns the keys (see findingKey) with their reasons.
 */
export function readmeJustifications(readme: string): Map<string, string> {
  const start = readme.indexOf(JUSTIFICATIONS_START);
  const end = readme.indexOf(JUSTIFICATIONS_END);
  if (start < 0 || end < start) throw new Error('the README lacks the kube-score markers');
  const justified = new Map<string, string>();
  for (const line of readme.slice(start + JUSTIFICATIONS_START.length, end).split('\n')) {
    if (!line.trim()) continue;
    const match = /^- `([a-z0-9-]+)` `([A-Za-z]+\/[a-z0-9.-]+\*?)`: (\S.*)$/.exec(line);
    if (!match?.[1] || !match[2] || !match[3]) throw new Error(`malformed kube-score line: ${line}`);
    justified.set(findingKey({ check: match[1], object: match[2] }), match[3]);
  }
  return justified;
}

/**
 * The kube-score test of a chart: its production render has no finding that the README does not
 * justify, and the README justifies nothing that is not found (a stale line fails too).
 */
export function describeKubeScore(chart: { readmeFile: string; prodRender: () => string }): void {
  describe('kube-score on the production render', { timeout: 60_000 }, () => {
    let binary = '';
    // Built with Go on the first run (about a minute on 2 cores), cached afterwards.
    beforeAll(async () => {
      binary = await ensureKubeScore();
    }, 20 * 60_000);

    it('finds a missing NetworkPolicy and missing resources in a bare Deployment (the check works)', () => {
      const bare = [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: bare }',
        'spec:',
        '  selector: { matchLabels: { app: bare } }',
        '  template:',
        '    metadata: { labels: { app: bare } }',
        '    spec: { containers: [{ name: main, image: "nginx:1.27" }] }',
      ].join('\n');
      const keys = kubeScore(binary, bare).map(findingKey);
      expect(keys).toContain('pod-networkpolicy Deployment/bare');
      expect(keys).toContain('container-resources Deployment/bare');
    });

    it('reports only findings the README justifies, one line each, and no stale justification', () => {
      const found = [...new Set(kubeScore(binary, chart.prodRender()).map(findingKey))].sort();
      const justified = [...readmeJustifications(readFileSync(chart.readmeFile, 'utf8')).keys()].sort();
      expect(
        found.filter((key) => !justified.some((pattern) => keyMatches(pattern, key))),
        'findings without a README line',
      ).toEqual([]);
      expect(
        justified.filter((pattern) => !found.some((key) => keyMatches(pattern, key))),
        'README lines without a finding',
      ).toEqual([]);
    });
  });
}
