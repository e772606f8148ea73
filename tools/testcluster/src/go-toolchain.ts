// The machine's Go toolchain, found on PATH and checked against the version the pinned modules need.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseGoVersion } from './go-mod.ts';
import { capture } from './run.ts';
import { MIN_GO_VERSION } from './versions.ts';

export class GoUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoUnavailableError';
  }
}

export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export interface GoToolchain {
  go: string;
  version: string;
  /** `nice -n 10` when available. */
  prefix: string[];
  env: NodeJS.ProcessEnv;
}

export async function findGo(): Promise<GoToolchain> {
  const go = findOnPath('go');
  if (!go) throw new GoUnavailableError('`go` was not found on PATH');
  const env = { ...process.env, CGO_ENABLED: '0', GOWORK: 'off' };
  const version = (await capture(go, ['env', 'GOVERSION'], { env })).trim();
  const parsed = parseGoVersion(version);
  const [major, minor] = MIN_GO_VERSION;
  if (parsed && (parsed[0] < major || (parsed[0] === major && parsed[1] < minor))) {
    throw new GoUnavailableError(
      `${go} is ${version}, older than the go${major}.${minor} these modules need`,
    );
  }
  const nice = findOnPath('nice');
  return { go, version, prefix: nice ? [nice, '-n', '10'] : [], env };
}
