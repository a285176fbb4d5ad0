import { heldStreamsMessage, type StreamHolding } from '../pipeline/held-streams';

/** An orchestrator error tied to one component. `retryable: false` means retrying cannot help. */
export class ComponentError extends Error {
  constructor(
    readonly component: string,
    message: string,
    readonly retryable: boolean,
    readonly type: string,
  ) {
    super(message);
    this.name = type;
  }
}

/** How a user's string appears in a message: quoted with control characters escaped, and cut short. */
export function quoted(value: unknown, maxLength = 80): string {
  const text = String(value);
  return JSON.stringify(text.length > maxLength ? `${text.slice(0, maxLength)}…` : text);
}

/** A spec value the engine cannot take, such as an image that is no valid reference: retrying cannot help. */
export class InvalidSpecError extends ComponentError {
  constructor(component: string, problem: string) {
    super(component, `component ${quoted(component)} cannot run: ${problem}`, false, 'InvalidSpec');
  }
}

export class ImageUnavailableError extends ComponentError {
  constructor(component: string, image: string, cause: string) {
    super(component, `image ${image} is not available locally and could not be pulled: ${cause}`, false, 'ImageUnavailable');
  }
}

export class ComponentExitedError extends ComponentError {
  constructor(component: string, exitCode: number, lastLogLines: string, outOfMemory = false) {
    const cause = outOfMemory ? ' (killed: out of memory)' : '';
    super(
      component,
      `component ${component} exited with code ${exitCode}${cause}${lastLogLines ? `; last log lines: ${lastLogLines}` : ''}`,
      false,
      'ComponentExited',
    );
  }
}

export class ComponentUnhealthyError extends ComponentError {
  constructor(component: string, healthOutput: string) {
    super(
      component,
      `component ${component} is unhealthy${healthOutput ? `; last health check: ${healthOutput}` : ''}`,
      false,
      'ComponentUnhealthy',
    );
  }
}

export class ComponentMissingError extends ComponentError {
  constructor(component: string) {
    super(component, `a container of component ${component} has disappeared`, false, 'ComponentMissing');
  }
}

export class ContainerNameTakenError extends ComponentError {
  constructor(component: string, containerName: string, owner: string | undefined) {
    super(
      component,
      `container name ${containerName} is already used by ${owner ? `pipeline ${owner}` : 'a container Weir does not manage'}`,
      false,
      'ContainerNameTaken',
    );
  }
}

export class SecretMissingError extends ComponentError {
  constructor(component: string, secret: string, dir: string | undefined) {
    const where = dir === undefined ? 'no secrets directory is configured (WEIR_SECRETS_DIR on the worker)' : `it is not in ${dir}`;
    super(component, `component ${component} needs secret ${secret}, but ${where}`, false, 'SecretMissing');
  }
}

/** Why Kubernetes says a component is broken; the first word of the failure. */
export type PodFailureReason =
  | 'CrashLoopBackOff'
  | 'OOMKilled'
  | 'Restarted'
  | 'PodFailed'
  | 'NotReady'
  | 'ProgressDeadlineExceeded'
  | 'ReplicaFailure'
  | 'DeploymentMissing';

/** A component that Kubernetes reports broken: retrying the operation cannot mend it. */
export class ComponentFailedError extends ComponentError {
  constructor(
    component: string,
    readonly reason: PodFailureReason,
    readonly detail: string,
    /** The pod that shows the failure, whose log can tell why. */
    readonly pod?: string,
  ) {
    super(component, `component ${component} failed: ${reason}: ${detail}`, false, 'ComponentFailed');
  }

  /** The same failure, its message ending with the pod's last log lines, as a Docker component's exit does. */
  withLastLogLines(lastLogLines: string): ComponentFailedError {
    return new ComponentFailedError(this.component, this.reason, `${this.detail}; last log lines: ${lastLogLines}`, this.pod);
  }
}

export class DeploymentNameTakenError extends ComponentError {
  constructor(component: string, deployment: string, owner: string | undefined) {
    super(
      component,
      `Deployment ${deployment} already belongs to ${owner ? `pipeline ${owner}` : 'something Weir does not manage'}`,
      false,
      'DeploymentNameTaken',
    );
  }
}

/** Streams a new spec no longer uses still hold messages, so they are kept: retrying cannot help until they are read. */
export class StreamsNotEmptyError extends Error {
  constructor(readonly holdings: StreamHolding[]) {
    super(heldStreamsMessage(holdings));
    this.name = 'StreamsNotEmpty';
  }
}
