// Kubeconfig files with the credentials embedded, so that each file works on its own.
export interface KubeconfigInput {
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

export const CONTEXT_NAME = 'storefleet-test';

export function renderKubeconfig({ server, caPem, certPem, keyPem }: KubeconfigInput): string {
  const b64 = (pem: string) => Buffer.from(pem).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
- name: ${CONTEXT_NAME}
  cluster:
    server: ${server}
    certificate-authority-data: ${b64(caPem)}
users:
- name: ${CONTEXT_NAME}
  user:
    client-certificate-data: ${b64(certPem)}
    client-key-data: ${b64(keyPem)}
contexts:
- name: ${CONTEXT_NAME}
  context:
    cluster: ${CONTEXT_NAME}
    user: ${CONTEXT_NAME}
current-context: ${CONTEXT_NAME}
`;
}
