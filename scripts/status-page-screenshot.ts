/**
 * Takes the screenshot of the status page in docs/operating.md: makes four pipelines on a running Weir (Running,
 * Running after a stop and a resume, Stopped and Failed), opens the page in headless Chromium with one of them
 * selected, saves a PNG, and deletes the pipelines again.
 *
 *   WEIR_URL=http://127.0.0.1:8080 node --import tsx scripts/status-page-screenshot.ts [docs/images/status-page.png]
 *
 * WEIR_API_TOKEN signs the page in when the API has a token. The pipelines' ids must be free.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { commandRequest, pipelinePath } from '../cli/api-paths';
import { DEFAULT_URL, WeirClient } from '../cli/weir-client';
import { REFERENCE_COMPONENT_IMAGE } from '../component/image';
import type { Command } from '../pipeline/status-machine';
import { launchHeadlessChromium } from './headless-chromium';
import { ensureLocalImages } from './local-images';
import { repoRoot } from './repo-paths';

const VIEWPORT = { width: 1180, height: 700 };
const WAIT_SECONDS = 120;
const UI_TIMEOUT_MS = 60_000;
const SLEEP = ['sleep', '3600'];

/** The pipeline the page shows in detail: data flowing through the reference component, stopped once and resumed. */
const SHOWN = 'clicks';
const pipelines = [
  {
    pipeline_id: SHOWN,
    name: 'Clicks to files',
    components: [
      { name: 'source', image: REFERENCE_COMPONENT_IMAGE, output: 'raw', env: { SOURCE_RATE: '20' } },
      { name: 'transform', image: REFERENCE_COMPONENT_IMAGE, input: 'raw', output: 'clean', replicas: 2 },
      { name: 'sink', image: REFERENCE_COMPONENT_IMAGE, input: 'clean', env: { SINK_FILE: '/weir-data/clicks.jsonl' } },
    ],
  },
  {
    pipeline_id: 'orders-etl',
    name: 'Orders ETL',
    components: [
      { name: 'ingestor', image: 'busybox:latest', command: SLEEP, replicas: 2 },
      { name: 'loader', image: 'busybox:latest', command: SLEEP },
    ],
  },
  { pipeline_id: 'audit-log', name: 'Audit log', components: [{ name: 'archiver', image: 'busybox:latest', command: SLEEP }] },
  {
    pipeline_id: 'geo-enrich',
    name: 'Geo enrichment',
    components: [{ name: 'enricher', image: 'busybox:latest', command: ['sh', '-c', 'echo "lookup table missing"; exit 3'] }],
  },
];
/** The commands that take each pipeline to the status it shows, after it first settles. */
const commandsAfterStart: Record<string, Command[]> = { [SHOWN]: ['stop', 'resume'], 'audit-log': ['stop'] };

async function main(): Promise<void> {
  const output = path.resolve(process.argv[2] ?? path.join(repoRoot, 'docs/images/status-page.png'));
  const token = process.env.WEIR_API_TOKEN || undefined;
  const weir = new WeirClient(process.env.WEIR_URL || DEFAULT_URL, token);
  await ensureLocalImages();
  const made: string[] = [];
  try {
    for (const spec of pipelines) {
      await weir.json('POST', '/api/v1/pipeline', { body: spec, accept: [201] });
      made.push(spec.pipeline_id);
    }
    await Promise.all(pipelines.map((spec) => settle(weir, spec.pipeline_id, commandsAfterStart[spec.pipeline_id] ?? [])));
    await screenshot(weir.url, token, output);
    process.stdout.write(`status page screenshot: ${path.relative(process.cwd(), output)}\n`);
  } finally {
    for (const id of made) await remove(weir, id);
  }
}

/** Waits for the pipeline to settle after its create, then sends each command and waits for it to settle too. */
async function settle(weir: WeirClient, id: string, commands: Command[]): Promise<void> {
  await untilSettled(weir, id);
  for (const command of commands) await send(weir, id, command);
}

async function untilSettled(weir: WeirClient, id: string): Promise<void> {
  const deadline = Date.now() + WAIT_SECONDS * 1000;
  for (;;) {
    const { body } = await weir.json('GET', pipelinePath(id, '/health'));
    if (['Running', 'Stopped', 'Failed'].includes(body.overall_status)) return;
    if (Date.now() > deadline) throw new Error(`${id} did not settle within ${WAIT_SECONDS} s: ${body.overall_status}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Sends the command with ?wait, so it answers once the pipeline has settled (or is gone, for a delete). */
async function send(weir: WeirClient, id: string, command: Command): Promise<void> {
  const { method, path: commandPath } = commandRequest(id, command, new URLSearchParams({ wait: String(WAIT_SECONDS) }));
  await weir.json(method, commandPath, { accept: [200, 204] });
}

async function remove(weir: WeirClient, id: string): Promise<void> {
  const { body } = await weir.json('GET', pipelinePath(id, '/health'), { accept: [200, 404] });
  if (!body?.overall_status) return;
  if (body.overall_status !== 'Stopped') await send(weir, id, 'terminate');
  await send(weir, id, 'delete');
}

async function screenshot(url: string, token: string | undefined, output: string): Promise<void> {
  const chromium = await launchHeadlessChromium();
  try {
    const page = await chromium.browser.newPage();
    await page.setViewport(VIEWPORT);
    await page.goto(`${url}/`);
    if (token) await signIn(page, token);
    for (const spec of pipelines)
      await page.waitForSelector(`#pipeline-rows tr[data-pipeline="${spec.pipeline_id}"]`, { timeout: UI_TIMEOUT_MS });
    await page.goto(`${url}/#/pipeline/${SHOWN}`);
    await page.waitForSelector('#detail-status[data-status="Running"]', { timeout: UI_TIMEOUT_MS });
    // Created→Running, the stop's two, the resume's two; the components' states come with the watch's first heartbeat.
    const components = pipelines[0].components.length;
    await page.waitForFunction(
      `document.querySelectorAll('#transition-rows tr').length === 5 &&
        [...document.querySelectorAll('#component-rows tr')].filter((tr) => tr.textContent.includes('running')).length === ${components}`,
      { timeout: UI_TIMEOUT_MS },
    );
    await mkdir(path.dirname(output), { recursive: true });
    await page.screenshot({ path: output as `${string}.png`, fullPage: true });
  } finally {
    await chromium.close();
  }
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.waitForSelector('#token');
  await page.type('#token', token);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
});
