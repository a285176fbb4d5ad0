import type { ComponentSpec } from './pipeline-spec';

/** A problem in how components connect through streams, with the field it is about. */
export interface GraphProblem {
  path: Array<string | number>;
  message: string;
}

type Connected = Pick<ComponentSpec, 'name' | 'input' | 'output'>;

/** Components reading each component's output, by component name. */
function downstreamOf(components: Connected[]): Map<string, string[]> {
  return new Map(
    components.map((producer) => [
      producer.name,
      producer.output ? components.filter((consumer) => consumer.input === producer.output).map((consumer) => consumer.name) : [],
    ]),
  );
}

/**
 * Components in an order where every component comes after all that feed it: sources first.
 * Returns undefined when the streams form a cycle.
 */
export function topologicalOrder(components: Connected[]): string[] | undefined {
  const downstream = downstreamOf(components);
  const feeding = new Map(components.map((component) => [component.name, 0]));
  for (const consumers of downstream.values()) for (const consumer of consumers) feeding.set(consumer, (feeding.get(consumer) ?? 0) + 1);
  const ready = components.filter((component) => feeding.get(component.name) === 0).map((component) => component.name);
  const order: string[] = [];
  while (ready.length > 0) {
    const name = ready.shift() as string;
    order.push(name);
    for (const consumer of downstream.get(name) ?? []) {
      const left = (feeding.get(consumer) ?? 0) - 1;
      feeding.set(consumer, left);
      if (left === 0) ready.push(consumer);
    }
  }
  return order.length === components.length ? order : undefined;
}

/** Everything wrong with how the components connect: inputs nobody writes, outputs nobody reads, cycles, no source. */
export function streamGraphProblems(components: Connected[]): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const outputs = new Set(components.flatMap((component) => (component.output ? [component.output] : [])));
  const inputs = new Set(components.flatMap((component) => (component.input ? [component.input] : [])));
  components.forEach((component, index) => {
    if (component.input && !outputs.has(component.input)) {
      problems.push({ path: [index, 'input'], message: `no component outputs stream ${component.input}` });
    }
    // A stream keeps a message only while a consumer has yet to acknowledge it, so an unread output would drop everything.
    if (component.output && !inputs.has(component.output)) {
      problems.push({ path: [index, 'output'], message: `no component reads stream ${component.output}` });
    }
  });
  if (!components.some((component) => !component.input)) {
    problems.push({ path: [], message: 'the pipeline has no source: every component has an input' });
  } else if (!topologicalOrder(components)) {
    problems.push({ path: [], message: 'the streams between components form a cycle' });
  }
  return problems;
}

/** Stream names the pipeline uses, each once. */
export function streamNames(components: Connected[]): string[] {
  return [...new Set(components.flatMap((component) => [component.input, component.output].filter((name): name is string => !!name)))];
}
