import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMANDS, PIPELINE_STATUSES, decide, type Command, type PipelineStatus } from '../../pipeline/status-machine';

/** The command table as the documentation writes it, between its markers. */
function documentedTable(): { statuses: string[]; rows: Map<string, string[]> } {
  const text = readFileSync(path.join(__dirname, '..', '..', 'docs', 'concepts.md'), 'utf8');
  const table = /<!-- command-table:start -->\n([\s\S]*?)\n<!-- command-table:end -->/.exec(text);
  if (!table) throw new Error('docs/concepts.md has no command table between its markers');
  const [header, , ...body] = table[1].split('\n').map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );
  return { statuses: header.slice(1), rows: new Map(body.map(([command, ...cells]) => [command, cells])) };
}

/** How the documentation writes what the status machine decides. */
function cellFor(command: Command, status: PipelineStatus): string {
  const decision = decide(command, status);
  switch (decision.outcome) {
    case 'transition':
      return command === 'delete' ? `**→ ${decision.to}; 204 once gone**` : `**204 → ${decision.to}**`;
    case 'join':
      return 'joins the removal in flight';
    case 'noop':
      return '204 no-op';
    case 'refuse':
      return '409';
  }
}

test('the documented command table is the status machine, cell by cell', () => {
  const { statuses, rows } = documentedTable();
  expect(statuses).toEqual([...PIPELINE_STATUSES]);
  expect([...rows.keys()]).toEqual([...COMMANDS]);
  for (const command of COMMANDS) {
    expect([command, rows.get(command)]).toEqual([command, PIPELINE_STATUSES.map((status) => cellFor(command, status))]);
  }
});
