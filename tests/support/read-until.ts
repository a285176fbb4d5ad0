/** Reads a streamed response until `enough` accepts the text so far, then leaves; returns that text. */
export async function readUntil(response: Response, enough: (text: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + timeoutMs;
  while (!enough(text)) {
    if (Date.now() > deadline) throw new Error(`the stream did not show what was expected in ${timeoutMs} ms:\n${text}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before showing what was expected:\n${text}`);
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}
