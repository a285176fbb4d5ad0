/**
 * Records workflow histories for the replay test: `npm run record-histories -- <version>` writes them to
 * tests/histories/<version>/. Record a new version after each workflow change that adds commands (behind
 * a patch); keep the older versions, for they are the pipelines still running on older code.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '../../scripts/ports';
import { startNatsServer } from '../../scripts/services';
import { ensureNatsServer, ensureTemporalCli } from '../../scripts/tools';
import { workflowIdFor } from '../../workflows/names';
import { deleteSignal, resumeSignal, stopSignal } from '../../workflows/messages';
import { Gate } from './fake-orchestrator';
import { specFor, startWorkflowHarness, statusOf, stopWorkflowHarness, temporalCli, type WorkflowHarness } from './workflow-harness';

type Scenario = (harness: WorkflowHarness, id: string) => Promise<void>;

const scenarios: Record<string, Scenario> = {
  async lifecycle({ gateway }, id) {
    await gateway.create(specFor(id));
    await statusOf(gateway, id, 'Running');
    await gateway.command(id, 'stop', 'stop-1');
    await statusOf(gateway, id, 'Stopped');
    await gateway.command(id, 'resume', 'resume-1');
    await statusOf(gateway, id, 'Running');
    await gateway.command(id, 'terminate', 'terminate-1');
    await statusOf(gateway, id, 'Stopped');
    await gateway.command(id, 'delete', 'delete-1');
  },
  async 'failure-then-terminate'({ gateway, orchestrator }, id) {
    orchestrator.configure(id, { failing: { deploy: () => new Error('engine said no') } });
    await gateway.create(specFor(id));
    await statusOf(gateway, id, 'Failed');
    await gateway.command(id, 'terminate', 'terminate-1');
    await statusOf(gateway, id, 'Stopped');
  },
  async 'terminate-during-stop'({ gateway, orchestrator }, id) {
    const gate = new Gate();
    orchestrator.configure(id, { blocked: { stopGracefully: gate } });
    await gateway.create(specFor(id));
    await statusOf(gateway, id, 'Running');
    await gateway.command(id, 'stop', 'stop-1');
    await gateway.command(id, 'terminate', 'terminate-1');
    await statusOf(gateway, id, 'Stopped');
    gate.open();
  },
  async signals({ gateway, env }, id) {
    await gateway.create(specFor(id));
    await statusOf(gateway, id, 'Running');
    const handle = env.client.workflow.getHandle(workflowIdFor(id));
    await handle.signal(deleteSignal);
    await handle.signal(resumeSignal, { request_id: 'noop' });
    await handle.signal(stopSignal);
    await statusOf(gateway, id, 'Stopped');
  },
  async 'continue-as-new'({ gateway, env }, id) {
    await gateway.create(specFor(id));
    await statusOf(gateway, id, 'Running');
    const handle = env.client.workflow.getHandle(workflowIdFor(id));
    const firstRun = (await handle.describe()).runId;
    for (let i = 0; i < 60; i += 1) await handle.signal(resumeSignal, { request_id: `noop-${i}` });
    while ((await handle.describe()).runId === firstRun) await new Promise((resolve) => setTimeout(resolve, 100));
  },
};

/** Continue-as-new is suggested after 60 events in its scenario, instead of thousands. */
const SERVER_ARGS: Record<string, string[]> = {
  'continue-as-new': ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=60'],
};

async function main(): Promise<void> {
  const version = process.argv[2];
  if (!version || !/^v\d+$/.test(version)) throw new Error('usage: npm run record-histories -- v<N>');
  const outputDir = path.join(__dirname, '..', 'histories', version);
  await mkdir(outputDir, { recursive: true });
  process.env.WEIR_TEMPORAL_CLI ??= await ensureTemporalCli();
  const storeDir = await mkdtemp(path.join(os.tmpdir(), 'weir-record-'));
  const nats = await startNatsServer({
    bin: await ensureNatsServer(),
    port: await findFreePort(),
    storeDir,
    logFile: path.join(storeDir, 'nats.log'),
  });
  process.env.NATS_URL = nats.address;
  try {
    await recordAll(outputDir);
  } finally {
    await nats.stop();
    await rm(storeDir, { recursive: true, force: true });
  }
}

async function recordAll(outputDir: string): Promise<void> {
  for (const [name, scenario] of Object.entries(scenarios)) {
    const harness = await startWorkflowHarness(SERVER_ARGS[name] ?? []);
    try {
      const id = `replay-${name}`;
      await scenario(harness, id);
      const handle = harness.env.client.workflow.getHandle(workflowIdFor(id));
      const { runId } = await handle.describe();
      const firstRun = name === 'continue-as-new' ? await firstRunOf(harness, id, runId) : runId;
      // The CLI writes the canonical JSON form of a history, the one replay reads.
      const history = execFileSync(temporalCli(), [
        'workflow',
        'show',
        '--address',
        harness.env.address,
        '--workflow-id',
        workflowIdFor(id),
        '--run-id',
        firstRun,
        '--output',
        'json',
      ]).toString();
      const file = path.join(outputDir, `${name}.json`);
      await writeFile(file, history);
      console.log(`recorded ${path.relative(process.cwd(), file)} (${JSON.parse(history).events.length} events)`);
    } finally {
      await stopWorkflowHarness(harness);
    }
  }
}

/** The run that ended by continuing as new: the oldest run of the workflow. */
async function firstRunOf(harness: WorkflowHarness, id: string, latestRun: string): Promise<string> {
  const runs: string[] = [];
  for await (const execution of harness.env.client.workflow.list({ query: `WorkflowId = '${workflowIdFor(id)}'` })) runs.push(execution.runId);
  return runs.find((run) => run !== latestRun) ?? latestRun;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
