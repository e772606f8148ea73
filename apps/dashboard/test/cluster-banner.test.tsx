import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ClusterBanner } from '../src/components/ClusterBanner.tsx';
import { engineInfo, mockApi, renderWithProviders } from './support.tsx';

const cluster = (simulated: boolean, description: string) => ({ configured: true, simulated, description });

describe('the cluster notice', () => {
  it('says which engines run on real pods and why the others cannot', async () => {
    const reason =
      'woocommerce cannot run on this cluster: node storefleet-node lacks storefleet/wordpress:7.1.1.';
    mockApi({
      'GET /api/platform': () => ({
        environment: 'local',
        cluster: cluster(false, 'Local control plane with a real node (storefleet-node, containerd).'),
        engines: [
          engineInfo('woocommerce', { available: false, reason }),
          engineInfo('medusa', { available: true, pods: 'real' }),
        ],
        mail: { configured: false, catcher: false },
      }),
    });
    renderWithProviders(<ClusterBanner />);
    const note = await screen.findByRole('note', { name: 'Cluster notice' });
    expect(note).toHaveTextContent('Real pods for Medusa.');
    expect(note).toHaveTextContent(`WooCommerce is unavailable: ${reason}`);
  });

  it('says nothing on a cluster that runs every engine on real pods', async () => {
    const api = mockApi({
      'GET /api/platform': () => ({
        environment: 'production',
        cluster: cluster(false, 'Kubernetes v1.34.4'),
        engines: [
          engineInfo('woocommerce', { available: true, pods: 'real' }),
          engineInfo('medusa', { available: true, pods: 'real' }),
        ],
        mail: { configured: false, catcher: false },
      }),
    });
    renderWithProviders(<ClusterBanner />);
    await new Promise((done) => setTimeout(done, 50));
    expect(api.calls.some((call) => call.path === '/api/platform')).toBe(true);
    expect(screen.queryByRole('note', { name: 'Cluster notice' })).not.toBeInTheDocument();
  });

  it('warns that a simulated cluster does not serve', async () => {
    mockApi({
      'GET /api/platform': () => ({
        environment: 'local',
        cluster: cluster(true, 'Local control plane: store pods are simulated (KWOK).'),
        engines: [
          engineInfo('woocommerce', { available: true, pods: 'simulated' }),
          engineInfo('medusa', { available: true, pods: 'simulated' }),
        ],
        mail: { configured: false, catcher: false },
      }),
    });
    renderWithProviders(<ClusterBanner />);
    expect(await screen.findByRole('note', { name: 'Cluster notice' })).toHaveTextContent(
      /Simulated cluster/,
    );
  });
});
