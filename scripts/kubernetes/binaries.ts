import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findOnPath, isExecutable } from '../find-executable';
import { readLogTail } from '../log-tail';
import { withFileLock } from './file-lock';

export interface KubernetesBinaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubectl: string;
  kubelet: string;
  kwok: string;
  /** The sandbox process of the real node's pods. */
  pause: string;
}

/** The Go module that pins Kubernetes, etcd and the pause program; its go.mod is the version's one source. */
const toolsModuleDir = path.join(__dirname, 'tools');
const KWOK_PACKAGE = 'sigs.k8s.io/kwok/cmd/kwok@v0.8.0';
const ETCD_PACKAGE = 'go.etcd.io/etcd/server/v3';
const KUBERNETES_COMMANDS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kubelet'];
const FALLBACK_GO = '/usr/local/go/bin/go';
/** A cold build takes about 11 minutes on two free cores; this leaves room for a busy machine. */
const BUILD_TIMEOUT_MS = 60 * 60 * 1000;
const PROGRESS_INTERVAL_MS = 60 * 1000;

/**
 * Paths of the Kubernetes binaries, built from the Go module proxy into a cache folder outside the clone the
 * first time (about 11 minutes cold), keyed by the pinned versions and this build recipe.
 */
export async function ensureKubernetesBinaries(): Promise<KubernetesBinaries> {
  const key = await buildKey();
  const cacheRoot = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'weir', 'kubernetes');
  const outputDir = path.join(cacheRoot, key);
  const binaries = binariesIn(outputDir);
  if (await allExecutable(binaries)) return binaries;

  await mkdir(cacheRoot, { recursive: true });
  const lockFile = path.join(cacheRoot, `${key}.lock`);
  const announceWait = (pid: number) => progress(`waiting for pid ${pid}, which is building the Kubernetes binaries into ${outputDir}`);
  await withFileLock(lockFile, BUILD_TIMEOUT_MS, announceWait, async () => {
    if (await allExecutable(binaries)) return;
    await build(outputDir);
  });
  return binaries;
}

function binariesIn(dir: string): KubernetesBinaries {
  const at = (name: string) => path.join(dir, name);
  return {
    etcd: at('etcd'),
    kubeApiserver: at('kube-apiserver'),
    kubeControllerManager: at('kube-controller-manager'),
    kubeScheduler: at('kube-scheduler'),
    kubectl: at('kubectl'),
    kubelet: at('kubelet'),
    kwok: at('kwok'),
    pause: at('pause'),
  };
}

async function allExecutable(binaries: KubernetesBinaries): Promise<boolean> {
  const checks = await Promise.all(Object.values(binaries).map(isExecutable));
  return checks.every(Boolean);
}

