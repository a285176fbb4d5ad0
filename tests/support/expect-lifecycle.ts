/** The API of a running Weir, as the in-process system and the docker-compose stack both reach it. */
export interface PipelineApi {
  request(method: string, path: string): Promise<{ status: number; body: any; headers: Headers }>;
  healthReaches(pipelineId: string, status: string): Promise<unknown>;
}

/** What a test checks on the orchestrator once each command of the lifecycle has settled. */
export interface LifecycleChecks {
  stopped(): Promise<void>;
  resumed(): Promise<void>;
  terminated(): Promise<void>;
}

/**
 * Takes a Running pipeline through stop, resume, terminate and delete over the API. Each command is accepted and
 * changes the status at once, then settles, and `checks` look at the orchestrator; the history holds every transition,
 * and after the delete the pipeline and its health are gone. What the orchestrator has left is the caller's to check.
 */
export async function expectLifecycle(weir: PipelineApi, id: string, checks: LifecycleChecks): Promise<void> {
  await expectCommand(weir, id, 'stop', ['Stopping', 'Stopped']);
  await checks.stopped();
  await expectCommand(weir, id, 'resume', ['Resuming', 'Running']);
  await checks.resumed();
  await expectCommand(weir, id, 'terminate', ['Terminating', 'Stopped']);
  await checks.terminated();

  const history = await weir.request('GET', `/api/v1/pipeline/${id}/history`);
  expect(history.body.transitions.map((transition: { to: string }) => transition.to)).toEqual([
    'Running',
    'Stopping',
    'Stopped',
    'Resuming',
    'Running',
    'Terminating',
    'Stopped',
  ]);

  expect((await weir.request('DELETE', `/api/v1/pipeline/${id}`)).status).toBe(204);
  expect((await weir.request('GET', `/api/v1/pipeline/${id}`)).status).toBe(404);
  expect((await weir.request('GET', `/api/v1/pipeline/${id}/health`)).status).toBe(404);
}

/** Sends `command`, expects it accepted with the status already `transient` (or `settled`), and waits for `settled`. */
async function expectCommand(weir: PipelineApi, id: string, command: string, [transient, settled]: [string, string]): Promise<void> {
  const answer = await weir.request('POST', `/api/v1/pipeline/${id}/${command}`);
  expect([command, answer.status, answer.headers.get('weir-command-outcome')]).toEqual([command, 204, 'accepted']);
  expect([transient, settled]).toContain((await weir.request('GET', `/api/v1/pipeline/${id}/health`)).body.overall_status);
  await weir.healthReaches(id, settled);
}
