/**
 * Each event of a text/event-stream body: its data, parsed as JSON, with the event's name as `type`. Follows the
 * Server-Sent Events framing: `data:` lines accumulate until a blank line ends the event; `event:` names it;
 * comments (`:`) and other fields are skipped.
 */
export async function* serverSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<Record<string, unknown> & { type: string }> {
  const decoder = new TextDecoder();
  let buffered = '';
  let data: string[] = [];
  let type = 'message';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split(/\r\n|\r|\n/);
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (data.length > 0) yield { ...(JSON.parse(data.join('\n')) as Record<string, unknown>), type };
        data = [];
        type = 'message';
      } else if (line.startsWith('event:')) {
        type = line.slice(line.startsWith('event: ') ? 7 : 6);
      } else if (line.startsWith('data:')) {
        data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
      }
    }
  }
}