/** Changes whenever the pinned modules, the pause program or this recipe change. */
async function buildKey(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'pause/main.go'].map((name) => path.join(toolsModuleDir, name)).concat(__filename)) {
    hash.update(`${path.basename(file)}\0${await readFile(file)}\0`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** Builds into a scratch folder renamed into place at the end, so a folder under the key is always complete. */
async function build(outputDir: string): Promise<void> {
  const go = await findGo();
  const scratchDir = `${outputDir}.partial`;
  const logFile = `${outputDir}.build.log`;
  await rm(scratchDir, { recursive: true, force: true });
  await mkdir(scratchDir, { recursive: true });
  const started = Date.now();
  progress(`building the Kubernetes binaries into ${outputDir} (about 11 minutes the first time; log: ${logFile}) ...`);
  const deadline = started + BUILD_TIMEOUT_MS;
  const version = await kubernetesVersion();
  const packages = [ETCD_PACKAGE, ...KUBERNETES_COMMANDS.map((command) => `k8s.io/kubernetes/cmd/${command}`), './pause'];
  // The module sits inside the clone; its Git state must neither stamp nor fail the build.
  const buildFlags = ['-trimpath', '-buildvcs=false', '-ldflags', linkerFlags(version)];
  await runGo(go, ['build', ...buildFlags, '-o', `${scratchDir}/`, ...packages], {}, logFile, deadline);
  // etcd's main package is the module root, so its binary is named after the module's last element.
  await rename(path.join(scratchDir, 'server'), path.join(scratchDir, 'etcd'));
  await runGo(go, ['install', '-trimpath', '-ldflags', '-s -w', KWOK_PACKAGE], { GOBIN: scratchDir }, logFile, deadline);
  await rm(outputDir, { recursive: true, force: true });
  await rename(scratchDir, outputDir);
  progress(`built the Kubernetes binaries in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function findGo(): Promise<string> {
  const go = (await findOnPath('go')) ?? ((await isExecutable(FALLBACK_GO)) ? FALLBACK_GO : undefined);
  if (go) return go;
  throw new Error(
    'Go is needed to build the Kubernetes binaries that the tests run (kube-apiserver, etcd, kwok, ...), and `go` ' +
      `is neither on PATH nor at ${FALLBACK_GO}. Install Go 1.26 or newer from https://go.dev/dl/ ` +
      '(e.g. `tar -C /usr/local -xzf go1.26.*.linux-amd64.tar.gz`) and put its bin folder on PATH.',
  );
}

/** The k8s.io/kubernetes version that tools/go.mod requires, e.g. "v1.37.2". */
async function kubernetesVersion(): Promise<string> {
  const goMod = await readFile(path.join(toolsModuleDir, 'go.mod'), 'utf8');
  const version = /^\s*k8s\.io\/kubernetes (v\d+\.\d+\.\d+)\b/m.exec(goMod)?.[1];
  if (!version) throw new Error(`${toolsModuleDir}/go.mod does not require k8s.io/kubernetes at a release version`);
  return version;
}

/** Without the version variables the binaries report v0.0.0, which clients and kubelets reject. */
function linkerFlags(version: string): string {
  const [major, minor] = version.slice(1).split('.');
  const variables = { gitVersion: version, gitMajor: major, gitMinor: minor, gitTreeState: 'clean' };
  const settings = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) =>
    Object.entries(variables).map(([name, value]) => `-X ${pkg}.${name}=${value}`),
  );
  return ['-s', '-w', ...settings].join(' ');
}

/** Runs go at low priority, since it takes every core for minutes, and kills it at the deadline. */
async function runGo(go: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, deadline: number): Promise<void> {
  const log = openSync(logFile, 'a');
  const child = spawn('nice', ['-n', '10', go, ...args], {
    cwd: toolsModuleDir,
    env: { ...process.env, CGO_ENABLED: '0', ...env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const started = Date.now();
  const ticker = setInterval(
    () => progress(`still building the Kubernetes binaries (${Math.round((Date.now() - started) / 1000)} s for \`go ${args[0]}\`)`),
    PROGRESS_INTERVAL_MS,
  );
  let timedOut = false;
  const killer = setTimeout(
    () => {
      timedOut = true;
      // The compilers it started finish their one package each and exit.
      child.kill('SIGKILL');
    },
    Math.max(0, deadline - Date.now()),
  );
  const outcome = await new Promise<string | undefined>((resolve) => {
    child.once('exit', (code, signal) => resolve(code === 0 ? undefined : signal ? `was killed by ${signal}` : `exited with code ${code}`));
    child.once('error', (error) => resolve(`could not run: ${error.message}`));
  });
  clearInterval(ticker);
  clearTimeout(killer);
  if (outcome === undefined) return;
  const reason = timedOut ? `did not finish within ${BUILD_TIMEOUT_MS / 60_000} minutes` : outcome;
  throw new Error(`\`go ${args[0]}\` of the Kubernetes binaries ${reason}.\n--- end of ${logFile} ---\n${await readLogTail(logFile)}`);
}

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}
