import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { renderKubeconfig } from '../src/kubeconfig.ts';

describe('renderKubeconfig', () => {
  it('embeds the CA and the client credentials in a kubeconfig client-node reads', () => {
    const text = renderKubeconfig({
      server: 'https://127.0.0.1:6443',
      caPem: 'CA PEM\n',
      certPem: 'CERT PEM\n',
      keyPem: 'KEY PEM\n',
    });
    const config = new KubeConfig();
    config.loadFromString(text);
    expect(config.getCurrentCluster()).toMatchObject({
      server: 'https://127.0.0.1:6443',
      caData: Buffer.from('CA PEM\n').toString('base64'),
    });
    expect(config.getCurrentUser()).toMatchObject({
      certData: Buffer.from('CERT PEM\n').toString('base64'),
      keyData: Buffer.from('KEY PEM\n').toString('base64'),
    });
    expect(config.getCurrentContext()).toBe('storefleet-test');
  });
});
