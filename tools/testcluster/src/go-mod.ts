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
/** What a real node runs; built in a wrapper module of its own so the control plane's cache key stays. */
export const KUBERNETES_NODE_COMMANDS = ['kubelet', 'kube-proxy'] as const;

export function kubernetesToolsGo(commands: readonly string[]): string {
  return `//go:build tools

// Package tools keeps the commands' dependencies in go.mod for \`go mod tidy\`.
package tools

import (
${commands.map((name) => `\t_ "k8s.io/kubernetes/cmd/${name}"`).join('\n')}
)
`;
}

export const KUBERNETES_TOOLS_GO = kubernetesToolsGo(KUBERNETES_COMMANDS);

/** The plugins the node's Corefile uses; CoreDNS's own main links all ~60. */
export const COREDNS_PLUGINS = ['bind', 'errors', 'health', 'ready', 'kubernetes', 'cache', 'log'] as const;

export const COREDNS_MAIN_GO = `// Command coredns is CoreDNS with only the plugins the test cluster's node uses.
package main

import (
\t"github.com/coredns/coredns/coremain"

${COREDNS_PLUGINS.map((name) => `\t_ "github.com/coredns/coredns/plugin/${name}"`).join('\n')}
)

func main() {
\tcoremain.Run()
}
`;

export function corednsWrapperGoMod(version: string): string {
  return `module storefleet.local/build/coredns\n\ngo 1.26.0\n\nrequire github.com/coredns/coredns ${version}\n`;
}

/** The \`replace\` directives of a go.mod (block or single-line form), as lines for another go.mod. */
export function replaceDirectives(goMod: string): string[] {
  const lines: string[] = [];
  let inBlock = false;
  for (const raw of goMod.split('\n')) {
    const line = raw.trim();
    if (inBlock) {
      if (line === ')') inBlock = false;
      else if (line && !line.startsWith('//')) lines.push(line);
    } else if (/^replace\s*\($/.test(line)) inBlock = true;
    else if (line.startsWith('replace ')) lines.push(line.slice('replace '.length).trim());
  }
  return lines;
}

/** Traefik's go.mod replaces several modules with forks; a module that requires it must repeat them. */
export function traefikWrapperGoMod(upstreamGoMod: string, version: string): string {
  const replaces = replaceDirectives(upstreamGoMod).filter((line) => !/=>\s*\.\.?\//.test(line));
  return [
    'module storefleet.local/build/traefik',
    '',
    'go 1.25.0',
    '',
    `require github.com/traefik/traefik/v3 ${version}`,
    '',
    'replace (',
    ...replaces.map((line) => `\t${line}`),
    ')',
    '',
  ].join('\n');
}

export const TRAEFIK_TOOLS_GO = `//go:build tools

package tools

import _ "github.com/traefik/traefik/v3/cmd/traefik"
`;

export function traefikLdflags(version: string): string {
  const pkg = 'github.com/traefik/traefik/v3/pkg/version';
  return `-s -w -X ${pkg}.Version=${version} -X ${pkg}.Codename=storefleet`;
}

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

/** As upstream's Dockerfile. */
export function mailpitLdflags(version: string): string {
  return `-s -w -X github.com/axllent/mailpit/config.Version=${version}`;
}

/** As kube-router's Makefile (its version package reads Version and BuildDate). */
export function kubeRouterLdflags(version: string): string {
  return `-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=${version}`;
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
