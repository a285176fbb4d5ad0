import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureSchemathesis } from '../../scripts/tools';
import { COMPONENT_LOGS_ROUTE, EVENTS_ROUTE } from '../../api/paths';
import { MAX_WAIT_SECONDS } from '../../api/schemas';
import { WORKFLOW_TYPE, pipelineIdOf } from '../../pipeline/names';
import { eventually } from '../../harness/eventually';
import { WeirSystem } from '../../harness/weir-system';

const TOKEN = 'openapi-conformance-token';
const AUTHORIZATION = { authorization: `Bearer ${TOKEN}` };
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
  'response_headers_conformance',
  'unsupported_method',
];
const PHASES = ['examples', 'coverage', 'fuzzing', 'stateful'];
const MIN_TEST_CASES = 1000;
const RUN_TIMEOUT_MS = 8 * 60_000;
const CLEANUP_TIMEOUT_MS = 5 * 60_000;

let weir: WeirSystem;
let workDir: string;
const startedAt = new Date();

beforeAll(async () => {
  weir = await WeirSystem.start({
    env: {
      WEIR_API_TOKEN: TOKEN,
      // A generated image that is not on the engine fails its pipeline at once, without network traffic.
      WEIR_DOCKER_PULL: 'false',
      // The default deadline: a worker slowed by the load of the run must not turn a command into a 503.
      WEIR_UPDATE_TIMEOUT_MS: '10000',
    },
  });
  workDir = await mkdtemp(path.join(os.tmpdir(), 'weir-openapi-conformance-'));
});

afterAll(async () => {
  try {
    if (weir) await removePipelinesStartedSince(startedAt);
  } finally {
    await weir?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }
}, CLEANUP_TIMEOUT_MS);

interface SchemathesisReport {
  exit_code: number;
  running_time: number;
  phases: Record<string, { status: string }>;
  test_cases: { generated: number; with_failures: number; errored: number };
  failures: unknown[];
  errors: unknown[];
}

test(
  `at least ${MIN_TEST_CASES} generated requests, stateful sequences included, all answered as the OpenAPI document says`,
  async () => {
    const reportPath = path.join(workDir, 'report.json');
    const output = await runSchemathesis(await ensureSchemathesis(), [
      'run',
      `${weir.url}/api/v1/openapi.json`,
      '--header',
      `Authorization: Bearer ${TOKEN}`,
      '--checks',
      CHECKS.join(','),
      // An event stream stays open until its pipeline is deleted, and followed logs until its containers stop, so no
      // response of theirs ever completes for a check to read; api-events and api-component-logs cover them.
      '--exclude-operation-id',
      EVENTS_ROUTE.operationId,
      '--exclude-operation-id',
      COMPONENT_LOGS_ROUTE.operationId,
      '--phases',
      PHASES.join(','),
      '--max-examples',
      '200',
      // One worker: the Python this installs into (3.11.7) can fail parsing source in threads, which Hypothesis does.
      '--workers',
      '1',
      // A command with ?wait may take that long before it answers.
      '--request-timeout',
      String(MAX_WAIT_SECONDS + 5),
      '--seed',
      '20261201',
      '--generation-database',
      'none',
      '--no-color',
      '--report',
      'json',
      '--report-json-path',
      reportPath,
    ]);
    const report = await readFile(reportPath, 'utf8').then(
      (text) => JSON.parse(text) as SchemathesisReport,
      () => {
        throw new Error(`schemathesis wrote no report:\n${output}`);
      },
    );
    const { generated, with_failures, errored } = report.test_cases;
    console.log(
      `schemathesis: ${generated} test cases in ${report.running_time.toFixed(0)} s, ${with_failures} with failures, ${errored} errored; ` +
        PHASES.map((phase) => `${phase} ${report.phases[phase]?.status}`).join(', '),
    );
    if (report.exit_code !== 0 || report.failures.length > 0 || report.errors.length > 0) {
      throw new Error(`schemathesis found problems (exit code ${report.exit_code}):\n${output}`);
    }
    expect(generated).toBeGreaterThanOrEqual(MIN_TEST_CASES);
    expect(Object.fromEntries(PHASES.map((phase) => [phase, report.phases[phase]?.status]))).toEqual(
      Object.fromEntries(PHASES.map((phase) => [phase, 'success'])),
    );
  },
  RUN_TIMEOUT_MS + 60_000,
);

/** Runs schemathesis in the work folder, where it keeps its own files; resolves with its output whatever its exit code. */
function runSchemathesis(binary: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { cwd: workDir, timeout: RUN_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (error && typeof error.code !== 'number') reject(new Error(`schemathesis did not finish: ${error.message}\n${output}`));
      else resolve(output);
    });
  });
}

/** Terminates and deletes every pipeline the run created, then removes whatever Docker resources are left of them. */
async function removePipelinesStartedSince(since: Date): Promise<void> {
  const running = new Set<string>();
  const all = new Set<string>();
  const query = `WorkflowType = '${WORKFLOW_TYPE}' AND StartTime >= '${since.toISOString()}'`;
  for await (const execution of weir.client.workflow.list({ query })) {
    const pipelineId = pipelineIdOf(execution.workflowId);
    if (!pipelineId) continue;
    all.add(pipelineId);
    if (execution.status.name === 'RUNNING') running.add(pipelineId);
  }
  const removals = await Promise.allSettled([...running].map(terminateAndDelete));
  for (const pipelineId of all) await removeDockerLeftovers(pipelineId);
  const failed = removals.filter((removal) => removal.status === 'rejected');
  if (failed.length > 0)
    throw new Error(`${failed.length} pipelines did not reach Stopped: ${failed.map((removal) => removal.reason).join('; ')}`);
}

async function terminateAndDelete(pipelineId: string): Promise<void> {
  const pipeline = `/api/v1/pipeline/${pipelineId}`;
  await weir.request('POST', `${pipeline}/terminate`, undefined, AUTHORIZATION);
  await eventually(
    () => weir.request('GET', `${pipeline}/health`, undefined, AUTHORIZATION),
    (health) => health.status !== 200 || health.body.overall_status === 'Stopped',
    60_000,
    200,
  );
  await weir.request('DELETE', pipeline, undefined, AUTHORIZATION);
}

async function removeDockerLeftovers(pipelineId: string): Promise<void> {
  const filters = { label: [`weir.pipeline=${pipelineId}`] };
  for (const container of await weir.docker.listContainers({ all: true, filters })) {
    await weir.docker.getContainer(container.Id).remove({ force: true });
  }
  for (const network of await weir.docker.listNetworks({ filters })) await weir.docker.getNetwork(network.Id).remove();
  for (const volume of (await weir.docker.listVolumes({ filters })).Volumes ?? []) await weir.docker.getVolume(volume.Name).remove();
}
