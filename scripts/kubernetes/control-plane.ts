import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import { waitForPort } from '../ports';
import type { RunningService } from '../services';
import { ensureKubernetesBinaries, type KubernetesBinaries } from './binaries';
import { distinctFreePorts } from './free-ports';
import { writeKubeconfig } from './kubeconfig';
import { isSchedulable } from './nodes';
import { createPki } from './pki';
import { answersOk, pollUntil, startProcess } from './processes';
import { startRealNode, type RealNode } from './real-node';

export interface ControlPlaneOptions {
  /** Names the temporary folder, weir-<name>-XXXXXX. */
  name?: string;
  /** Also run a kubelet on containerd, for pods with real containers. Needs root. */
  realNode?: boolean;
  /** Own process groups, so that Ctrl-C in a terminal reaches only the caller. */
  detached?: boolean;
  /** Users whose every request the API server records in `auditLogFile`, one JSON line each, when received. */
  auditedUsers?: string[];
}

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  server: string;
  /** Bearer token of a system:masters user. */
  token: string;
  caFile: string;
  /** Signs in with `token`. */
  kubeconfigPath: string;
  /** The node kwok plays: pods scheduled there are Running and Ready at once, without containers. */
  kwokNodeName: string;
  /** Present when started with `realNode`. */
  realNode?: RealNode;
  binaries: KubernetesBinaries;
  /** Present when started with `auditedUsers`: audit.k8s.io/v1 events of their requests, stage RequestReceived. */
  auditLogFile?: string;
  /** Holds the data, the PKI and the logs, in logs/<component>.log. */
  workDir: string;
  /** Stops every process, node first, and removes the work folder. */
  stop(): Promise<void>;
}

export const KWOK_NODE_NAME = 'kwok-node';
/** The label kwok's fake node carries, for a nodeSelector that keeps pods off the real node. */
export const KWOK_NODE_LABEL = { key: 'type', value: 'kwok' } as const;
/** kwok plays only nodes with this annotation, so it leaves the real node to its kubelet. */
const KWOK_NODE_ANNOTATION = { key: 'kwok.x-k8s.io/node', value: 'fake' } as const;
const SERVICE_CIDR = '10.0.0.0/24';
/** The first address of SERVICE_CIDR, the in-cluster `kubernetes` service. */
const API_SERVICE_IP = '10.0.0.1';
const POD_CIDR = '10.244.0.0/16';
/** The fake node's InternalIP and its pods' hostIP; nothing routes to it. */
const KWOK_NODE_IP = '10.243.0.1';
const HOST = '127.0.0.1';
const STAGES_FILE = path.join(__dirname, 'kwok-stages.yaml');
const START_TIMEOUT_MS = 60_000;

