import type { Client, WorkflowExecutionDescription, WorkflowExecutionInfo } from '@temporalio/client';
import { WORKFLOW_TYPE, TASK_QUEUE, STATUS_SEARCH_ATTRIBUTE, pipelineIdOf, workflowIdFor } from '../workflows/names';
import { deleteUpdate, resumeUpdate, statusQuery, stopUpdate, terminateUpdate, type CommandResult } from '../workflows/messages';
import { PipelineLedger } from '../workflows/pipeline-ledger';
import type { PipelineSettings } from '../workflows/pipeline-settings';
import type { PipelineSpec } from '../workflows/pipeline-spec';
import type { PipelineMemo, PipelineView } from '../workflows/pipeline-view';
import type { PipelineWorkflowInput } from '../workflows/pipeline-workflow';
import { pipelineStatusKey } from '../workflows/search-attributes';
import { isPipelineStatus, type Command, type PipelineStatus } from '../workflows/status-machine';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ApiError } from './api-error';
import type { ActivityObservation } from './component-health';
import { translateTemporalError } from './temporal-errors';

/** What describe tells about a pipeline: its last known state, readable with every worker down. */
export interface PipelineRecord extends PipelineMemo {
  pipeline_id: string;
  overall_status: PipelineStatus;
  /** The last heartbeat of the activity in flight; list results do not carry it. */
  observation?: ActivityObservation;
}

export interface GatewayOptions {
  settings: PipelineSettings;
  /** How long a command may wait for a worker to accept it. */
  updateTimeoutMs: number;
  /** How long a delete may take once accepted. */
  deleteTimeoutMs: number;
}

const UPDATES = { stop: stopUpdate, terminate: terminateUpdate, resume: resumeUpdate, delete: deleteUpdate };

/** Everything the API asks of Temporal about pipelines. */
export class PipelineGateway {
  constructor(
    private readonly client: Client,
    private readonly options: GatewayOptions,
  ) {}

  async create(spec: PipelineSpec): Promise<PipelineRecord> {
    const ledger = PipelineLedger.create(spec, new Date().toISOString());
    const memo: PipelineMemo = { ...ledger.statusMemo(), spec };
    const input: PipelineWorkflowInput = { spec, settings: this.options.settings, ledger: ledger.snapshot() };
    await this.guard(spec.pipeline_id, () =>
      this.client.withDeadline(this.deadline(), () => this.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue: TASK_QUEUE,
        workflowId: workflowIdFor(spec.pipeline_id),
        args: [input],
        memo: { ...memo },
        typedSearchAttributes: [{ key: pipelineStatusKey, value: ledger.status }],
        staticSummary: spec.name,
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      })),
    );
    return { pipeline_id: spec.pipeline_id, overall_status: ledger.status, ...memo };
  }

  async get(pipelineId: string, deadline = this.deadline()): Promise<PipelineRecord> {
    const handle = this.client.workflow.getHandle(workflowIdFor(pipelineId));
    const description = await this.guard(pipelineId, () => this.client.withDeadline(deadline, () => handle.describe()));
    if (description.status.name !== 'RUNNING') throw ApiError.notFound(pipelineId);
    const record = recordOf(description);
    if (!record) throw ApiError.notFound(pipelineId);
    return { ...record, observation: observationOf(description) };
  }

  async list(status?: PipelineStatus): Promise<PipelineRecord[]> {
    const filters = [`WorkflowType = '${WORKFLOW_TYPE}'`, `ExecutionStatus = 'Running'`];
    if (status) filters.push(`${STATUS_SEARCH_ATTRIBUTE} = '${status}'`);
    const records: PipelineRecord[] = [];
    await this.guard('*', () =>
      this.client.withDeadline(this.deadline(), async () => {
        for await (const execution of this.client.workflow.list({ query: filters.join(' AND ') })) {
          const record = recordOf(execution);
          if (record) records.push(record);
        }
      }),
    );
    return records.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.pipeline_id.localeCompare(b.pipeline_id));
  }

  /** The full view, transitions included; it needs a worker to answer. Both calls share one deadline. */
  async view(pipelineId: string): Promise<PipelineView> {
    const handle = this.client.workflow.getHandle(workflowIdFor(pipelineId));
    const deadline = this.deadline();
    await this.get(pipelineId, deadline);
    return this.guard(pipelineId, () => this.client.withDeadline(deadline, () => handle.query(statusQuery)));
  }

  /** Sends a command and answers once the workflow has accepted it (delete: once the pipeline is gone). */
  async command(pipelineId: string, command: Command, requestId: string): Promise<CommandResult> {
    const handle = this.client.workflow.getHandle(workflowIdFor(pipelineId));
    return this.guard(pipelineId, async () => {
      const update = await this.client.withDeadline(this.deadline(), () =>
        handle.startUpdate(UPDATES[command], {
          args: [{ request_id: requestId }],
          updateId: `${command}-${requestId}`,
          waitForStage: 'ACCEPTED',
        }),
      );
      const resultDeadline = Date.now() + (command === 'delete' ? this.options.deleteTimeoutMs : this.options.updateTimeoutMs);
      return this.client.withDeadline(resultDeadline, () => update.result());
    });
  }

  async isTemporalReachable(): Promise<boolean> {
    try {
      await this.client.withDeadline(Date.now() + 2000, () => this.client.workflowService.getSystemInfo({}));
      return true;
    } catch {
      return false;
    }
  }

  private deadline(): number {
    return Date.now() + this.options.updateTimeoutMs;
  }

  private async guard<T>(pipelineId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw translateTemporalError(error, pipelineId);
    }
  }
}

function recordOf(execution: WorkflowExecutionInfo | WorkflowExecutionDescription): PipelineRecord | undefined {
  const pipelineId = pipelineIdOf(execution.workflowId);
  const status = execution.typedSearchAttributes.get(pipelineStatusKey);
  const memo = execution.memo as Partial<PipelineMemo> | undefined;
  if (!pipelineId || !isPipelineStatus(status) || !memo?.spec || !memo.created_at || !memo.updated_at) return undefined;
  return {
    pipeline_id: pipelineId,
    overall_status: status,
    pipeline_name: memo.pipeline_name ?? memo.spec.name,
    created_at: memo.created_at,
    updated_at: memo.updated_at,
    failure: memo.failure ?? null,
    spec: memo.spec,
  };
}

function observationOf(description: WorkflowExecutionDescription): ActivityObservation | undefined {
  // An activity whose cancellation is pending belongs to the status just left, such as a watch a stop ended.
  const pending = description.raw.pendingActivities?.find(
    (activity) =>
      activity.heartbeatDetails?.payloads?.length &&
      activity.state !== temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED,
  );
  const payload = pending?.heartbeatDetails?.payloads?.[0];
  if (!pending || !payload) return undefined;
  const heartbeat = pending.lastHeartbeatTime;
  const epochMs = Number(heartbeat?.seconds ?? 0) * 1000 + Math.floor((heartbeat?.nanos ?? 0) / 1_000_000);
  return {
    activity: pending.activityType?.name ?? 'unknown',
    details: defaultPayloadConverter.fromPayload(payload),
    at: epochMs > 0 ? new Date(epochMs).toISOString() : null,
  };
}
