/**
 * Records workflow histories for the replay test: `npm run record-histories -- <version>` writes them to
 * tests/histories/<version>/. Record a new version after each workflow change that adds commands (behind
 * a patch); keep the older versions, for they are the pipelines still running on older code.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ensureTemporalCli } from '../../scripts/tools';
import { workflowIdFor } from '../../pipeline/names';
import { COMMAND_SIGNALS } from '../../workflows/messages';
import { eventually } from '../../harness/eventually';
import { Gate } from './fake-orchestrator';
import {
  CONTINUE_AS_NEW_AFTER_EVENTS,
  SUGGEST_CONTINUE_AS_NEW_EARLY,
  specFor,
  startWorkflowHarness,
  statusOf,
  stopWorkflowHarness,
  temporalCli,
  type WorkflowHarness,
} from './workflow-harness';

/** Drives one pipeline; resolves with the run whose history to record when that is not the latest. */
type Scenario = (harness: WorkflowHarness, id: string) => Promise<string | void>;

const scenarios: Record<string, Scenario> = {
  async lifecycle({ gateway }, id) {
    await gateway.create(specFor(id), `create-${id}`);
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
    await gateway.create(specFor(id), `create-${id}`);
    await statusOf(gateway, id, 'Failed');
    await gateway.command(id, 'terminate', 'terminate-1');
    await statusOf(gateway, id, 'Stopped');
  },
  async 'terminate-during-stop'({ gateway, orchestrator }, id) {
    const gate = new Gate();
    orchestrator.configure(id, { blocked: { stopGracefully: gate } });
    await gateway.create(specFor(id), `create-${id}`);
    await statusOf(gateway, id, 'Running');
    await gateway.command(id, 'stop', 'stop-1');
    await gateway.command(id, 'terminate', 'terminate-1');
    await statusOf(gateway, id, 'Stopped');
    gate.open();
  },
  async signals({ gateway, env }, id) {
    await gateway.create(specFor(id), `create-${id}`);
    await statusOf(gateway, id, 'Running');
    const handle = env.client.workflow.getHandle(workflowIdFor(id));
    await handle.signal(COMMAND_SIGNALS.delete);
    await handle.signal(COMMAND_SIGNALS.resume, { request_id: 'noop' });
    await handle.signal(COMMAND_SIGNALS.stop);
    await statusOf(gateway, id, 'Stopped');
  },
  async edit({ gateway }, id) {
    const spec = specFor(id);
    await gateway.create(spec, `create-${id}`);
    await statusOf(gateway, id, 'Running');
    await gateway.command(id, 'stop', 'stop-1');
    await statusOf(gateway, id, 'Stopped');
    await gateway.edit(
      id,
      { spec: { ...spec, components: [...spec.components, { name: 'added', image: 'busybox:latest', replicas: 2 }] } },
      'edit-1',
    );
    await gateway.edit(id, { rollback_to: 1 }, 'rollback-1');
    await gateway.command(id, 'resume', 'resume-1');
    await statusOf(gateway, id, 'Running');
  },
  async 'rolling-edit'({ gateway }, id) {
    const spec = specFor(id);
    await gateway.create(spec, `create-${id}`);
    await statusOf(gateway, id, 'Running');
    const edited = { ...spec, components: [{ ...spec.components[0], env: { MODE: 'two' } }] };
    await gateway.edit(id, { spec: edited, rolling: true }, 'rolling-1');
    await eventually(
      () => gateway.get(id),
      (record) => record.overall_status === 'Running' && record.spec_revision === 2,
    );
  },
  async 'terminate-during-rolling-edit'({ gateway, orchestrator }, id) {
    const gate = new Gate();
    orchestrator.configure(id, { blocked: { stopGracefully: gate } });
    const spec = specFor(id);
    await gateway.create(spec, `create-${id}`);
    await statusOf(gateway, id, 'Running');
    await gateway.edit(id, { spec: { ...spec, name: 'edited' }, rolling: true }, 'rolling-1');
    await gateway.command(id, 'terminate', 'terminate-1');
    await statusOf(gateway, id, 'Stopped');
    gate.open();
  },
  async scale({ gateway, orchestrator }, id) {
    await gateway.create(specFor(id), `create-${id}`);
    await statusOf(gateway, id, 'Running');
    await gateway.scale(id, { component: 'ingestor', replicas: 3 }, 'scale-up');
    await gateway.scale(id, { component: 'ingestor', replicas: 3 }, 'scale-up');
    // The scale, then the readiness of the new count, then a new watch.
    while (orchestrator.callsFor(id).filter((call) => call === 'watch').length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    await gateway.command(id, 'stop', 'stop-1');
    await statusOf(gateway, id, 'Stopped');
    await gateway.scale(id, { component: 'ingestor', replicas: 1 }, 'scale-stopped');
    await gateway.command(id, 'resume', 'resume-1');
    await statusOf(gateway, id, 'Running');
  },
  async 'settled-commands'({ gateway, orchestrator }, id) {
    const gate = new Gate();
    orchestrator.configure(id, { blocked: { stopGracefully: gate } });
    await gateway.create(specFor(id), `create-${id}`);
    await statusOf(gateway, id, 'Running');
    // A stop waited on is ended by terminate; then a resume waited on settles by itself.
    const stopping = gateway.commandUntilSettled(id, 'stop', 'stop-1', 30_000, () => undefined);
    await statusOf(gateway, id, 'Stopping');
    await gateway.command(id, 'terminate', 'terminate-1');
    await stopping;
    gate.open();
    await gateway.commandUntilSettled(id, 'resume', 'resume-1', 30_000, () => undefined);
  },
  async 'continue-as-new'({ gateway, env }, id) {
    await gateway.create(specFor(id), `create-${id}`);
    await statusOf(gateway, id, 'Running');
    const handle = env.client.workflow.getHandle(workflowIdFor(id));
    const firstRun = (await handle.describe()).runId;
    for (let i = 0; i < CONTINUE_AS_NEW_AFTER_EVENTS; i += 1) await handle.signal(COMMAND_SIGNALS.resume, { request_id: `noop-${i}` });
    while ((await handle.describe()).runId === firstRun) await new Promise((resolve) => setTimeout(resolve, 100));
    return firstRun;
  },
};

const SERVER_ARGS: Record<string, string[]> = {
  'continue-as-new': SUGGEST_CONTINUE_AS_NEW_EARLY,
};

async function main(): Promise<void> {
  const version = process.argv[2];
  if (!version || !/^v\d+$/.test(version)) throw new Error('usage: npm run record-histories -- v<N>');
  const outputDir = path.join(__dirname, '..', 'histories', version);
  await mkdir(outputDir, { recursive: true });
  process.env.WEIR_TEMPORAL_CLI ??= await ensureTemporalCli();
  await recordAll(outputDir);
}

async function recordAll(outputDir: string): Promise<void> {
  for (const [name, scenario] of Object.entries(scenarios)) {
    const harness = await startWorkflowHarness(SERVER_ARGS[name] ?? []);
    try {
      const id = `replay-${name}`;
      const recordedRun =
        (await scenario(harness, id)) ?? (await harness.env.client.workflow.getHandle(workflowIdFor(id)).describe()).runId;
      // The CLI writes the canonical JSON form of a history, the one replay reads.
      const history = execFileSync(temporalCli(), [
        'workflow',
        'show',
        '--address',
        harness.env.address,
        '--workflow-id',
        workflowIdFor(id),
        '--run-id',
        recordedRun,
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

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
