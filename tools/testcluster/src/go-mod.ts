// What the Go builds are made of: the wrapper modules' files and the linker flags upstream's release
// builds use. Pure text, so it can be tested without Go.

/** `k8s.io/x` of each `k8s.io/x => ./staging/...` replace in k8s.io/kubernetes' go.mod. */
export function stagingModules(upstreamGoMod: string): string[] {
  const modules: string[] = [];
  for (const line of upstreamGoMod.split('\n')) {
    const match = /^\s*(?:replace\s+)?(k8s\.io\/\S+)\s+=>\s+\.\/staging\//.exec(line);
    if (match?.[1]) modules.push(match[1]);
  }
  return modules;
}

/** v1.34.4 → v0.34.4: the version the staging modules are published at. */
export function stagingVersion(kubernetesVersion: string): string {
  const match = /^v1\.(\d+\.\d+)$/.exec(kubernetesVersion);
  if (!match) throw new Error(`unexpected Kubernetes version ${kubernetesVersion} (want v1.<minor>.<patch>)`);
  return `v0.${match[1]}`;
}

/**
 * k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with ./staging/ paths,
 * which are not in the module zip. The wrapper module points each of those replaces at the published
 * module instead; `go mod tidy` then fills in the requirements.
 */
export function kubernetesWrapperGoMod(upstreamGoMod: string, kubernetesVersion: string): string {
  const modules = stagingModules(upstreamGoMod);
  if (modules.length === 0) {
    throw new Error(
      `k8s.io/kubernetes@${kubernetesVersion}'s go.mod has no ./staging/ replaces: its layout changed`,
    );
  }
  const version = stagingVersion(kubernetesVersion);
  // The same GODEBUG defaults as upstream's own build.
  const godebug = /^godebug\s*\([\s\S]*?^\)|^godebug\s+\S.*$/m.exec(upstreamGoMod)?.[0];
  return [
    'module storefleet.local/build/kubernetes',
    '',
    'go 1.24.0',
    '',
    ...(godebug ? [godebug, ''] : []),
    `require k8s.io/kubernetes ${kubernetesVersion}`,
    '',
    'replace (',
    ...modules.map((module) => `\t${module} => ${module} ${version}`),
    ')',
    '',
  ].join('\n');
}

export const KUBERNETES_COMMANDS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;

export const KUBERNETES_TOOLS_GO = `//go:build tools

// Package tools keeps the commands' dependencies in go.mod for \`go mod tidy\`.
package tools

import (
${KUBERNETES_COMMANDS.map((name) => `\t_ "k8s.io/kubernetes/cmd/${name}"`).join('\n')}
)
`;

/** As upstream's hack/lib/version.sh: the version variables are set in both packages. */
export function kubernetesLdflags(version: string, buildDate: Date, gitCommit = ''): string {
  const minor = stagingVersion(version).split('.')[1];
  const date = buildDate.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const flags = ['-s', '-w'];
  for (const pkg of ['k8s.io/client-go/pkg/version', 'k8s.io/component-base/version']) {
    flags.push(`-X ${pkg}.gitVersion=${version}`, `-X ${pkg}.gitMajor=1`, `-X ${pkg}.gitMinor=${minor}`);
    flags.push(
      `-X ${pkg}.gitCommit=${gitCommit}`,
      `-X ${pkg}.gitTreeState=clean`,
      `-X ${pkg}.buildDate=${date}`,
    );
  }
  return flags.join(' ');
}

/** Upstream's tags for a non-debug build (hack/lib/golang.sh). */
export const KUBERNETES_BUILD_TAGS = 'selinux,notest,grpcnotrace';

/** go.etcd.io/etcd/v3 (upstream's main package) is not meant to be imported; this is its main. */
export const ETCD_MAIN_GO = `// Command etcd is a thin wrapper around go.etcd.io/etcd/server/v3/etcdmain,
// equivalent to upstream's go.etcd.io/etcd/v3 main package.
package main

import (
\t"os"

\t"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
\tetcdmain.Main(os.Args)
}
`;

export function etcdWrapperGoMod(etcdVersion: string): string {
  return `module storefleet.local/build/etcd\n\ngo 1.24.0\n\nrequire go.etcd.io/etcd/server/v3 ${etcdVersion}\n`;
}

export function etcdLdflags(gitSha = 'unknown'): string {
  return `-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=${gitSha}`;
}

export function kwokLdflags(version: string): string {
  return `-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${version.replace(/^v/, '')}`;
}

/** As helm's Makefile; an empty metadata marks a release (tag) build. */
export function helmLdflags(version: string, gitCommit = ''): string {
  const pkg = 'helm.sh/helm/v4/internal/version';
  return `-s -w -X ${pkg}.version=${version} -X ${pkg}.metadata= -X ${pkg}.gitCommit=${gitCommit} -X ${pkg}.gitTreeState=clean`;
}

/** `go1.26.8` → [1, 26, 8]; undefined for anything else (a devel toolchain). */
export function parseGoVersion(text: string): [number, number, number] | undefined {
  const match = /go(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
}
