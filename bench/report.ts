// Collects the one-line results of a run, prints them as they come, and writes docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { PINNED_VERSIONS } from '../tools/testcluster/src/binaries.ts';

export interface Result {
  key: string;
  line: string;
  values: Record<string, number>;
}

/** The 1-minute load average, as text: other work on the machine moves every absolute number. */
const load = () => (loadavg()[0] ?? 0).toFixed(1);

export class Report {
  readonly results: Result[] = [];
  private readonly loadAtStart = load();
  readonly versions: Record<string, string> = {
    node: process.version,
    kubernetes: PINNED_VERSIONS.kubernetes,
    kwok: PINNED_VERSIONS.kwok,
    helm: PINNED_VERSIONS.helm,
  };

  result(key: string, line: string, values: Record<string, number>): void {
    this.results.push({ key, line, values });
    console.log(line);
  }

  readonly targets: string[] = [];

  /** A target of the issue: met or missed, with the measured value. */
  target(what: string, measured: string, target: string, met: boolean): void {
    this.targets.push(`${what}: ${measured} (target ${target}): **${met ? 'met' : 'missed'}**`);
  }

  note(key: string, line: string): void {
    this.result(key, line, {});
  }

  machine(): string {
    const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
    return `${cpus().length} × ${model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${process.platform} ${process.arch}`;
  }

  markdown(options: { command: string; seconds: number; skipped: string[]; explanation: string }): string {
    const commit = (() => {
      try {
        return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
      } catch {
        return 'unknown';
      }
    })();
    const lines = [
      '# Benchmarks',
      '',
      '<!-- Written by `npm run bench` (bench/run.ts); the text below the results is kept in bench/explanation.md. -->',
      '',
      `Latest full run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${commit}, ` +
        `${(options.seconds / 60).toFixed(1)} min.`,
      '',
      `- Command: \`${options.command}\``,
      `- Machine: ${this.machine()}; load average ${this.loadAtStart} at the start, ${load()} at the end ` +
        '(other work shares the machine: read the ratios and percentiles, not absolute times)',
      `- Versions: ${Object.entries(this.versions)
        .map(([name, version]) => `${name} ${version}`)
        .join(', ')}`,
      ...(options.skipped.length > 0 ? [`- Skipped: ${options.skipped.join(', ')}`] : []),
      '',
      '## Targets',
      '',
      ...this.targets.map((t) => `- ${t}`),
      '',
      '## Results',
      '',
      ...this.results.map((r) => `- **${r.key}**: ${r.line}`),
      '',
      options.explanation.trim(),
      '',
    ];
    return lines.join('\n');
  }

  write(root: string, options: Parameters<Report['markdown']>[0]): void {
    writeFileSync(join(root, 'docs/benchmarks.md'), this.markdown(options));
  }
}
