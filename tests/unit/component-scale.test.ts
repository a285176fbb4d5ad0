import { scaleReason, scaledSpec } from '../../pipeline/component-scale';
import type { PipelineSpec } from '../../pipeline/pipeline-spec';
import { describeChange, specChange } from '../../pipeline/spec-change';

const spec: PipelineSpec = {
  pipeline_id: 'orders-etl',
  name: 'Orders ETL',
  components: [
    { name: 'source', image: 'busybox:latest', replicas: 1, output: 'raw' },
    { name: 'transform', image: 'busybox:latest', replicas: 3, input: 'raw' },
  ],
};

test('a scale changes the replicas of that component alone, keeping the order and every other field', () => {
  const scaled = scaledSpec(spec, { component: 'transform', replicas: 1 });
  expect(scaled).toEqual({ ...spec, components: [spec.components[0], { ...spec.components[1], replicas: 1 }] });
  expect(describeChange(specChange(spec, scaled!))).toBe('changed transform (replicas)');
  expect(spec.components[1].replicas).toBe(3);
});

test('a scale of a component the spec lacks has no spec', () => {
  expect(scaledSpec(spec, { component: 'sink', replicas: 2 })).toBeUndefined();
});

test('the reason names the component and both counts', () => {
  expect(scaleReason(spec, { component: 'transform', replicas: 1 })).toBe('scale of transform from 3 to 1 replicas requested');
});
