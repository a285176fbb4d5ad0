import type { Client, WorkflowExecutionDescription, WorkflowExecutionInfo, WorkflowHandle, WorkflowUpdateHandle } from '@temporalio/client';
import { WORKFLOW_TYPE, TASK_QUEUE, STATUS_SEARCH_ATTRIBUTE, pipelineIdOf, workflowIdFor } from '../pipeline/names';
import {
  COMMAND_UPDATES,
  editUpdate,
  revisionQuery,
  scaleUpdate,
  statusQuery,
  type CommandResult,
  type EditRequest,
  type EditResult,
} from '../workflows/messages';
import type { ComponentScale } from '../pipeline/component-scale';
import { PipelineLedger } from '../pipeline/pipeline-ledger';
import type { PipelineSettings } from '../pipeline/pipeline-settings';
import type { PipelineSpec } from '../pipeline/pipeline-spec';
import type { PipelineMemo, PipelineView } from '../pipeline/pipeline-view';
import type { PipelineWorkflowInput, pipelineWorkflow } from '../workflows/pipeline-workflow';
import { pipelineStatusKey } from '../workflows/search-attributes';
import { PIPELINE_STATUSES, isPipelineStatus, type Command, type PipelineStatus } from '../pipeline/status-machine';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ApiError } from './api-error';
import { sharedWhileInFlight } from './cached';
import { canonicalJson } from '../pipeline/canonical-json';
import type { ActivityObservation } from './component-health';
import { timedCall, withinDeadline, type TimedCall } from './deadline';
import { grpcCodeOf, translateTemporalError } from './temporal-errors';

/** What describe tells about a pipeline: its last known state, readable with every worker down. */
export interface PipelineRecord extends Omit<PipelineMemo, 'spec_revision'> {
  pipeline_id: string;
  overall_status: PipelineStatus;
  spec_revision: number;
  /** The last heartbeat of the activity in flight; list results do not carry it. */
  observation?: ActivityObservation;
}

/** The kinds of Temporal call the API makes, as metrics count them. */
export type TemporalOperation = 'start' | 'describe' | 'list' | 'count' | 'query' | 'update' | 'update_result' | 'history' | 'system_info';

export interface GatewayOptions {
  settings: PipelineSettings;
  /** Told of every Temporal call as it is made. */
  onCall?: (operation: TemporalOperation) => void;
  /** How long a command may wait for a worker to accept it. */
  updateTimeoutMs: number;
  /** How long a delete may take once accepted. */
  deleteTimeoutMs: number;
}

/** Where a reader of a run's history is: which run (the current one when absent), and how far it has read. */
export interface HistoryPosition {
  runId?: string;
  pageToken?: Uint8Array;
}

export interface HistoryPage {
  events: temporal.api.history.v1.IHistoryEvent[];
  /** Absent once the run has closed and every event is read. */
  nextPageToken?: Uint8Array;
}

/** One page of a pipeline list, and the token of the next page when there is one. */
export interface PipelinePage {
  records: PipelineRecord[];
  nextPageToken?: string;
}

/** An accepted edit, or one that changed nothing (the same spec, or a retry), and the pipeline it left. */
export interface EditAnswer {
  outcome: CommandResult['outcome'];
  record: PipelineRecord;
}

/** What a command sent with commandUntilSettled answered: the status it ended in, and the record as it did. */
export interface SettledAnswer {
  outcome: CommandResult['outcome'];
  status: PipelineStatus;
  record?: PipelineRecord;
}

/** What an edit asks for: a whole new spec, or an earlier revision back; `rolling` to apply it to a Running pipeline now. */
export type EditTarget = ({ spec: PipelineSpec } | { rollback_to: number }) & { rolling?: boolean };

/** What the routes ask about pipelines; the gateway answers it from Temporal. */
export type Pipelines = Pick<
  PipelineGateway,
  | 'create'
  | 'get'
  | 'revision'
  | 'list'
  | 'view'
  | 'command'
  | 'commandUntilSettled'
  | 'deleteWithin'
  | 'edit'
  | 'scale'
  | 'isTemporalReachable'
>;

/** Everything the API asks of Temporal about pipelines. */
export class PipelineGateway {
  /** Calls still under way: one that ran out of time is answered at once but ends only when its retries do. */
  private readonly inFlight = new Set<Promise<void>>();
  /** Concurrent lists of the same page share one visibility call: the store's slowest answers grow with their number. */
  private readonly sharedPage = sharedWhileInFlight<temporal.api.workflowservice.v1.IListWorkflowExecutionsResponse>();

