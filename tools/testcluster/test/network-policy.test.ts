// The NetworkPolicy enforcer's arguments and the removal of its rules, as text (no node needed).
import { describe, expect, it } from 'vitest';
import { enforcerArgs, enforcerRemoval } from '../src/node/network-policy.ts';

const SAVED = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-NWPLCY-DEFAULT - [0:0]
:KUBE-POD-FW-ABC - [0:0]
:KUBE-ROUTER-FORWARD - [0:0]
-A INPUT -j KUBE-FIREWALL
-A FORWARD -m comment --comment "kube-router netpol - X" -j KUBE-ROUTER-FORWARD
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A KUBE-POD-FW-ABC -j KUBE-NWPLCY-DEFAULT
-A KUBE-ROUTER-FORWARD -d 10.250.0.5/32 -j KUBE-POD-FW-ABC
COMMIT
`;

describe('the NetworkPolicy enforcer', () => {
  it('runs kube-router as a firewall only, as the node, beside the bridge plugin', () => {
    const args = enforcerArgs('/c/kubelet.kubeconfig', 40000);
    expect(args).toEqual(
      expect.arrayContaining([
        '--run-firewall=true',
        '--run-router=false',
        '--run-service-proxy=false',
        '--enable-cni=false',
        '--kubeconfig=/c/kubelet.kubeconfig',
        '--hostname-override=storefleet-node',
        '--health-port=40000',
      ]),
    );
  });

  it("removes its jumps and chains and leaves kube-proxy's alone", () => {
    expect(enforcerRemoval(SAVED)).toBe(
      [
        '*filter',
        '-D FORWARD -m comment --comment "kube-router netpol - X" -j KUBE-ROUTER-FORWARD',
        '-F KUBE-NWPLCY-DEFAULT',
        '-F KUBE-POD-FW-ABC',
        '-F KUBE-ROUTER-FORWARD',
        '-X KUBE-NWPLCY-DEFAULT',
        '-X KUBE-POD-FW-ABC',
        '-X KUBE-ROUTER-FORWARD',
        'COMMIT',
        '',
      ].join('\n'),
    );
    expect(enforcerRemoval('*filter\n:KUBE-FORWARD - [0:0]\nCOMMIT\n')).toBeUndefined();
  });
});
