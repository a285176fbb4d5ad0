import type { V1Container, V1Deployment, V1EnvVar, V1PersistentVolumeClaim, V1Secret, V1Volume } from '@kubernetes/client-node';
import { componentFingerprint } from '../component-fingerprint';
import type { RunnableComponent, RunnableSpec } from '../runnable-spec';
import {
  FINGERPRINT_ANNOTATION,
  componentLabels,
  deploymentName,
  pipelineLabels,
  secretKey,
  secretName,
  volumeClaimName,
} from './resource-names';

/** Where the pipeline's volume is mounted, as on Docker; the reference component's file sink writes there. */
export const DATA_MOUNT_PATH = '/weir-data';
const DATA_VOLUME = 'weir-data';
/** nobody: the restricted Pod Security Standard wants a non-root user, and the reference image runs as any user. */
const NON_ROOT_ID = 65534;

/** How components are placed and run, the same for every pipeline of a worker. */
export interface PodSettings {
  namespace: string;
  /** Test-only: share the node's network namespace. */
  hostNetwork: boolean;
  nodeSelector: Record<string, string>;
  imagePullPolicy: 'IfNotPresent' | 'Always' | 'Never';
  /** SIGTERM, then SIGKILL after this long: the pipeline's stop grace. */
  graceSeconds: number;
  progressDeadlineSeconds: number;
  /** A volume claim per pipeline; undefined: an emptyDir per pod. */
  volume?: { storageClass: string; size: string; accessMode: 'ReadWriteMany' | 'ReadWriteOnce' };
}

/** The Deployment of one component, for server-side apply. */
export function deploymentManifest(spec: RunnableSpec, component: RunnableComponent, settings: PodSettings): V1Deployment {
  const labels = componentLabels(spec.pipeline_id, component.name);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: deploymentName(spec.pipeline_id, component.name), namespace: settings.namespace, labels },
    spec: {
      replicas: component.replicas,
      selector: { matchLabels: labels },
      // Never two generations of a component at once: they would share its consumer and its volume.
      strategy: { type: 'Recreate' },
      revisionHistoryLimit: 1,
      progressDeadlineSeconds: settings.progressDeadlineSeconds,
      template: {
        // A changed spec changes the template, and so rolls out new pods; the same spec keeps the ReplicaSet.
        metadata: { labels, annotations: { [FINGERPRINT_ANNOTATION]: componentFingerprint(component) } },
        spec: {
          containers: [container(spec.pipeline_id, component, settings)],
          volumes: [dataVolume(spec.pipeline_id, settings)],
          terminationGracePeriodSeconds: settings.graceSeconds,
          restartPolicy: 'Always',
          // Components never talk to the Kubernetes API.
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          hostNetwork: settings.hostNetwork,
          hostPID: false,
          hostIPC: false,
          ...(settings.hostNetwork ? { dnsPolicy: 'ClusterFirstWithHostNet' } : {}),
          ...(Object.keys(settings.nodeSelector).length > 0 ? { nodeSelector: settings.nodeSelector } : {}),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: NON_ROOT_ID,
            runAsGroup: NON_ROOT_ID,
            fsGroup: NON_ROOT_ID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
        },
      },
    },
  };
}

function container(pipelineId: string, component: RunnableComponent, settings: PodSettings): V1Container {
  return {
    name: component.name,
    image: component.image,
    // The spec's command replaces the image's CMD and keeps its ENTRYPOINT, as on Docker.
    ...(component.command ? { args: component.command } : {}),
    env: containerEnv(pipelineId, component),
    imagePullPolicy: settings.imagePullPolicy,
    volumeMounts: [{ name: DATA_VOLUME, mountPath: DATA_MOUNT_PATH }],
    securityContext: {
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

/** Plain values as they are; secret values by reference to the pipeline's Secret, so they appear in no Deployment. */
function containerEnv(pipelineId: string, component: RunnableComponent): V1EnvVar[] {
  const plain = Object.entries(component.env ?? {}).map(([name, value]): V1EnvVar => ({ name, value }));
  const secret = Object.keys(component.secret_values ?? {}).map((name): V1EnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: secretName(pipelineId), key: secretKey(component.name, name) } },
  }));
  return [...plain, ...secret].sort((a, b) => a.name.localeCompare(b.name));
}

function dataVolume(pipelineId: string, settings: PodSettings): V1Volume {
  return settings.volume
    ? { name: DATA_VOLUME, persistentVolumeClaim: { claimName: volumeClaimName(pipelineId) } }
    : { name: DATA_VOLUME, emptyDir: {} };
}

/** The pipeline's Secret: every component's secret values, keyed <component>.<variable>. */
export function secretManifest(spec: RunnableSpec, namespace: string): V1Secret {
  const data: Record<string, string> = {};
  for (const component of spec.components) {
    for (const [variable, value] of Object.entries(component.secret_values ?? {})) {
      data[secretKey(component.name, variable)] = Buffer.from(value, 'utf8').toString('base64');
    }
  }
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secretName(spec.pipeline_id), namespace, labels: pipelineLabels(spec.pipeline_id) },
    type: 'Opaque',
    data,
  };
}

export function volumeClaimManifest(
  pipelineId: string,
  settings: PodSettings & { volume: NonNullable<PodSettings['volume']> },
): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: volumeClaimName(pipelineId), namespace: settings.namespace, labels: pipelineLabels(pipelineId) },
    spec: {
      accessModes: [settings.volume.accessMode],
      storageClassName: settings.volume.storageClass,
      resources: { requests: { storage: settings.volume.size } },
    },
  };
}