  constructor(
    private readonly client: Client,
    private readonly options: GatewayOptions,
  ) {}

  /**
   * Starts the pipeline's workflow. A retry of the same create (same request id and spec) answers with the pipeline
   * that the first one made instead of a conflict.
   */
  async create(spec: PipelineSpec, requestId: string): Promise<PipelineRecord> {
    const ledger = PipelineLedger.create(spec, new Date().toISOString());
    const memo: PipelineMemo = { ...ledger.statusMemo(), spec, create_request_id: requestId };
    const input: PipelineWorkflowInput = { spec, settings: this.options.settings, ledger: ledger.snapshot() };
    try {
      await this.call('start', spec.pipeline_id, this.timed(`starting pipeline ${spec.pipeline_id}`, true), () =>
        this.client.workflow.start<typeof pipelineWorkflow>(WORKFLOW_TYPE, {
          taskQueue: TASK_QUEUE,
          workflowId: workflowIdFor(spec.pipeline_id),
          args: [input],
          memo: { ...memo },
          typedSearchAttributes: [{ key: pipelineStatusKey, value: ledger.status }],
          staticSummary: spec.name,
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        }),
      );
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'ALREADY_EXISTS')) throw error;
      const existing = await this.get(spec.pipeline_id).catch(() => undefined);
      if (existing?.create_request_id === requestId && canonicalJson(existing.spec) === canonicalJson(spec)) return existing;
      throw error;
    }
    return { pipeline_id: spec.pipeline_id, overall_status: ledger.status, spec_revision: ledger.specRevision, ...memo };
  }

  async get(pipelineId: string, signal?: AbortSignal, call = this.timed(`reading pipeline ${pipelineId}`)): Promise<PipelineRecord> {
    const handle = this.client.workflow.getHandle(workflowIdFor(pipelineId));
    const description = await this.call('describe', pipelineId, call, () => handle.describe(), signal);
    if (description.status.name !== 'RUNNING') throw ApiError.notFound(pipelineId);
    const record = recordOf(description);
    if (!record) throw ApiError.notFound(pipelineId);
    return { ...record, observation: observationOf(description) };
  }

  /**
   * The pipeline with the spec of one of its revisions. The current one is read without a worker; an earlier one is
   * kept by the workflow, which a worker answers for.
   */
  async revision(pipelineId: string, revision: number): Promise<PipelineRecord> {
    const call = this.timed(`reading revision ${revision} of pipeline ${pipelineId} (a worker answers it)`);
    const record = await this.get(pipelineId, undefined, call);
    if (record.spec_revision === revision) return record;
    const handle = this.client.workflow.getHandle(workflowIdFor(pipelineId));
    const kept = await this.call('query', pipelineId, call, () => handle.query(revisionQuery, revision));
    if (!kept) throw new ApiError('NOT_FOUND', `pipeline ${pipelineId} has no revision ${revision}`);
    return { ...record, spec: kept.spec, spec_revision: kept.revision };
  }

  /** One page of pipelines, newest run first, from a single visibility call: memo and search attribute carry the rest. */
  async list(status: PipelineStatus | undefined, limit: number, pageToken?: string): Promise<PipelinePage> {
    const filters = [RUNNING_PIPELINES];
    if (status) filters.push(`${STATUS_SEARCH_ATTRIBUTE} = '${status}'`);
    const query = filters.join(' AND ');
    const response = await this.sharedPage(JSON.stringify([query, limit, pageToken ?? null]), () =>
      this.call('list', '*', this.timed('listing pipelines'), () =>
        this.client.workflowService.listWorkflowExecutions({
          namespace: this.client.options.namespace,
          query,
          pageSize: limit,
          nextPageToken: pageToken === undefined ? undefined : decodePageToken(pageToken, query),
        }),
      ),
    ).catch((error: unknown) => {
      if (pageToken !== undefined && grpcCodeOf(error) === GRPC_INVALID_ARGUMENT) throw invalidPageToken();
      throw error;
    });
    const records = (response.executions ?? []).map(recordOfRaw).filter((record): record is PipelineRecord => record !== undefined);
    const next = response.nextPageToken;
    return { records, nextPageToken: next && next.length > 0 ? encodePageToken(next, query) : undefined };
  }

  /** Pipelines in Stopping, at most a page of them, each described for the last heartbeat of its drain. */
  async stopping(): Promise<PipelineRecord[]> {
    const { records } = await this.list('Stopping', STOPPING_PAGE);
    const described = await Promise.all(records.map((record) => this.get(record.pipeline_id).catch(() => undefined)));
    return described.filter((record): record is PipelineRecord => record !== undefined);
  }

  /** The full view, transitions included; it needs a worker to answer. Both calls share one deadline. */
  async view(pipelineId: string): Promise<PipelineView> {
    const call = this.timed(`reading the history of pipeline ${pipelineId} (a worker answers it)`);
    await this.get(pipelineId, undefined, call);
    return this.queryView(pipelineId, undefined, call);
  }

  /** The `status` query alone, for a pipeline known to exist; a worker answers it. */
  queryView(
    pipelineId: string,
    signal?: AbortSignal,
    call = this.timed(`querying pipeline ${pipelineId} (a worker answers it)`),
  ): Promise<PipelineView> {
    const handle = this.client.workflow.getHandle(workflowIdFor(pipelineId));
    return this.call('query', pipelineId, call, () => handle.query(statusQuery), signal);
  }

  /**
   * The next events of a run's history from `position`, waiting up to a long poll for new ones when there are none
   * yet. Without a run id it reads the pipeline's current run.
   */
  async historyEvents(pipelineId: string, position: HistoryPosition, signal?: AbortSignal): Promise<HistoryPage> {
    const call = timedCall(`waiting for news of pipeline ${pipelineId}`, HISTORY_LONG_POLL_MS);
    const response = await this.call(
      'history',
      pipelineId,
      call,
      () =>
        this.client.workflowService.getWorkflowExecutionHistory({
          namespace: this.client.options.namespace,
          execution: { workflowId: workflowIdFor(pipelineId), runId: position.runId },
          nextPageToken: position.pageToken,
          waitNewEvent: true,
        }),
      signal,
    );
    const token = response.nextPageToken;
    return { events: response.history?.events ?? [], nextPageToken: token && token.length > 0 ? token : undefined };
  }

  /** How many pipelines have each status: one visibility count per status, never a call per pipeline. */
  async countByStatus(): Promise<Record<PipelineStatus, number>> {
    // Visibility groups counts by ExecutionStatus only, not by a custom search attribute.
    const counts = await Promise.all(
      PIPELINE_STATUSES.map(async (status) => {
        const query = `${RUNNING_PIPELINES} AND ${STATUS_SEARCH_ATTRIBUTE} = '${status}'`;
        const response = await this.call('count', '*', this.timed('counting pipelines'), () =>
          this.client.workflowService.countWorkflowExecutions({ namespace: this.client.options.namespace, query }),
        );
        return [status, Number(response.count ?? 0)] as const;
      }),
    );
    return Object.fromEntries(counts) as Record<PipelineStatus, number>;
  }

  /** Sends a command and answers once the workflow has accepted it (delete: once the pipeline is gone). */
  async command(pipelineId: string, command: Command, requestId: string): Promise<CommandResult> {
    const update = await this.accept(pipelineId, command, requestId);
    const waitMs = command === 'delete' ? this.options.deleteTimeoutMs : this.options.updateTimeoutMs;
    return this.finish(pipelineId, command, update, waitMs);
  }

  /**
   * Sends a delete and answers once the pipeline is gone, or, when `waitMs` passes first, with undefined: the removal
   * goes on, within the delete timeout.
   */
  async deleteWithin(pipelineId: string, requestId: string, waitMs: number): Promise<CommandResult | undefined> {
    const update = await this.accept(pipelineId, 'delete', requestId);
    const removal = this.finish(pipelineId, 'delete', update, this.options.deleteTimeoutMs);
    let timer: NodeJS.Timeout | undefined;
    const waitOver = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)));
    try {
      const result = await Promise.race([removal, waitOver]);
      if (result === undefined) removal.catch(() => undefined);
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends a command that the workflow answers once the pipeline settles or starts deleting, or `settleWithinMs`
   * passes, and calls `accepted` as soon as the workflow has accepted it. Resolves with the answer, or with undefined
   * when none came within the wait and the update timeout after it. Not for delete, which always waits for the removal.
   */
  async commandUntilSettled(
    pipelineId: string,
    command: Exclude<Command, 'delete'>,
    requestId: string,
    settleWithinMs: number,
    accepted: () => void,
  ): Promise<SettledAnswer | undefined> {
    const update = await this.accept(pipelineId, command, requestId, settleWithinMs);
    accepted();
    try {
      const { outcome, status, memo } = await this.finish(pipelineId, command, update, settleWithinMs + this.options.updateTimeoutMs);
      return { outcome, status, ...(memo ? { record: recordOfAnswer(pipelineId, status, memo) } : {}) };
    } catch (error) {
      if (error instanceof ApiError && error.code === 'UNAVAILABLE') return undefined;
      throw error;
    }
  }

  /**
   * The update of a command. One that waits to settle has an id of its own: a request that was sent first without a
   * wait is then waited for by a second update, which the ledger, knowing the request id, makes a no-op.
   */
  private accept(pipelineId: string, command: Command, requestId: string, settleWithinMs?: number) {
    const handle = this.client.workflow.getHandle(workflowIdFor(pipelineId));
    const accepting = this.timed(`waiting for a worker to accept the ${command} of pipeline ${pipelineId}`, true);
    return this.call('update', pipelineId, accepting, () =>
      handle.startUpdate(COMMAND_UPDATES[command], {
        args: [{ request_id: requestId, ...(settleWithinMs === undefined ? {} : { settle_within_ms: settleWithinMs }) }],
        updateId: settleWithinMs === undefined ? `${command}-${requestId}` : `${command}-${requestId}-settled`,
        waitForStage: 'ACCEPTED',
      }),
    );
  }

  private finish(
    pipelineId: string,
    command: Command,
    update: WorkflowUpdateHandle<CommandResult>,
    waitMs: number,
  ): Promise<CommandResult> {
    const finishing = timedCall(`waiting for the accepted ${command} of pipeline ${pipelineId} to finish`, waitMs, true);
    return this.call('update_result', pipelineId, finishing, () => update.result());
  }

  /** Sends an edit and answers once the workflow has checked and recorded it; the next resume applies it. */
  edit(pipelineId: string, target: EditTarget, requestId: string): Promise<EditAnswer> {
    const request: EditRequest = { request_id: requestId, ...target };
    return this.specUpdate(pipelineId, 'edit', (handle) =>
      handle.startUpdate(editUpdate, { args: [request], updateId: `edit-${requestId}`, waitForStage: 'ACCEPTED' }),
    );
  }

  /** Sends a scale and answers once the workflow has recorded it: while Running, the orchestrator work follows. */
  scale(pipelineId: string, scale: ComponentScale, requestId: string): Promise<EditAnswer> {
    return this.specUpdate(pipelineId, 'scale', (handle) =>
      handle.startUpdate(scaleUpdate, {
        args: [{ request_id: requestId, ...scale }],
        updateId: `scale-${requestId}`,
        waitForStage: 'ACCEPTED',
      }),
    );
  }

  private async specUpdate(
    pipelineId: string,
    command: 'edit' | 'scale',
    start: (handle: WorkflowHandle) => Promise<WorkflowUpdateHandle<EditResult>>,
  ): Promise<EditAnswer> {
    const handle = this.client.workflow.getHandle(workflowIdFor(pipelineId));
    const accepting = this.timed(`waiting for a worker to accept the ${command} of pipeline ${pipelineId}`, true);
    const update = await this.call('update', pipelineId, accepting, () => start(handle));
    const finishing = this.timed(`waiting for the accepted ${command} of pipeline ${pipelineId} to finish`, true);
    const { outcome, status, memo } = await this.call('update_result', pipelineId, finishing, () => update.result());
    return { outcome, record: recordOfAnswer(pipelineId, status, memo) };
  }

  async isTemporalReachable(): Promise<boolean> {
    try {
      await this.call('system_info', '*', timedCall('checking Temporal', READINESS_TIMEOUT_MS), () =>
        this.client.workflowService.getSystemInfo({}),
      );
      return true;
    } catch {
      return false;
    }
  }

  /** A call within the API's update timeout. */
  private timed(what: string, resumable = false): TimedCall {
    return timedCall(what, this.options.updateTimeoutMs, resumable);
  }

  /**
   * Runs one Temporal call under `deadline`, enforced here as well as in gRPC: connecting and the client's own
   * retries are not bound by the call's deadline. The call's `what` names it in the 503 that a timeout becomes.
   * A `signal` abandons the call early.
   */
  private async call<T>(
    operation: TemporalOperation,
    pipelineId: string,
    timed: TimedCall,
    call: () => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    this.options.onCall?.(operation);
    const abandon = new AbortController();
    const abandonOnSignal = () => abandon.abort();
    signal?.addEventListener('abort', abandonOnSignal, { once: true });
    const work = this.client.withAbortSignal(abandon.signal, () => this.client.withDeadline(timed.deadline, call));
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    try {
      return await withinDeadline(work, timed);
    } catch (error) {
      abandon.abort();
      throw translateTemporalError(error, pipelineId, timed);
    } finally {
      signal?.removeEventListener('abort', abandonOnSignal);
    }
  }

  /** Resolves once every call has ended, retries included, so the connection can close under none of them. */
  async settled(): Promise<void> {
    await Promise.all(this.inFlight);
  }
}

