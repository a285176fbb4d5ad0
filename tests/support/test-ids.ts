const run = Date.now().toString(36);
let counter = 0;

/** A fresh pipeline id for each call, unique across test files and runs: `<prefix>-<run>-<n>`. */
export function newPipelineId(prefix: string): string {
  counter += 1;
  return `${prefix}-${run}-${counter}`;
}
