import { readFile } from 'node:fs/promises';
import { PIPELINE_STATUSES } from '../pipeline/status-machine';

/** The API address the documentation's examples use, which a test replaces with its own. */
export const DOCUMENTED_API = 'http://127.0.0.1:8080';

/** One shell command of a documented example, with what its comment says it answers. */
export interface DocExample {
  /** The command as documented, continuation lines included. */
  command: string;
  /** `watch -n1 <command>`: run again until `settlesAt` shows. */
  watched: boolean;
  /** The HTTP status the comment names (`# 204, ...`), if it names one. */
  httpStatus?: number;
  /** The last pipeline status the comment names (`# 204, Stopping, then Stopped` → Stopped). */
  settlesAt?: string;
}

/**
 * The commands of the ```sh blocks of `file` that call the documented API, in order: what a reader types. A command
 * runs on until its quotes close, so a JSON body spread over lines is one command.
 */
export async function docExamples(file: string): Promise<DocExample[]> {
  return parseDocExamples(await readFile(file, 'utf8'));
}

export function parseDocExamples(text: string): DocExample[] {
  const blocks = [...text.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((match) => match[1]).filter((block) => block.includes(DOCUMENTED_API));
  const examples: DocExample[] = [];
  for (const block of blocks) {
    let pending = '';
    for (const line of block.split('\n')) {
      pending = pending ? `${pending}\n${line}` : line;
      if (quotesOpen(pending)) continue;
      if (pending.trim()) examples.push(exampleOf(pending));
      pending = '';
    }
  }
  return examples;
}

function exampleOf(source: string): DocExample {
  const hash = commentStart(source);
  const command = (hash < 0 ? source : source.slice(0, hash)).trim();
  const comment = hash < 0 ? '' : source.slice(hash + 1);
  const watch = /^watch\s+-n\s*\d+\s+/.exec(command);
  const statuses = comment.match(new RegExp(`\\b(${PIPELINE_STATUSES.join('|')})\\b`, 'g')) ?? [];
  const httpStatus = /^\s*(\d{3})\b/.exec(comment)?.[1];
  return {
    command: watch ? command.slice(watch[0].length) : command,
    watched: Boolean(watch),
    httpStatus: httpStatus === undefined ? undefined : Number(httpStatus),
    settlesAt: statuses.at(-1),
  };
}

/** Whether a single-quoted string is still open at the end of `source`, as the shell reads it. */
function quotesOpen(source: string): boolean {
  return (source.match(/'/g) ?? []).length % 2 === 1;
}

/** Where a trailing `# comment` starts outside quotes, or -1. */
function commentStart(source: string): number {
  let quoted = false;
  for (let index = 0; index < source.length; index++) {
    if (source[index] === "'") quoted = !quoted;
    else if (source[index] === '#' && !quoted && /\s/.test(source[index - 1] ?? ' ')) return index;
  }
  return -1;
}