const GRPC_INVALID_ARGUMENT = 3;
const READINESS_TIMEOUT_MS = 2000;
/** Longer than the server's own long poll (20 s by default), which answers with no events when nothing happened. */
const HISTORY_LONG_POLL_MS = 40_000;
/** How many Stopping pipelines the drain gauge describes at most. */
const STOPPING_PAGE = 100;
const RUNNING_PIPELINES = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;

function invalidPageToken(): ApiError {
  return new ApiError('VALIDATION_FAILED', 'invalid query: page_token: is not a token this list returned', {
    fields: { page_token: 'is not a token this list returned' },
  });
}

/** Page tokens are opaque to clients and bound to the query they page, so one cannot be replayed against another filter. */
function encodePageToken(token: Uint8Array, query: string): string {
  return Buffer.from(JSON.stringify({ q: query, t: Buffer.from(token).toString('base64') })).toString('base64url');
}

function decodePageToken(pageToken: string, query: string): Uint8Array {
  try {
    const { q, t } = JSON.parse(Buffer.from(pageToken, 'base64url').toString('utf-8')) as { q?: unknown; t?: unknown };
    if (q === query && typeof t === 'string' && t.length > 0) return Buffer.from(t, 'base64');
  } catch {
    // falls through to the refusal
  }
  throw invalidPageToken();
}

