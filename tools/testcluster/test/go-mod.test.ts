import { describe, expect, it } from 'vitest';
import {
  helmLdflags,
  KUBERNETES_TOOLS_GO,
  kubernetesLdflags,
  kubernetesWrapperGoMod,
  mailpitLdflags,
  parseGoVersion,
  stagingModules,
  stagingVersion,
} from '../src/go-mod.ts';

// The shape of k8s.io/kubernetes' go.mod, cut down.
const UPSTREAM_MOD = `// This is a generated file. Do not edit directly.

module k8s.io/kubernetes

go 1.24.0

godebug default=go1.24

require (
	github.com/blang/semver/v4 v4.0.0
	k8s.io/api v0.0.0
	k8s.io/client-go v0.0.0
)

require (
	github.com/kylelemons/godebug v1.1.0 // indirect
)

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/client-go => ./staging/src/k8s.io/client-go
	k8s.io/sample-controller => ./staging/src/k8s.io/sample-controller
	example.com/other => example.com/fork v1.0.0
)

replace k8s.io/kms => ./staging/src/k8s.io/kms
`;

describe('the Kubernetes wrapper module', () => {
  it('derives the staging modules from the replace directives', () => {
    expect(stagingModules(UPSTREAM_MOD)).toEqual([
      'k8s.io/api',
      'k8s.io/client-go',
      'k8s.io/sample-controller',
      'k8s.io/kms',
    ]);
  });

  it('maps v1.<minor>.<patch> to the staging version v0.<minor>.<patch>', () => {
    expect(stagingVersion('v1.34.4')).toBe('v0.34.4');
    expect(() => stagingVersion('1.34')).toThrow(/unexpected Kubernetes version/);
  });

  it('writes a go.mod that points every staging replace at the published module', () => {
    expect(kubernetesWrapperGoMod(UPSTREAM_MOD, 'v1.34.4')).toBe(`module storefleet.local/build/kubernetes

go 1.24.0

godebug default=go1.24

require k8s.io/kubernetes v1.34.4

replace (
\tk8s.io/api => k8s.io/api v0.34.4
\tk8s.io/client-go => k8s.io/client-go v0.34.4
\tk8s.io/sample-controller => k8s.io/sample-controller v0.34.4
\tk8s.io/kms => k8s.io/kms v0.34.4
)
`);
  });

  it('keeps a godebug block and fails clearly when there are no staging replaces', () => {
    const withBlock = UPSTREAM_MOD.replace(
      'godebug default=go1.24',
      'godebug (\n\tdefault=go1.24\n\twinsymlink=0\n)',
    );
    expect(kubernetesWrapperGoMod(withBlock, 'v1.34.4')).toContain(
      'godebug (\n\tdefault=go1.24\n\twinsymlink=0\n)\n',
    );
    expect(() => kubernetesWrapperGoMod('module x\n', 'v1.34.4')).toThrow(/no \.\/staging\/ replaces/);
  });

  it('imports the three commands in tools.go', () => {
    expect(KUBERNETES_TOOLS_GO).toContain('//go:build tools');
    expect(KUBERNETES_TOOLS_GO).toContain('_ "k8s.io/kubernetes/cmd/kube-controller-manager"');
  });
});

describe('linker flags', () => {
  it('sets the Kubernetes version in both version packages, as upstream does', () => {
    const flags = kubernetesLdflags('v1.34.4', new Date('2026-01-02T03:04:05.678Z'));
    expect(flags.startsWith('-s -w ')).toBe(true);
    for (const pkg of ['k8s.io/client-go/pkg/version', 'k8s.io/component-base/version']) {
      expect(flags).toContain(`-X ${pkg}.gitVersion=v1.34.4 -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=34`);
      expect(flags).toContain(`-X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=2026-01-02T03:04:05Z`);
    }
  });

  it('marks helm as a release build', () => {
    expect(helmLdflags('v4.3.1')).toContain('-X helm.sh/helm/v4/internal/version.version=v4.3.1');
    expect(helmLdflags('v4.3.1')).toContain('-X helm.sh/helm/v4/internal/version.metadata= ');
  });

  it('stamps mailpit with its version (what `mailpit version` prints)', () => {
    expect(mailpitLdflags('v1.33.1')).toBe('-s -w -X github.com/axllent/mailpit/config.Version=v1.33.1');
  });
});

describe('parseGoVersion', () => {
  it('reads go env GOVERSION', () => {
    expect(parseGoVersion('go1.26.8')).toEqual([1, 26, 8]);
    expect(parseGoVersion('go1.26')).toEqual([1, 26, 0]);
    expect(parseGoVersion('devel +abc')).toBeUndefined();
  });
});
