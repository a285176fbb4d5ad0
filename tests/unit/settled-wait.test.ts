import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { HistoryPage, PipelineRecord } from '../../api/pipeline-gateway';
import type { WatchSource, WatcherObserver } from '../../api/pipeline-watcher';
import { PipelineWatchers } from '../../api/pipeline-watchers';
import type { PipelineStatus } from '../../pipeline/status-machine';

const EventType = temporal.api.enums.v1.EventType;

const announcing = (status: PipelineStatus) => ({
  eventType: EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
  upsertWorkflowSearchAttributesEventAttributes: {
    searchAttributes: { indexedFields: { PipelineStatus: defaultPayloadConverter.toPayload(status) } },
  },
});

/**
 * A pipeline whose history grows when the test says so, whose describe reads `status`, and for which no worker ever
 * answers the `status` query: a wait that ends shows that it needed none.
 */
class ScriptedPipeline implements WatchSource {
  status: PipelineStatus = 'Stopping';
  describes = 0;
  private readonly pages: HistoryPage[] = [];
  private wake?: () => void;

  /** Adds a page of history in which the workflow announced `statuses`, in order. */
  announce(...statuses: PipelineStatus[]): void {
    this.pages.push({ events: statuses.map(announcing), nextPageToken: new Uint8Array([this.pages.length + 1]) });
    this.wake?.();
  }

  async historyEvents(_pipelineId: string, _position: unknown, signal?: AbortSignal): Promise<HistoryPage> {
    while (this.pages.length === 0) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
      if (signal?.aborted) return { events: [] };
    }
    return this.pages.shift() as HistoryPage;
  }

  queryView(_pipelineId: string, signal?: AbortSignal): Promise<never> {
    return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('called off')), { once: true }));
  }

  async get(pipelineId: string): Promise<PipelineRecord> {
    this.describes += 1;
    return {
      pipeline_id: pipelineId,
      overall_status: this.status,
      pipeline_name: 'Orders ETL',
      created_at: '2026-01-15T10:00:00.000Z',
      updated_at: '2026-01-15T10:00:01.000Z',
      failure: null,
      spec: { pipeline_id: pipelineId, name: 'Orders ETL', components: [{ name: 'ingestor', image: 'busybox:latest', replicas: 1 }] },
      spec_revision: 1,
    };
  }
}

const observer: WatcherObserver = { recordsAfter: () => undefined, ended: () => undefined };
let source: ScriptedPipeline;
let watchers: PipelineWatchers;

beforeEach(() => {
  source = new ScriptedPipeline();
  watchers = new PipelineWatchers(source, observer);
});

afterEach(() => watchers.close());

const untilSettled = (timeoutMs: number) => watchers.untilSettled('orders-etl', Date.now(), timeoutMs, () => source.get('orders-etl'));

test('a settled status announced by the history ends the wait with the describe that confirms it, without the query', async () => {
  const waiting = untilSettled(10_000);
  source.status = 'Stopped';
  source.announce('Stopped');
  const waited = await waiting;
  expect(waited.settled).toBe(true);
  expect(waited.record?.overall_status).toBe('Stopped');
  expect(source.describes).toBe(1);
});

test('a page whose last status is not settled is not read', async () => {
  const waiting = untilSettled(300);
  source.announce('Running', 'Stopping');
  expect(await waiting).toEqual({ settled: false });
  expect(source.describes).toBe(0);
});

test('an announcement that the describe does not confirm, as from an old page, does not end the wait', async () => {
  const waiting = untilSettled(300);
  // The last status of a page read while catching up with an earlier part of the history.
  source.announce('Running');
  expect(await waiting).toEqual({ settled: false });
  expect(source.describes).toBe(1);
});
