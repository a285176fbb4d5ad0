import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { launchHeadlessChromium, type HeadlessBrowser } from '../../scripts/headless-chromium';
import { pipelineIdRemovedAtClose, useWeirSystem } from '../support/use-weir-system';

const TOKEN = 'status-page-token-0123456789';
/** Under coverage/, which git ignores: the screenshot stays after the run for people to look at. */
const ARTEFACTS = path.resolve(__dirname, '../coverage/status-page');
const TEMPORAL_UI = 'http://127.0.0.1:8233';

let chromium: HeadlessBrowser | undefined;
// Before the system's own afterAll, so the browser closes first: an open page keeps requesting, and the API would
// wait for it to stop before closing.
afterAll(async () => {
  await chromium?.close();
});
const weir = useWeirSystem({ env: { WEIR_API_TOKEN: TOKEN, WEIR_TEMPORAL_UI_URL: TEMPORAL_UI } });
const newId = () => pipelineIdRemovedAtClose(weir, 'page');

const sleepers = (pipelineId: string) => ({
  pipeline_id: pipelineId,
  name: `Page ${pipelineId}`,
  components: [
    { name: 'ingestor', image: 'busybox:latest', command: ['sleep', '3600'], replicas: 2 },
    { name: 'sink', image: 'busybox:latest', command: ['sleep', '3600'] },
  ],
});

async function removePipeline(id: string): Promise<void> {
  await weir.request('POST', `/api/v1/pipeline/${id}/terminate`);
  await weir.healthReaches(id, 'Stopped');
  expect((await weir.request('DELETE', `/api/v1/pipeline/${id}`)).status).toBe(204);
}

/** A raw request, without the harness's JSON handling, so redirects and headers show as they are. */
function raw(method: string, urlPath: string, headers: Record<string, string> = {}, body?: string) {
  return fetch(`${weir.url}${urlPath}`, { method, headers, body, redirect: 'manual' });
}

async function signedInCookie(): Promise<string> {
  const response = await raw('POST', '/session', { 'content-type': 'application/json' }, JSON.stringify({ token: TOKEN }));
  expect(response.status).toBe(204);
  return response.headers.get('set-cookie')!.split(';')[0];
}

