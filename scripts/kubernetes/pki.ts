import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from '../run-command';
import { ensureDebianCommand } from './debian-commands';

export interface KeyPair {
  cert: string;
  key: string;
}

export interface ControlPlanePki {
  ca: KeyPair;
  apiserver: KeyPair;
  /** What the API server presents to kubelets, for logs and exec. */
  apiserverKubeletClient: KeyPair;
  /** The real node's kubelet: the certificate it serves with and the one it signs in with. */
  kubeletServing: KeyPair;
  kubeletClient: KeyPair;
  serviceAccount: { publicKey: string; privateKey: string };
  /** A static bearer token of a system:masters user, listed in tokenFile. */
  adminToken: string;
  tokenFile: string;
}

/** The name the real node's kubelet registers under (--hostname-override), hence its user system:node:localhost. */
export const REAL_NODE_NAME = 'localhost';
const VALID_DAYS = '30';
const CURVE = 'P-256';
const LOOPBACK_SANS = ['DNS:localhost', 'IP:127.0.0.1'];

/** A throwaway CA and every certificate and key the control plane and the real node use, in `dir`. */
export async function createPki(dir: string, serviceIp: string): Promise<ControlPlanePki> {
  await ensureDebianCommand('openssl', 'openssl', "the Kubernetes test cluster's certificates");
  await mkdir(dir, { recursive: true });
  // openssl's own configuration would add CA extensions to every certificate; this one adds none.
  const config = path.join(dir, 'openssl.cnf');
  await writeFile(config, '[req]\ndistinguished_name = dn\n[dn]\n');
  const issuer = new CertificateIssuer(dir, config);

  const ca = await issuer.createCa('weir-test-ca');
  const apiserverSans = ['DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', `IP:${serviceIp}`];
  const apiserver = await issuer.issue(ca, 'apiserver', '/CN=kube-apiserver', 'serverAuth', [...LOOPBACK_SANS, ...apiserverSans]);
  const apiserverKubeletClient = await issuer.issue(
    ca,
    'apiserver-kubelet-client',
    '/O=system:masters/CN=kube-apiserver-kubelet-client',
    'clientAuth',
  );
  const kubeletServing = await issuer.issue(ca, 'kubelet-serving', `/CN=${REAL_NODE_NAME}`, 'serverAuth', LOOPBACK_SANS);
  const kubeletClient = await issuer.issue(ca, 'kubelet-client', `/O=system:nodes/CN=system:node:${REAL_NODE_NAME}`, 'clientAuth');

  const serviceAccount = { privateKey: path.join(dir, 'service-account.key'), publicKey: path.join(dir, 'service-account.pub') };
  await runCommand('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${CURVE}`, '-out', serviceAccount.privateKey]);
  await runCommand('openssl', ['pkey', '-in', serviceAccount.privateKey, '-pubout', '-out', serviceAccount.publicKey]);

  const adminToken = randomBytes(24).toString('hex');
  const tokenFile = path.join(dir, 'tokens.csv');
  await writeFile(tokenFile, `${adminToken},weir-admin,weir-admin,"system:masters"\n`, { mode: 0o600 });

  return { ca, apiserver, apiserverKubeletClient, kubeletServing, kubeletClient, serviceAccount, adminToken, tokenFile };
}

class CertificateIssuer {
  constructor(
    private readonly dir: string,
    private readonly config: string,
  ) {}

  createCa(commonName: string): Promise<KeyPair> {
    return this.request('ca', `/CN=${commonName}`, [], ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']);
  }

  issue(ca: KeyPair, name: string, subject: string, usage: 'serverAuth' | 'clientAuth', sans: string[] = []): Promise<KeyPair> {
    const extensions = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', `extendedKeyUsage=${usage}`];
    if (sans.length > 0) extensions.push(`subjectAltName=${sans.join(',')}`);
    return this.request(name, subject, ['-CA', ca.cert, '-CAkey', ca.key], extensions);
  }

  private async request(name: string, subject: string, signing: string[], extensions: string[]): Promise<KeyPair> {
    const pair = { cert: path.join(this.dir, `${name}.crt`), key: path.join(this.dir, `${name}.key`) };
    await runCommand('openssl', [
      'req',
      '-config',
      this.config,
      '-x509',
      '-nodes',
      '-days',
      VALID_DAYS,
      '-newkey',
      'ec',
      '-pkeyopt',
      `ec_paramgen_curve:${CURVE}`,
      '-keyout',
      pair.key,
      '-out',
      pair.cert,
      '-subj',
      subject,
      ...signing,
      ...extensions.flatMap((extension) => ['-addext', extension]),
    ]);
    return pair;
  }
}
