import fc from 'fast-check';
import { streamGraphProblems, streamNames, topologicalOrder } from '../../pipeline/stream-graph';

const chain = [
  { name: 'sink', input: 'clean' },
  { name: 'source', output: 'raw' },
  { name: 'transform', input: 'raw', output: 'clean' },
];

describe('stream graph', () => {
  test('orders components sources first', () => {
    expect(topologicalOrder(chain)).toEqual(['source', 'transform', 'sink']);
    expect(streamGraphProblems(chain)).toEqual([]);
    expect(streamNames(chain).sort()).toEqual(['clean', 'raw']);
  });

  test('components without streams are all sources', () => {
    const plain = [{ name: 'a' }, { name: 'b' }];
    expect(topologicalOrder(plain)).toEqual(['a', 'b']);
    expect(streamGraphProblems(plain)).toEqual([]);
  });

  test('an input that no component outputs names the field', () => {
    expect(
      streamGraphProblems([
        { name: 'source', output: 'raw' },
        { name: 'sink', input: 'raw' },
        { name: 'typo', input: 'rwa' },
      ]),
    ).toEqual([{ path: [2, 'input'], message: 'no component outputs stream rwa' }]);
  });

  test('an output that no component reads names the field', () => {
    expect(
      streamGraphProblems([
        { name: 'source', output: 'raw' },
        { name: 'transform', input: 'raw', output: 'nowhere' },
      ]),
    ).toEqual([{ path: [1, 'output'], message: 'no component reads stream nowhere' }]);
  });

  test('a cycle is refused', () => {
    const cycle = [
      { name: 'source', output: 'raw' },
      { name: 'a', input: 'raw', output: 'b' },
      { name: 'b', input: 'b', output: 'raw' },
    ];
    expect(topologicalOrder(cycle)).toBeUndefined();
    expect(streamGraphProblems(cycle)).toEqual([{ path: [], message: 'the streams between components form a cycle' }]);
  });

  test('a pipeline with no source is refused', () => {
    const loop = [
      { name: 'a', input: 'x', output: 'y' },
      { name: 'b', input: 'y', output: 'x' },
    ];
    expect(streamGraphProblems(loop)).toEqual([{ path: [], message: 'the pipeline has no source: every component has an input' }]);
  });

  test('for any acyclic graph, every component comes after the components feeding it', () => {
    const acyclic = fc.integer({ min: 1, max: 12 }).chain((size) =>
      fc.array(fc.option(fc.nat({ max: size - 1 }), { nil: undefined }), { minLength: size, maxLength: size }).map((feeders) =>
        feeders.map((feeder, index) => ({
          name: `c${index}`,
          output: `s${index}`,
          input: feeder !== undefined && feeder < index ? `s${feeder}` : undefined,
        })),
      ),
    );
    fc.assert(
      fc.property(acyclic, (components) => {
        const order = topologicalOrder([...components].reverse());
        expect(order).toBeDefined();
        const position = new Map(order!.map((name, index) => [name, index]));
        for (const component of components) {
          if (component.input) expect(position.get(`c${component.input.slice(1)}`)!).toBeLessThan(position.get(component.name)!);
        }
      }),
    );
  });
});