test('the page is behind the token: sign in trades the token for an HttpOnly, SameSite=Strict session cookie', async () => {
  const home = await raw('GET', '/');
  expect(home.status).toBe(302);
  expect(home.headers.get('location')).toBe('/login');
  expect((await raw('GET', '/status-page/status.js')).status).toBe(401);

  const login = await raw('GET', '/login');
  expect(login.status).toBe(200);
  expect(login.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(login.headers.get('content-security-policy')).toBe(
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  );
  expect(login.headers.get('x-content-type-options')).toBe('nosniff');
  expect((await raw('GET', '/status-page/login.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect((await raw('GET', '/status-page/status.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');

  const wrong = await raw('POST', '/session', { 'content-type': 'application/json' }, JSON.stringify({ token: 'not-the-token-at-all' }));
  expect(wrong.status).toBe(401);
  expect(wrong.headers.get('set-cookie')).toBeNull();
  // Another site's page cannot sign a browser in.
  const crossSite = await raw(
    'POST',
    '/session',
    { 'content-type': 'application/json', origin: 'https://evil.example' },
    JSON.stringify({ token: TOKEN }),
  );
  expect(crossSite.status).toBe(403);

  const signIn = await raw('POST', '/session', { 'content-type': 'application/json' }, JSON.stringify({ token: TOKEN }));
  expect(signIn.status).toBe(204);
  const setCookie = signIn.headers.get('set-cookie')!;
  expect(setCookie).toMatch(/^weir_session=\d+\.[A-Za-z0-9_-]{43}; path=\/; expires=[^;]+; samesite=strict; httponly$/);
  // Twelve hours, give or take the test's own time.
  const expires = Date.parse(/expires=([^;]+)/.exec(setCookie)![1]);
  expect(Math.abs(expires - Date.now() - 12 * 3600_000)).toBeLessThan(60_000);
  const cookie = await signedInCookie();
  const page = await raw('GET', '/', { cookie });
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  const html = await page.text();
  expect(html).toContain(`data-temporal-workflows="${TEMPORAL_UI}/namespaces/default/workflows/"`);
  expect(html).toContain('data-statuses="Created,Running,Stopping,Stopped,Terminating,Failed,Resuming,Deleting"');
  expect((await raw('GET', '/status-page/status.js', { cookie })).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect((await raw('GET', '/status-page/absent.js', { cookie })).status).toBe(404);
  expect((await raw('GET', '/api/v1/pipeline', { cookie })).status).toBe(200);

  // A cookie goes with any request the browser makes, so a state change on the cookie alone needs the page's own origin.
  const id = newId();
  expect((await weir.request('POST', '/api/v1/pipeline', sleepers(id))).status).toBe(201);
  expect((await raw('POST', `/api/v1/pipeline/${id}/terminate`, { cookie })).status).toBe(403);
  expect((await raw('POST', `/api/v1/pipeline/${id}/terminate`, { cookie, origin: 'https://evil.example' })).status).toBe(403);
  expect((await raw('POST', `/api/v1/pipeline/${id}/terminate`, { cookie, origin: weir.url })).status).toBe(204);
  expect(
    (await raw('POST', `/api/v1/pipeline/${id}/terminate`, { cookie: 'weir_session=1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }))
      .status,
  ).toBe(401);

  const signOut = await raw('DELETE', '/session', { cookie, origin: weir.url });
  expect(signOut.status).toBe(204);
  expect(signOut.headers.get('set-cookie')).toMatch(
    /^weir_session=; path=\/; expires=Thu, 01 Jan 1970 00:00:00 GMT; samesite=strict; httponly$/,
  );
  await removePipeline(id);
});

async function textOf(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (node) => node.textContent ?? '');
}

test('in a browser: sign in, see a pipeline appear, stop it with confirmation, see it reach Stopped', async () => {
  chromium = await launchHeadlessChromium();
  const page = await chromium.browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  // Until the API serves /events, the page falls back to polling, and the browser logs each 404 of the stream.
  const eventsRoute = await weir.request('GET', '/api/v1/pipeline/absent/events');
  const eventsRouteMissing = eventsRoute.status === 404 && /^no route/.test(eventsRoute.body.message);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
  page.on('console', (message) => {
    const url = message.location().url ?? '';
    if (message.type() === 'error' && !(eventsRouteMissing && url.endsWith('/events')))
      problems.push(`console: ${message.text()} (${url})`);
  });

  await page.goto(`${weir.url}/`);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.type('#token', TOKEN);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  expect(new URL(page.url()).pathname).toBe('/');

  const id = newId();
  expect((await weir.request('POST', '/api/v1/pipeline', sleepers(id))).status).toBe(201);
  const row = `#pipeline-rows tr[data-pipeline="${id}"]`;
  await page.waitForSelector(row, { timeout: 20_000 });
  await weir.healthReaches(id, 'Running');

  // The filter shows only pipelines of the chosen status.
  await page.select('#status-filter', 'Stopped');
  await page.waitForSelector(row, { hidden: true, timeout: 10_000 });
  await page.select('#status-filter', 'Running');
  await page.waitForSelector(row, { timeout: 10_000 });

  await page.click(row);
  await page.waitForSelector('#detail-status[data-status="Running"]', { timeout: 20_000 });
  expect(await page.$eval('#temporal-link', (link) => link.getAttribute('href'))).toBe(
    `${TEMPORAL_UI}/namespaces/default/workflows/pipeline-${id}`,
  );
  expect(await page.$$eval('#actions button', (buttons) => buttons.map((button) => button.textContent))).toEqual(['stop', 'terminate']);
  expect(await page.$$eval('#component-rows tr', (rows) => rows.map((tr) => tr.textContent))).toEqual([
    'ingestorrunning2/2--',
    'sinkrunning1/1--',
  ]);

  // Stop asks first; cancelling sends nothing.
  await page.click('#actions button[data-command=stop]');
  await page.waitForSelector('#confirm[open]');
  expect(await textOf(page, '#confirm-text')).toBe(`Stop pipeline ${id}? In-flight messages drain first.`);
  await page.click('#confirm-cancel');
  expect((await weir.request('GET', `/api/v1/pipeline/${id}/health`)).body.overall_status).toBe('Running');
  await page.click('#actions button[data-command=stop]');
  await page.waitForSelector('#confirm[open]');
  await page.click('#confirm-ok');

  await page.waitForSelector('#detail-status[data-status="Stopped"]', { timeout: 60_000 });
  await page.waitForFunction(
    "[...document.querySelectorAll('#transition-rows tr')].some((tr) => tr.textContent.includes('StoppingStopped'))",
    {
      timeout: 20_000,
    },
  );
  expect(await page.$$eval('#actions button', (buttons) => buttons.map((button) => button.textContent))).toEqual(['resume', 'delete']);
  const stopper = (await weir.request('GET', `/api/v1/pipeline/${id}/history`)).body.transitions.find(
    (transition: { to: string }) => transition.to === 'Stopping',
  );
  expect(stopper).toMatchObject({ command: 'stop', source: 'api' });

  await page.select('#status-filter', '');
  await page.waitForSelector(`${row}.selected`, { timeout: 10_000 });
  await mkdir(ARTEFACTS, { recursive: true });
  const screenshot = path.join(ARTEFACTS, 'stopped.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`status page screenshot: ${screenshot}`);
  expect(problems).toEqual([]);
  await removePipeline(id);
});
