import { ChangeHeartbeat } from '../../activities/change-heartbeat';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

function recorder() {
  const sent: string[] = [];
  return { sent, heartbeat: new ChangeHeartbeat<string>((details) => sent.push(details), 45_000) };
}

test('the first report goes out at once, and a report of the same details again does not', () => {
  const { sent, heartbeat } = recorder();
  heartbeat.report('running');
  heartbeat.report('running');
  heartbeat.report('running');
  expect(sent).toEqual(['running']);
  heartbeat.stop();
});

test('changed details go out at once', () => {
  const { sent, heartbeat } = recorder();
  heartbeat.report('running');
  heartbeat.report('starting');
  heartbeat.report('running');
  expect(sent).toEqual(['running', 'starting', 'running']);
  heartbeat.stop();
});

test('without a change, the last details go out again once the keep-alive interval passes', () => {
  const { sent, heartbeat } = recorder();
  heartbeat.report('running');
  jest.advanceTimersByTime(44_999);
  expect(sent).toEqual(['running']);
  jest.advanceTimersByTime(1);
  expect(sent).toEqual(['running', 'running']);
  jest.advanceTimersByTime(45_000);
  expect(sent).toEqual(['running', 'running', 'running']);
  heartbeat.stop();
});

test('a change starts the keep-alive interval again', () => {
  const { sent, heartbeat } = recorder();
  heartbeat.report('running');
  jest.advanceTimersByTime(30_000);
  heartbeat.report('starting');
  jest.advanceTimersByTime(44_999);
  expect(sent).toEqual(['running', 'starting']);
  jest.advanceTimersByTime(1);
  expect(sent).toEqual(['running', 'starting', 'starting']);
  heartbeat.stop();
});

test('nothing goes out before the first report, nor after stop', () => {
  const { sent, heartbeat } = recorder();
  jest.advanceTimersByTime(100_000);
  expect(sent).toEqual([]);
  heartbeat.report('running');
  heartbeat.stop();
  jest.advanceTimersByTime(100_000);
  expect(sent).toEqual(['running']);
});
