import { sharedWhileInFlight } from '../../api/cached';

/** A load that settles only when told to, counting its calls. */
function controlledLoad() {
  const settlers: Array<{ resolve: (value: string) => void; reject: (error: Error) => void }> = [];
  let calls = 0;
  const load = () => {
    calls++;
    return new Promise<string>((resolve, reject) => settlers.push({ resolve, reject }));
  };
  return { load, settlers, calls: () => calls };
}

test('callers of one key share the call in flight; a caller after it settled starts a new one', async () => {
  const shared = sharedWhileInFlight<string>();
  const control = controlledLoad();
  const first = shared('page-1', control.load);
  const second = shared('page-1', control.load);
  expect(control.calls()).toBe(1);
  control.settlers[0].resolve('first answer');
  expect(await Promise.all([first, second])).toEqual(['first answer', 'first answer']);

  const third = shared('page-1', control.load);
  expect(control.calls()).toBe(2);
  control.settlers[1].resolve('second answer');
  expect(await third).toBe('second answer');
});

test('other keys get calls of their own', async () => {
  const shared = sharedWhileInFlight<string>();
  const control = controlledLoad();
  const pages = [shared('page-1', control.load), shared('page-2', control.load)];
  expect(control.calls()).toBe(2);
  control.settlers.forEach((settler, index) => settler.resolve(`answer ${index + 1}`));
  expect(await Promise.all(pages)).toEqual(['answer 1', 'answer 2']);
});

test('a failure reaches every caller that shared the call, and the next caller tries again', async () => {
  const shared = sharedWhileInFlight<string>();
  const control = controlledLoad();
  const callers = [shared('page-1', control.load), shared('page-1', control.load)];
  control.settlers[0].reject(new Error('visibility timed out'));
  for (const caller of callers) await expect(caller).rejects.toThrow('visibility timed out');

  const retry = shared('page-1', control.load);
  expect(control.calls()).toBe(2);
  control.settlers[1].resolve('answer');
  expect(await retry).toBe('answer');
});
