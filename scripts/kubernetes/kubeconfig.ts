import { writeFile } from 'node:fs/promises';

export type KubeconfigUser = { token: string } | { clientCertificate: string; clientKey: string };

/** Writes a kubeconfig with one cluster, user and context; JSON, which every kubeconfig reader takes as YAML. */
export async function writeKubeconfig(file: string, server: string, caFile: string, user: KubeconfigUser): Promise<void> {
  const credentials =
    'token' in user ? { token: user.token } : { 'client-certificate': user.clientCertificate, 'client-key': user.clientKey };
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'weir', cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: 'weir', user: credentials }],
    contexts: [{ name: 'weir', context: { cluster: 'weir', user: 'weir' } }],
    'current-context': 'weir',
  };
  await writeFile(file, `${JSON.stringify(kubeconfig, null, 2)}\n`, { mode: 0o600 });
}
