// The real node's pure parts: its configuration files, the image recipes' Dockerfiles, the iptables
// clean-up filter, the mode choice and the wrapper modules of its Go builds.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COREDNS_MAIN_GO, replaceDirectives, traefikWrapperGoMod } from '../src/go-mod.ts';
import { renderDockerfile } from '../src/node/dockerfile.ts';
import { withoutOurChains } from '../src/node/host.ts';
import { isBuildRun, planLayers } from '../src/node/image-layers.ts';
import { type ImageRecipe, readRecipes, recipeDir } from '../src/node/image-recipes.ts';
import { chooseNodeMode } from '../src/node/mode.ts';
import {
  containerdConfig,
  kubeletConfig,
  NODE_PORT_NAMES,
  type NodePorts,
  traefikArgs,
} from '../src/node/node-config.ts';
import { nodeLayout } from '../src/node/node-layout.ts';

const layout = nodeLayout('/srv/cluster');
const ports = Object.fromEntries(NODE_PORT_NAMES.map((name, i) => [name, 30000 + i])) as unknown as NodePorts;

describe('the real node configuration', () => {
  it('lets containerd start sandboxes without CAP_SYS_RESOURCE, with runc and cgroupfs', () => {
    const toml = containerdConfig(layout, '/usr/lib/cni');
    expect(toml).toContain('restrict_oom_score_adj = true');
    expect(toml).toContain('SystemdCgroup = false');
    expect(toml).toContain('runtime_type = "io.containerd.runc.v2"');
    expect(toml).toContain(`address = "${layout.containerdSocket}"`);
    expect(toml).toContain('sandbox_image = "storefleet.local/pause:3.10"');
  });

  it('runs the kubelet on cgroup v1 under its own root, tainted, never collecting imported images', () => {
    const config = JSON.parse(kubeletConfig(layout, ports, '/srv/cluster/pki/ca.crt'));
    expect(config).toMatchObject({
      cgroupDriver: 'cgroupfs',
      failCgroupV1: false,
      cgroupRoot: '/storefleet',
      imageGCHighThresholdPercent: 100,
      readOnlyPort: 0,
      authentication: { anonymous: { enabled: false } },
      registerWithTaints: [{ key: 'storefleet.io/node', value: 'real', effect: 'NoSchedule' }],
    });
  });

  it('keeps Traefik on loopback with the ingress class of the charts', () => {
    const args = traefikArgs(ports);
    expect(args).toContain(`--entryPoints.web.address=127.0.0.1:${ports.ingress}`);
    expect(args).toContain('--providers.kubernetesingress.ingressclass=traefik');
    expect(args.some((arg) => arg.includes('0.0.0.0'))).toBe(false);
  });
});

describe('iptables clean-up', () => {
  const saved = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':KUBE-SERVICES - [0:0]',
    ':CNI-abc - [0:0]',
    ':MY-CHAIN - [0:0]',
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -s 10.250.0.2/32 -m comment --comment "name: storefleet" -j CNI-abc',
    '-A POSTROUTING -s 192.168.0.0/16 -j MASQUERADE',
    '-A KUBE-SERVICES -j RETURN',
    '-A MY-CHAIN -j RETURN',
    'COMMIT',
  ].join('\n');

  it('drops our chains and the jumps to them, and keeps everything else', () => {
    const kept = withoutOurChains(saved);
    expect(kept).not.toMatch(/KUBE-|CNI-/);
    expect(kept).toContain(':MY-CHAIN - [0:0]');
    expect(kept).toContain('-A POSTROUTING -s 192.168.0.0/16 -j MASQUERADE');
    expect(kept).toContain('-A MY-CHAIN -j RETURN');
    expect(kept.split('\n').at(-1)).toBe('COMMIT');
  });
});

describe('node images', () => {
  it('have committed Dockerfiles that match their recipes (npm run cluster:dockerfiles)', async () => {
    const recipes = await readRecipes();
    expect([...recipes.keys()]).toEqual(
      expect.arrayContaining(['busybox', 'medusa', 'orchestrator', 'pause', 'postgres']),
    );
    for (const [name, recipe] of recipes) {
      const committed = await readFile(join(recipeDir(name), 'Dockerfile'), 'utf8');
      expect(committed, `${name}/Dockerfile is stale`).toBe(renderDockerfile(name, recipe));
    }
  });

  it('make a build-time run again when any layer it runs over changes, and keep only its outputs', async () => {
    const run = {
      buildRun: {
        suite: 'bookworm',
        packages: ['postgresql-15'],
        script: 'echo made > /tmp/out',
        outputs: [{ from: '/tmp/out', to: '/srv/out' }],
      },
    };
    const recipe = (content: string): ImageRecipe => ({
      repository: 'storefleet.local/example',
      tag: '1',
      steps: [{ write: '/etc/example', content }, { files: ['biome.json'], to: '/srv' }, run],
      config: {},
    });
    const [base, files, made] = await planLayers('example', recipe('a'));
    const [otherBase, sameFiles, madeAgain] = await planLayers('example', recipe('b'));
    expect(made && isBuildRun(made)).toBe(true);
    expect(base && isBuildRun(base)).toBe(false);
    expect(otherBase?.hash).not.toBe(base?.hash);
    expect(sameFiles?.hash).toBe(files?.hash);
    expect(madeAgain?.hash).not.toBe(made?.hash);
    await readRecipes(); // the Dockerfile names the folder of a recipe it has read
    const dockerfile = renderDockerfile('medusa', recipe('a'));
    expect(dockerfile).toContain('FROM scratch AS image');
    expect(dockerfile).toContain('FROM image AS run-2');
    expect(dockerfile).toContain('COPY --from=run-2 /tmp/out /srv/out');
  });
});

describe('the node mode', () => {
  it('honours STOREFLEET_NODE=simulated and refuses an unknown value', () => {
    expect(chooseNodeMode({ STOREFLEET_NODE: 'simulated' })).toEqual({
      kind: 'simulated',
      reason: 'STOREFLEET_NODE=simulated',
    });
    expect(() => chooseNodeMode({ STOREFLEET_NODE: 'virtual' })).toThrow(/use real or simulated/);
  });
});

describe('the node binaries’ wrapper modules', () => {
  it('repeats Traefik’s replace directives, block and single-line, but not local paths', () => {
    const upstream = [
      'module github.com/traefik/traefik/v3',
      'replace (',
      '\tgithub.com/abbot/go-http-auth => github.com/containous/go-http-auth v0.4.1',
      '\t// a comment',
      '\tgithub.com/gorilla/mux => github.com/containous/mux v0.0.1',
      ')',
      'replace github.com/x/y => ./local/y',
      'replace github.com/a/b v1.0.0 => github.com/c/b v1.0.1',
    ].join('\n');
    expect(replaceDirectives(upstream)).toHaveLength(4);
    const wrapper = traefikWrapperGoMod(upstream, 'v3.6.12');
    expect(wrapper).toContain('require github.com/traefik/traefik/v3 v3.6.12');
    expect(wrapper).toContain('github.com/gorilla/mux => github.com/containous/mux v0.0.1');
    expect(wrapper).toContain('github.com/a/b v1.0.0 => github.com/c/b v1.0.1');
    expect(wrapper).not.toContain('./local/y');
  });

  it('links only the CoreDNS plugins the Corefile uses', () => {
    expect(COREDNS_MAIN_GO).toContain('_ "github.com/coredns/coredns/plugin/kubernetes"');
    expect(COREDNS_MAIN_GO).not.toContain('core/plugin"');
  });
});
