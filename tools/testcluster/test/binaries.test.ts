import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MissingBinariesError,
  PINNED_VERSIONS,
  resolveBinaries,
  resolveHelm,
  resolveMailpit,
} from '../src/binaries.ts';

const root = await mkdtemp(join(tmpdir(), 'testcluster-binaries-'));
afterAll(() => rm(root, { recursive: true, force: true }));

const saved = { ...process.env };
let n = 0;
let dir: string;

beforeEach(async () => {
  dir = join(root, String(n++));
  await mkdir(join(dir, 'bin-dir'), { recursive: true });
  await mkdir(join(dir, 'cache', 'bin'), { recursive: true });
  await mkdir(join(dir, 'path'), { recursive: true });
  process.env.STOREFLEET_CACHE = join(dir, 'cache');
  process.env.PATH = join(dir, 'path');
  delete process.env.STOREFLEET_BIN_DIR;
});
afterEach(() => {
  process.env = { ...saved };
});

async function executable(path: string, script = 'exit 0') {
  await writeFile(path, `#!/bin/sh\n${script}\n`);
  await chmod(path, 0o755);
}

const { kubernetes: k8s, etcd, kwok, helm } = PINNED_VERSIONS;
const versionedNames = [
  `etcd-${etcd}`,
  `kube-apiserver-${k8s}`,
  `kube-controller-manager-${k8s}`,
  `kube-scheduler-${k8s}`,
  `kwok-${kwok}`,
];

describe('resolveBinaries', () => {
  it('takes plain names from STOREFLEET_BIN_DIR before the cache', async () => {
    process.env.STOREFLEET_BIN_DIR = join(dir, 'bin-dir');
    for (const name of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']) {
      await executable(join(dir, 'bin-dir', name));
    }
    for (const name of versionedNames) await executable(join(dir, 'cache', 'bin', name));
    await writeFile(join(dir, 'bin-dir', 'kwok-stages.yaml'), '---\n');
    const binaries = await resolveBinaries({ build: false });
    expect(binaries).toEqual({
      etcd: join(dir, 'bin-dir', 'etcd'),
      kubeApiserver: join(dir, 'bin-dir', 'kube-apiserver'),
      kubeControllerManager: join(dir, 'bin-dir', 'kube-controller-manager'),
      kubeScheduler: join(dir, 'bin-dir', 'kube-scheduler'),
      kwok: join(dir, 'bin-dir', 'kwok'),
      kwokStages: join(dir, 'bin-dir', 'kwok-stages.yaml'),
    });
  });

  it('falls back to the versioned files in the cache', async () => {
    for (const name of versionedNames) await executable(join(dir, 'cache', 'bin', name));
    await mkdir(join(dir, 'cache', 'share'));
    await writeFile(join(dir, 'cache', 'share', `kwok-${kwok}-stages.yaml`), '---\n');
    const binaries = await resolveBinaries({ build: false });
    expect(binaries.kubeApiserver).toBe(join(dir, 'cache', 'bin', `kube-apiserver-${k8s}`));
    expect(binaries.kwokStages).toBe(join(dir, 'cache', 'share', `kwok-${kwok}-stages.yaml`));
  });

  it('never takes kube binaries from PATH, and says what is missing and how to provide it', async () => {
    await executable(join(dir, 'path', 'kube-apiserver'));
    const error = await resolveBinaries({ build: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingBinariesError);
    expect((error as MissingBinariesError).missing).toContain(`kube-apiserver-${k8s}`);
    expect((error as Error).message).toMatch(/install Go ≥ 1\.26/);
    expect((error as Error).message).toMatch(/STOREFLEET_BIN_DIR/);
  });

  it('explains that building needs Go when there is none', async () => {
    const error = await resolveBinaries({ build: true, log: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingBinariesError);
    expect((error as Error).message).toMatch(/Go is needed to build them, and `go` was not found on PATH/);
    expect((error as Error).message).toContain(`etcd-${etcd}`);
  });

  it('refuses a Go older than 1.26', async () => {
    await executable(join(dir, 'path', 'go'), 'echo go1.25.3');
    const error = await resolveBinaries({ build: true, log: () => {} }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/is go1\.25\.3, older than the go1\.26/);
  });
});

describe('resolveHelm', () => {
  it('prefers the pinned helm in the cache', async () => {
    await executable(join(dir, 'cache', 'bin', `helm-${helm}`));
    await executable(join(dir, 'path', 'helm'), 'echo v4.0.0');
    expect(await resolveHelm({ build: false })).toBe(join(dir, 'cache', 'bin', `helm-${helm}`));
  });

  it('accepts a helm v4 on PATH but not a helm v3', async () => {
    await executable(join(dir, 'path', 'helm'), 'echo v4.0.0');
    expect(await resolveHelm({ build: false })).toBe(join(dir, 'path', 'helm'));
    await executable(join(dir, 'path', 'helm'), 'echo v3.17.0');
    await expect(resolveHelm({ build: false })).rejects.toThrow(/helm-v4\.3\.1 is missing/);
  });
});

describe('resolveMailpit', () => {
  const { mailpit } = PINNED_VERSIONS;

  it('takes the pinned one from STOREFLEET_BIN_DIR or the cache, never from PATH', async () => {
    await executable(join(dir, 'path', 'mailpit'));
    await expect(resolveMailpit({ build: false })).rejects.toThrow(`mailpit-${mailpit} is missing`);
    await executable(join(dir, 'cache', 'bin', `mailpit-${mailpit}`));
    expect(await resolveMailpit({ build: false })).toBe(join(dir, 'cache', 'bin', `mailpit-${mailpit}`));
    process.env.STOREFLEET_BIN_DIR = join(dir, 'bin-dir');
    await executable(join(dir, 'bin-dir', 'mailpit'));
    expect(await resolveMailpit({ build: false })).toBe(join(dir, 'bin-dir', 'mailpit'));
  });

  it('says that building it needs Go when there is none', async () => {
    const error = await resolveMailpit({ build: true, log: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingBinariesError);
    expect((error as MissingBinariesError).missing).toEqual([`mailpit-${mailpit}`]);
  });
});
