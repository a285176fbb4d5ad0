import type Dockerode from 'dockerode';

/** Size of the header before each frame of a multiplexed (non-TTY) log stream: stream type, 3 zero bytes, 4-byte big-endian length. */
const FRAME_HEADER_BYTES = 8;

/** The last lines a container wrote to stdout and stderr, interleaved as written. */
export async function lastLogLines(container: Dockerode.Container, count: number): Promise<string> {
  const output = await container.logs({ stdout: true, stderr: true, follow: false, tail: count });
  return demultiplexLogs(output).trimEnd().split('\n').slice(-count).join('\n');
}

/** Joins the payloads of a multiplexed log stream, dropping the frame headers. */
export function demultiplexLogs(output: Buffer): string {
  const payloads: Buffer[] = [];
  let offset = 0;
  while (offset + FRAME_HEADER_BYTES <= output.length) {
    const end = offset + FRAME_HEADER_BYTES + output.readUInt32BE(offset + 4);
    payloads.push(output.subarray(offset + FRAME_HEADER_BYTES, end));
    offset = end;
  }
  return Buffer.concat(payloads).toString('utf8');
}
