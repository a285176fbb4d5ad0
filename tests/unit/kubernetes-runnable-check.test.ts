import { InvalidSpecError } from '../../activities/errors';
import { checkRunnable } from '../../activities/kubernetes/runnable-check';
import type { RunnableComponent, RunnableSpec } from '../../activities/runnable-spec';

const spec = (component: Partial<RunnableComponent> = {}): RunnableSpec => ({
  pipeline_id: 'orders-etl',
  name: 'Orders',
  components: [{ name: 'ingestor', image: 'busybox:latest', replicas: 1, ...component }],
});

const problemOf = (runnable: RunnableSpec): string | undefined => {
  try {
    checkRunnable(runnable);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSpecError);
    return (error as Error).message;
  }
};

test('a spec every orchestrator can run passes, secret values included', () => {
  expect(
    problemOf(spec({ env: { LOG_LEVEL: 'info' }, secret_values: { DB_PASSWORD: 's3cret', WEIR_NATS_CREDS: 'creds' } })),
  ).toBeUndefined();
});

test('what checkSpec refuses for every orchestrator is refused here too', () => {
  expect(problemOf(spec({ image: 'Not An Image' }))).toContain('image "Not An Image"');
  expect(problemOf(spec({ name: 'Ingestor' }))).toContain('the name does not match');
  expect(problemOf({ ...spec(), pipeline_id: 'Orders.ETL' })).toContain('the pipeline id "Orders.ETL" does not match');
  expect(problemOf(spec({ env: { 'A=B': 'x' } }))).toContain('env variable "A=B" has no valid name');
});

test("env variable names outside Kubernetes' grammar are refused, plain or secret, though an engine would take them", () => {
  expect(problemOf(spec({ env: { 'LEVEL\u00e9': 'x' } }))).toBe(
    'component "ingestor" cannot run: env variable "LEVEL\u00e9" has no valid name: printable ASCII without "="',
  );
  expect(problemOf(spec({ env: { ' LEADING_SPACE': 'x' } }))).toContain('env variable " LEADING_SPACE" has no valid name');
  expect(problemOf(spec({ secret_values: { 'TAB\tNAME': 'x' } }))).toContain('has no valid name');
});

test('a secret variable whose Secret key Kubernetes would refuse is refused', () => {
  expect(problemOf(spec({ secret_values: { 'DB PASSWORD': 'x' } }))).toBe(
    'component "ingestor" cannot run: secret variable "DB PASSWORD" cannot be a Secret key: letters, digits, "-", "_" and "." only',
  );
  expect(problemOf(spec({ env: { 'DB PASSWORD': 'x' } }))).toBeUndefined();
});
