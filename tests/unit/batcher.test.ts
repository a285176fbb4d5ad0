import { Batcher } from '../../component/src/batcher';

/** A promise with its resolve function, to finish a batch when the test says so. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('Batcher', () => {
  test('one batch at a time: what arrives meanwhile waits, then goes as one batch', async () => {
    const first = gate();
    const batches: number[][] = [];
    const batcher = new Batcher<number>(async (batch) => {
      batches.push(batch);
      if (batches.length === 1) await first.promise;
    });
    batcher.add(1);
    batcher.add(2);
    batcher.add(3);
    expect(batches).toEqual([[1]]);
    expect(batcher.backlog).toBe(3);
    first.open();
    await batcher.idle();
    expect(batches).toEqual([[1], [2, 3]]);
    expect(batcher.backlog).toBe(0);
  });

  test('overlapping batches: each starts at once while a slot is free, and does not wait for a slower one', async () => {
    const slow = gate();
    const finished: number[] = [];
    const batcher = new Batcher<number>(async (batch) => {
      if (batch.includes(1)) await slow.promise;
      finished.push(...batch);
    }, 2);
    batcher.add(1);
    batcher.add(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(finished).toEqual([2]);
    batcher.add(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(finished).toEqual([2, 3]);
    expect(batcher.backlog).toBe(1);
    slow.open();
    await batcher.idle();
    expect(finished).toEqual([2, 3, 1]);
  });

  test('overlapping batches beyond the limit queue until a slot frees', async () => {
    const gates = [gate(), gate()];
    const batches: number[][] = [];
    const batcher = new Batcher<number>(async (batch) => {
      batches.push(batch);
      await gates[batches.length - 1]?.promise;
    }, 2);
    batcher.add(1);
    batcher.add(2);
    batcher.add(3);
    batcher.add(4);
    expect(batches).toEqual([[1], [2]]);
    gates[1].open();
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1], [2], [3, 4]]);
    gates[0].open();
    await batcher.idle();
    expect(batcher.backlog).toBe(0);
  });
});
