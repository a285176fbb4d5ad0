/** Text for humans: tables of the API's bodies, one line per event. `-o json` prints the bodies instead. */

type Cell = string | number | null | undefined;

/** Left-aligned columns, two spaces apart, with a header row. */
export function table(headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) => row.map((cell) => (cell === null || cell === undefined || cell === '' ? '-' : String(cell))));
  const widths = headers.map((header, column) => Math.max(header.length, ...text.map((row) => row[column].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...text.map(line)].join('\n');
}

interface Summary {
  pipeline_id: string;
  pipeline_name: string;
  overall_status: string;
  created_at: string;
  updated_at: string;
}

interface Failure {
  operation: string;
  component: string | null;
  error: string;
  attempts: number | null;
}

interface ComponentHealth {
  name: string;
  desired_replicas: number;
  ready_replicas: number;
  state: string;
  message: string | null;
  unfinished_messages: number | null;
}

export interface Health extends Summary {
  failure: Failure | null;
  components: ComponentHealth[];
  observed_at: string | null;
  allowed_actions?: string[];
}

interface Pipeline extends Summary {
  failure: Failure | null;
  components: Array<{ name: string; image: string; replicas: number; input?: string; output?: string; command?: string[] }>;
}

interface Transition {
  at: string;
  from: string;
  to: string;
  command: string | null;
  source: string;
  request_id: string | null;
  reason: string;
  outcome?: string;
}

export function summariesTable(summaries: Summary[]): string {
  return table(
    ['ID', 'NAME', 'STATUS', 'CREATED', 'UPDATED'],
    summaries.map((s) => [s.pipeline_id, s.pipeline_name, s.overall_status, s.created_at, s.updated_at]),
  );
}

function failureLine(failure: Failure): string {
  const where = failure.component ? ` of ${failure.component}` : '';
  const attempts = failure.attempts === null ? '' : ` after ${failure.attempts} attempts`;
  return `${failure.operation}${where} failed${attempts}: ${failure.error}`;
}

function heading(summary: Summary, failure: Failure | null): string[] {
  return [
    `Pipeline: ${summary.pipeline_id} (${summary.pipeline_name})`,
    `Status:   ${summary.overall_status}`,
    `Created:  ${summary.created_at}`,
    `Updated:  ${summary.updated_at}`,
    ...(failure ? [`Failure:  ${failureLine(failure)}`] : []),
  ];
}

export function pipelineText(pipeline: Pipeline): string {
  const components = table(
    ['COMPONENT', 'IMAGE', 'REPLICAS', 'INPUT', 'OUTPUT', 'COMMAND'],
    pipeline.components.map((c) => [c.name, c.image, c.replicas, c.input, c.output, c.command?.join(' ')]),
  );
  return [...heading(pipeline, pipeline.failure), '', components].join('\n');
}

export function healthText(health: Health): string {
  const components = table(
    ['COMPONENT', 'STATE', 'READY', 'UNFINISHED', 'MESSAGE'],
    health.components.map((c) => [c.name, c.state, `${c.ready_replicas}/${c.desired_replicas}`, c.unfinished_messages, c.message]),
  );
  const actions = health.allowed_actions ? [`Allowed:  ${health.allowed_actions.join(', ') || 'none'}`] : [];
  const observed = health.observed_at ? [`Observed: ${health.observed_at}`] : [];
  return [...heading(health, health.failure), ...actions, ...observed, '', components].join('\n');
}

export function historyTable(transitions: Transition[]): string {
  return table(
    ['AT', 'FROM', 'TO', 'COMMAND', 'SOURCE', 'OUTCOME', 'REASON'],
    transitions.map((t) => [t.at, t.from, t.to, t.command, t.source, t.outcome, t.reason]),
  );
}

/** An event of the pipeline's event stream as one line. */
export function eventLine(event: any): string {
  switch (event?.type) {
    case 'status': {
      const allowed = event.allowed_actions ? ` (allowed: ${event.allowed_actions.join(', ') || 'none'})` : '';
      return `${event.updated_at ?? ''} status ${event.overall_status}${allowed}`.trim();
    }
    case 'transition': {
      const by = [event.command, event.source, event.request_id].filter(Boolean).join(', ');
      return `${event.at ?? ''} transition ${event.from} -> ${event.to}${by ? ` (${by})` : ''}${event.reason ? `: ${event.reason}` : ''}`.trim();
    }
    case 'health': {
      const components = (event.components ?? []).map(
        (c: ComponentHealth) => `${c.name}=${c.state} ${c.ready_replicas}/${c.desired_replicas}`,
      );
      return `${event.observed_at ?? event.updated_at ?? ''} health ${event.overall_status}${components.length ? ` ${components.join(' ')}` : ''}`.trim();
    }
    case 'drain':
      return `drain ${drainText(event.unfinished ?? {})}`;
    case 'deleted':
      return 'deleted';
    default:
      return JSON.stringify(event);
  }
}

export function drainText(unfinished: Record<string, number>): string {
  const entries = Object.entries(unfinished);
  return entries.length === 0 ? 'nothing unfinished' : entries.map(([component, count]) => `${component}=${count}`).join(' ');
}
