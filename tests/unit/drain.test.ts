import type { DataPlane } from '../../activities/data-plane';
import { drainPipeline } from '../../activities/drain';
import type { Orchestrator } from '../../activities/orchestrator';
import type { DrainProgress } from '../../pipeline/heartbeat-details';
import type { ComponentSpec, PipelineSpec } from '../../pipeline/pipeline-spec';

const component = (name: string, streams: Pick<ComponentSpec, 'input' | 'output'>): ComponentSpec => ({
  name,
  image: 'busybox:latest',
  replicas: 1,
  ...streams,
});

/** A source feeding two sinks, and a transform between the source and one of them. */
const FAN_OUT: PipelineSpec = {
  pipeline_id: 'fan-out',
  name: 'fan-out',
  components: [
    component('archive', { input: 'raw' }),
    component('source', { output: 'raw' }),
    component('clean', { input: 'raw', output: 'cleaned' }),
    component('index', { input: 'cleaned' }),
  ],
};

/** Records each stop; each consumer has `backlog[name]` messages left, one fewer at every look once its feeders stopped. */
function drainOf(spec: PipelineSpec, backlog: Record<string, number>, previous?: DrainProgress) {
  const stops: string[][] = [];
  const looks: string[] = [];
  const orchestrator = {
    stopGracefully: async (_spec: PipelineSpec, _grace: number, names: string[]) => void stops.push(names),
  } as unknown as Orchestrator;
  const dataPlane = {
    unfinished: async (_spec: PipelineSpec, name: string) => {
      looks.push(name);
      const left = backlog[name] ?? 0;
      backlog[name] = Math.max(0, left - 1);
      return left;
    },
  } as unknown as DataPlane;
  const reports: DrainProgress[] = [];
  const drained = drainPipeline(spec, {
    orchestrator,
    dataPlane,
    graceSeconds: 5,
    previous,
    report: (progress) => reports.push(structuredClone(progress)),
    signal: new AbortController().signal,
    pollIntervalMs: 40,
  });
  return { drained, stops, looks, reports };
}

test('the sources stop first; then every component whose feeders have stopped, together once their consumers are drained', async () => {
  const { drained, stops, looks } = drainOf(FAN_OUT, {});
  await drained;
  expect(stops).toEqual([['source'], ['archive', 'clean'], ['index']]);
  expect(looks).toEqual(['archive', 'clean', 'index']);
});

test('a component waits for its own consumer only; the others stop as soon as theirs are drained', async () => {
  const { drained, stops, looks, reports } = drainOf(FAN_OUT, { archive: 3 });
  await drained;
  expect(stops).toEqual([['source'], ['clean'], ['index'], ['archive']]);
  expect(looks).toEqual(['archive', 'clean', 'archive', 'index', 'archive', 'archive']);
  // The last stop is not reported: the drain ends with it.
  expect(reports.at(-1)).toEqual({ stopped: ['source', 'clean', 'index'], unfinished: { archive: 0, clean: 0, index: 0 } });
});

test('a retried drain goes on from its last heartbeat without stopping anything twice', async () => {
  const { drained, stops } = drainOf(FAN_OUT, {}, { stopped: ['source', 'clean'], unfinished: { clean: 0 } });
  await drained;
  expect(stops).toEqual([['archive', 'index']]);
});
