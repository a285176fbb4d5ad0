import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { CliError, EXIT } from './cli-error';

/** A pipeline spec from a YAML or JSON file (JSON is YAML), or from standard input for `-`. */
export async function readSpecFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, EXIT.usage);
  }
  try {
    // Only the JSON-compatible core schema: no custom tags, and duplicate keys are an error.
    return parse(text, { schema: 'core', uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    throw new CliError(`${file} is not valid YAML or JSON: ${(error as Error).message}`, EXIT.usage);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
