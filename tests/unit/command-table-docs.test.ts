import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMANDS, PIPELINE_STATUSES, SPEC_COMMANDS, decide, type Action, type PipelineStatus } from '../../pipeline/status-machine';

/** A command table as the documentation writes it, between its markers. */
function documentedTable(marker: string): { statuses: string[]; rows: Map<string, string[]> } {
  const text = readFileSync(path.join(__dirname, '..', '..', 'docs', 'concepts.md'), 'utf8');
  const table = new RegExp(`<!-- ${marker}:start -->\\n([\\s\\S]*?)\\n<!-- ${marker}:end -->`).exec(text);
  if (!table) throw new Error(`docs/concepts.md has no ${marker} between its markers`);
  const [header, , ...body] = table[1].split('\n').map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );
  return { statuses: header.slice(1), rows: new Map(body.map(([command, ...cells]) => [command, cells])) };
}

/** How the documentation writes what the status machine decides. */
function cellFor(action: Action, status: PipelineStatus): string {
  const decision = decide(action, status);
  switch (decision.outcome) {
    case 'transition':
      if (action === 'rolling_edit') return `**202 → ${decision.to}, then Stopped, Resuming, Running**`;
      return action === 'delete' ? `**→ ${decision.to}; 204 once gone**` : `**204 → ${decision.to}**`;
    case 'join':
      return 'joins the removal in flight';
    case 'apply':
      return '**200, applied at the next resume**';
    case 'live':
      return '**200, applied at once, still Running**';
    case 'noop':
      return '204 no-op';
    case 'refuse':
      return '409';
  }
}

test.each([
  ['command-table', COMMANDS],
  ['spec-command-table', SPEC_COMMANDS],
] as const)('the documented %s is the status machine, cell by cell', (marker, actions) => {
  const { statuses, rows } = documentedTable(marker);
  expect(statuses).toEqual([...PIPELINE_STATUSES]);
  expect([...rows.keys()]).toEqual([...actions]);
  for (const action of actions) {
    expect([action, rows.get(action)]).toEqual([action, PIPELINE_STATUSES.map((status) => cellFor(action, status))]);
  }
});