function recordOf(execution: WorkflowExecutionInfo | WorkflowExecutionDescription): PipelineRecord | undefined {
  return recordFrom(execution.workflowId, execution.typedSearchAttributes.get(pipelineStatusKey), execution.memo);
}

/** A visibility entry as the service returns it: memo and search attribute are still encoded. */
function recordOfRaw(raw: temporal.api.workflow.v1.IWorkflowExecutionInfo): PipelineRecord | undefined {
  const decode = (payload: temporal.api.common.v1.IPayload | null | undefined): unknown =>
    payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
  const memo = Object.fromEntries(Object.entries(raw.memo?.fields ?? {}).map(([key, payload]) => [key, decode(payload)]));
  const status = decode(raw.searchAttributes?.indexedFields?.[STATUS_SEARCH_ATTRIBUTE]);
  return recordFrom(raw.execution?.workflowId ?? '', Array.isArray(status) ? status[0] : status, memo);
}

/** The record an update answered with: its status and memo. */
function recordOfAnswer(pipelineId: string, status: PipelineStatus, memo: PipelineMemo): PipelineRecord {
  return { ...memo, pipeline_id: pipelineId, overall_status: status, spec_revision: memo.spec_revision ?? 1 };
}

function recordFrom(workflowId: string, status: unknown, memoFields: Record<string, unknown> | undefined): PipelineRecord | undefined {
  const pipelineId = pipelineIdOf(workflowId);
  const memo = memoFields as Partial<PipelineMemo> | undefined;
  if (!pipelineId || !isPipelineStatus(status) || !memo?.spec || !memo.created_at || !memo.updated_at) return undefined;
  return {
    pipeline_id: pipelineId,
    overall_status: status,
    pipeline_name: memo.pipeline_name ?? memo.spec.name,
    created_at: memo.created_at,
    updated_at: memo.updated_at,
    failure: memo.failure ?? null,
    spec: memo.spec,
    spec_revision: memo.spec_revision ?? 1,
    ...(memo.create_request_id ? { create_request_id: memo.create_request_id } : {}),
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
