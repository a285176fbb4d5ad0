/** A stream of a pipeline and how many messages it holds that no consumer has finished. */
export interface StreamHolding {
  stream: string;
  messages: number;
}

/** Why streams cannot be removed: `stream raw still holds 12 unconsumed messages; …`, naming every one. */
export function heldStreamsMessage(holdings: StreamHolding[]): string {
  const held = holdings.map(
    ({ stream, messages }) => `stream ${stream} still holds ${messages} unconsumed message${messages === 1 ? '' : 's'}`,
  );
  const one = holdings.length === 1;
  return `${held.join('; ')}; the new spec no longer uses ${one ? 'it' : 'them'}, and a stream is removed only once empty`;
}