/**
 * Starts a throwaway Kubernetes control plane on free loopback ports: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler and kwok with one fake node, plus a real node when asked. Builds the binaries first if needed.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const binaries = await ensureKubernetesBinaries();
  const workDir = await mkdtemp(path.join(os.tmpdir(), `weir-${options.name ?? 'kubernetes'}-`));
  const logsDir = path.join(workDir, 'logs');
  await mkdir(logsDir);
  const started: Array<Pick<RunningService, 'stop'>> = [];
  const stop = async () => {
    for (const service of started.splice(0).reverse()) await service.stop();
    await rm(workDir, { recursive: true, force: true });
  };
  const launch = async <T extends Pick<RunningService, 'stop'>>(starting: Promise<T>): Promise<T> => {
    const service = await starting;
    started.push(service);
    return service;
  };
  const logFile = (name: string) => path.join(logsDir, `${name}.log`);
  const detached = options.detached;

  try {
    const pki = await createPki(path.join(workDir, 'pki'), API_SERVICE_IP);
    const [etcdPort, etcdPeerPort, apiserverPort, controllerManagerPort, schedulerPort] = await distinctFreePorts(5);
    const server = `https://${HOST}:${apiserverPort}`;
    const kubeconfigPath = path.join(workDir, 'admin.kubeconfig');
    await writeKubeconfig(kubeconfigPath, server, pki.ca.cert, { token: pki.adminToken });

    const audit = options.auditedUsers ? await auditSettings(workDir, logFile('audit'), options.auditedUsers) : undefined;

    const etcdUrl = `http://${HOST}:${etcdPort}`;
    const etcdPeerUrl = `http://${HOST}:${etcdPeerPort}`;
    await launch(
      startProcess(
        {
          name: 'etcd',
          command: binaries.etcd,
          args: [
            '--name=weir',
            `--data-dir=${path.join(workDir, 'etcd')}`,
            `--listen-client-urls=${etcdUrl}`,
            `--advertise-client-urls=${etcdUrl}`,
            `--listen-peer-urls=${etcdPeerUrl}`,
            `--initial-advertise-peer-urls=${etcdPeerUrl}`,
            `--initial-cluster=weir=${etcdPeerUrl}`,
            // A throwaway store: losing it on a crash is fine, waiting for the disk is not.
            '--unsafe-no-fsync',
            '--log-level=warn',
          ],
          logFile: logFile('etcd'),
          detached,
        },
        (signal) => pollUntil('etcd was not healthy', () => answersOk(`${etcdUrl}/health`), START_TIMEOUT_MS, signal),
      ),
    );

    await launch(
      startProcess(
        {
          name: 'kube-apiserver',
          command: binaries.kubeApiserver,
          args: [
            `--etcd-servers=${etcdUrl}`,
            `--bind-address=${HOST}`,
            `--advertise-address=${HOST}`,
            `--secure-port=${apiserverPort}`,
            `--tls-cert-file=${pki.apiserver.cert}`,
            `--tls-private-key-file=${pki.apiserver.key}`,
            `--client-ca-file=${pki.ca.cert}`,
            `--token-auth-file=${pki.tokenFile}`,
            '--authorization-mode=Node,RBAC',
            '--enable-admission-plugins=NodeRestriction',
            '--service-account-issuer=https://kubernetes.default.svc',
            `--service-account-key-file=${pki.serviceAccount.publicKey}`,
            `--service-account-signing-key-file=${pki.serviceAccount.privateKey}`,
            `--service-cluster-ip-range=${SERVICE_CIDR}`,
            // Nothing would serve the `kubernetes` service's endpoint anyway, and the reconciler rejects 127.0.0.1.
            '--endpoint-reconciler-type=none',
            // The real node is reached by name, localhost, which its serving certificate is issued for.
            '--kubelet-preferred-address-types=Hostname',
            `--kubelet-certificate-authority=${pki.ca.cert}`,
            `--kubelet-client-certificate=${pki.apiserverKubeletClient.cert}`,
            `--kubelet-client-key=${pki.apiserverKubeletClient.key}`,
            '--profiling=false',
            // Four times the defaults (400 and 200): with a thousand pipelines starting on a loaded machine, requests
            // last long enough that the defaults' queues fill and the API server answers 429.
            '--max-requests-inflight=1600',
            '--max-mutating-requests-inflight=800',
            ...(audit?.args ?? []),
          ],
          logFile: logFile('kube-apiserver'),
          detached,
        },
        (signal) =>
          pollUntil(
            'kube-apiserver was not ready',
            () => answersOk(`${server}/readyz`, { caFile: pki.ca.cert, token: pki.adminToken }),
            START_TIMEOUT_MS,
            signal,
          ),
      ),
    );

    // Both serve /healthz to anyone, with certificates of their own; they are checked through what they do below.
    const delegatedAuth = [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
    ];
    const servingOn = (port: number) => [`--bind-address=${HOST}`, `--secure-port=${port}`, '--leader-elect=false', '--profiling=false'];
    await launch(
      startProcess(
        {
          name: 'kube-controller-manager',
          command: binaries.kubeControllerManager,
          args: [
            ...delegatedAuth,
            ...servingOn(controllerManagerPort),
            '--use-service-account-credentials',
            `--service-account-private-key-file=${pki.serviceAccount.privateKey}`,
            `--root-ca-file=${pki.ca.cert}`,
            `--cluster-signing-cert-file=${pki.ca.cert}`,
            `--cluster-signing-key-file=${pki.ca.key}`,
            // The default 20/30 makes start-up take about 10 s instead of 4.
            '--kube-api-qps=200',
            '--kube-api-burst=400',
          ],
          logFile: logFile('kube-controller-manager'),
          detached,
        },
        (signal) => waitForPort(HOST, controllerManagerPort, START_TIMEOUT_MS, signal),
      ),
    );
    await launch(
      startProcess(
        {
          name: 'kube-scheduler',
          command: binaries.kubeScheduler,
          // The default 50/100 binds about 25 pods a second, since each binding also posts an event.
          args: [...delegatedAuth, ...servingOn(schedulerPort), '--kube-api-qps=200', '--kube-api-burst=400'],
          logFile: logFile('kube-scheduler'),
          detached,
        },
        (signal) => waitForPort(HOST, schedulerPort, START_TIMEOUT_MS, signal),
      ),
    );

    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    await launch(
      startProcess(
        {
          name: 'kwok',
          command: binaries.kwok,
          args: [
            `--kubeconfig=${kubeconfigPath}`,
            `--config=${STAGES_FILE}`,
            '--manage-all-nodes=false',
            `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION.key}=${KWOK_NODE_ANNOTATION.value}`,
            `--cidr=${POD_CIDR}`,
            `--node-ip=${KWOK_NODE_IP}`,
          ],
          logFile: logFile('kwok'),
          detached,
        },
        async (signal) => {
          await core.createNode({ body: kwokNode() });
          await pollUntil(
            `kwok's node ${KWOK_NODE_NAME} did not become Ready and untainted`,
            async () => isSchedulable(await core.readNode({ name: KWOK_NODE_NAME })),
            START_TIMEOUT_MS,
            signal,
          );
        },
      ),
    );
    // The service account controller has run once this exists, and pods can be admitted in the namespace.
    await pollUntil(
      'kube-controller-manager did not create the default service account',
      async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' })) !== undefined,
      START_TIMEOUT_MS,
    );

    const realNode = options.realNode
      ? await launch(startRealNode({ workDir: path.join(workDir, 'node'), logsDir, binaries, pki, server, core, detached }))
      : undefined;

    return {
      server,
      token: pki.adminToken,
      caFile: pki.ca.cert,
      kubeconfigPath,
      kwokNodeName: KWOK_NODE_NAME,
      realNode,
      binaries,
      auditLogFile: audit?.logFile,
      workDir,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** An audit policy that records only `users`' requests, once each, as they arrive, and the API server's flags for it. */
async function auditSettings(workDir: string, logFile: string, users: string[]): Promise<{ args: string[]; logFile: string }> {
  const policyFile = path.join(workDir, 'audit-policy.json');
  const policy = {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    omitStages: ['ResponseStarted', 'ResponseComplete', 'Panic'],
    rules: [{ level: 'Metadata', users }, { level: 'None' }],
  };
  await writeFile(policyFile, JSON.stringify(policy));
  return {
    // Without a size, the log rotates at 100 MB.
    args: [`--audit-policy-file=${policyFile}`, `--audit-log-path=${logFile}`, '--audit-log-maxsize=100000', '--audit-log-maxbackup=0'],
    logFile,
  };
}

function kwokNode(): V1Node {
  return {
    metadata: {
      name: KWOK_NODE_NAME,
      annotations: { [KWOK_NODE_ANNOTATION.key]: KWOK_NODE_ANNOTATION.value },
      labels: {
        [KWOK_NODE_LABEL.key]: KWOK_NODE_LABEL.value,
        'kubernetes.io/hostname': KWOK_NODE_NAME,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
      },
    },
  };
}
