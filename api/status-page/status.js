'use strict';

// The status page: pipelines and their status from the API, one pipeline's detail kept live from its event stream.
// Every text from the API is set with textContent, never parsed as HTML.

const API = '/api/v1/pipeline';
const LIST_REFRESH_MS = 5000;
const HEALTH_POLL_MS = 2000;
const STREAM_RETRY_MS = 10000;
/** Commands that ask first: each stops the flow of data or removes the pipeline. */
const CONFIRMED = { stop: 'Stop', terminate: 'Terminate', delete: 'Delete' };
const COMMAND_ORDER = ['stop', 'resume', 'terminate', 'delete'];

const page = document.body.dataset;
const $ = (id) => document.getElementById(id);

let selected; // { id, abort: AbortController, drain: Map<component, most unfinished seen>, poll }

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const cell of cells) tr.append(cell instanceof Node ? wrap(cell) : element('td', cell ?? '-'));
  return tr;
}

function wrap(node) {
  const td = document.createElement('td');
  td.append(node);
  return td;
}

/** An RFC 3339 time as `2026-01-15 10:30:00Z`, to the second. */
function when(time) {
  return time ? time.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : null;
}

function statusBadge(status) {
  return element('span', status, `status status-${status}`);
}

function showError(message) {
  const error = $('error');
  error.textContent = message;
  error.hidden = !message;
}

/** A request to the API; the session cookie goes with it. A missing or expired session leads to the sign-in page. */
async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { accept: 'application/json', ...options.headers } });
  if (response.status === 401) {
    window.location.assign('/login');
    throw new Error('signed out');
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    const allowed = body.details?.allowed_actions;
    throw new Error(
      `${body.message || `the API answered ${response.status}`}${allowed ? ` (allowed now: ${allowed.join(', ') || 'none'})` : ''}`,
    );
  }
  return response;
}

async function listPipelines() {
  const status = $('status-filter').value;
  const pipelines = [];
  let token;
  do {
    const query = new URLSearchParams({ limit: '1000' });
    if (status) query.set('status', status);
    if (token) query.set('page_token', token);
    const response = await api(`${API}?${query}`);
    pipelines.push(...(await response.json()));
    token = response.headers.get('Weir-Next-Page-Token');
  } while (token);
  return pipelines;
}

async function refreshList() {
  try {
    const pipelines = await listPipelines();
    const rows = pipelines.map((pipeline) => {
      const tr = row([pipeline.pipeline_id, pipeline.pipeline_name, statusBadge(pipeline.overall_status), when(pipeline.updated_at)]);
      tr.dataset.pipeline = pipeline.pipeline_id;
      if (selected?.id === pipeline.pipeline_id) tr.classList.add('selected');
      tr.addEventListener('click', () => {
        window.location.hash = `#/pipeline/${encodeURIComponent(pipeline.pipeline_id)}`;
      });
      return tr;
    });
    $('pipeline-rows').replaceChildren(...rows);
    $('no-pipelines').hidden = rows.length > 0;
    showError('');
  } catch (error) {
    showError(`Listing pipelines failed: ${error.message}`);
  }
}

function renderHealth(health) {
  $('detail-status').replaceChildren(statusBadge(health.overall_status));
  $('detail-status').dataset.status = health.overall_status;
  $('detail-name').textContent = health.pipeline_name;
  const failure = health.failure;
  $('failure').hidden = !failure;
  if (failure) {
    const where = failure.component ? ` of ${failure.component}` : '';
    const attempts = failure.attempts === null ? '' : ` after ${failure.attempts} attempts`;
    $('failure').textContent = `${failure.operation}${where} failed${attempts}: ${failure.error}`;
  }
  $('component-rows').replaceChildren(
    ...health.components.map((component) =>
      row([
        component.name,
        component.state,
        `${component.ready_replicas}/${component.desired_replicas}`,
        component.unfinished_messages,
        component.message,
      ]),
    ),
  );
  renderActions(health.allowed_actions ?? []);
  if (health.overall_status === 'Stopping') {
    const unfinished = Object.fromEntries(
      health.components
        .filter((component) => component.unfinished_messages !== null)
        .map((component) => [component.name, component.unfinished_messages]),
    );
    if (Object.keys(unfinished).length > 0) renderDrain(unfinished);
  } else {
    $('drain').hidden = true;
    selected?.drain.clear();
  }
}

function renderActions(allowed) {
  const buttons = COMMAND_ORDER.filter((command) => allowed.includes(command)).map((command) => {
    const button = element('button', command, CONFIRMED[command] && command !== 'stop' ? 'danger' : undefined);
    button.type = 'button';
    button.dataset.command = command;
    button.addEventListener('click', () => void requestCommand(command));
    return button;
  });
  $('actions').replaceChildren(...(buttons.length > 0 ? buttons : [element('span', 'No command changes anything now.', 'quiet')]));
}

/** One bar per consuming component: its total is the most it has had unfinished since the drain began. */
function renderDrain(unfinished) {
  const most = selected.drain;
  const bars = Object.entries(unfinished).map(([component, count]) => {
    most.set(component, Math.max(most.get(component) ?? 0, count));
    const total = Math.max(most.get(component), 1);
    const bar = element('div', undefined, 'drain-bar');
    const progress = document.createElement('progress');
    progress.max = total;
    progress.value = total - count;
    bar.append(element('span', component), progress, element('span', `${count} unfinished`, 'quiet'));
    return bar;
  });
  $('drain-bars').replaceChildren(...bars);
  $('drain').hidden = bars.length === 0;
}

function renderTransitions(transitions) {
  $('transition-rows').replaceChildren(
    ...transitions.map((transition) => {
      const tr = row([when(transition.at), transition.from, transition.to, transition.command, transition.source, transition.reason]);
      if (transition.request_id) tr.title = `request ${transition.request_id}`;
      return tr;
    }),
  );
}

function confirmCommand(command) {
  if (!CONFIRMED[command]) return Promise.resolve(true);
  const dialog = $('confirm');
  $('confirm-text').textContent =
    command === 'delete'
      ? `Delete pipeline ${selected.id} and everything it owns?`
      : command === 'terminate'
        ? `Terminate pipeline ${selected.id} at once? Unprocessed messages stay in their streams.`
        : `Stop pipeline ${selected.id}? In-flight messages drain first.`;
  $('confirm-ok').textContent = CONFIRMED[command];
  dialog.showModal();
  return new Promise((resolve) => {
    const answer = (value) => () => {
      dialog.close();
      resolve(value);
    };
    $('confirm-ok').onclick = answer(true);
    $('confirm-cancel').onclick = answer(false);
    dialog.oncancel = answer(false);
  });
}

async function requestCommand(command) {
  const id = selected.id;
  if (!(await confirmCommand(command))) return;
  for (const button of $('actions').querySelectorAll('button')) button.disabled = true;
  try {
    const path = command === 'delete' ? `${API}/${encodeURIComponent(id)}` : `${API}/${encodeURIComponent(id)}/${command}`;
    await api(path, { method: command === 'delete' ? 'DELETE' : 'POST' });
    showError('');
    if (command === 'delete') {
      window.location.hash = '';
    } else if (selected?.id === id) {
      await refreshHealth();
    }
  } catch (error) {
    showError(`${command} failed: ${error.message}`);
    if (selected?.id === id) await refreshHealth();
  }
  await refreshList();
}

async function refreshHealth() {
  const id = selected.id;
  try {
    const health = await (await api(`${API}/${encodeURIComponent(id)}/health`)).json();
    if (selected?.id === id) {
      selected.health = health;
      renderHealth(health);
    }
  } catch (error) {
    showError(`Reading ${id} failed: ${error.message}`);
  }
}

async function refreshHistory() {
  const id = selected.id;
  try {
    const history = await (await api(`${API}/${encodeURIComponent(id)}/history`)).json();
    if (selected?.id === id) renderTransitions(history.transitions);
  } catch (error) {
    showError(`Reading the history of ${id} failed: ${error.message}`);
  }
}

/** The data of each Server-Sent Event of a fetch response, parsed as JSON. */
async function* serverSentEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  let data = [];
  let type = 'message';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += decoder.decode(value, { stream: true });
    const lines = buffered.split(/\r\n|\r|\n/);
    buffered = lines.pop();
    for (const line of lines) {
      if (line === '') {
        if (data.length > 0) yield { ...JSON.parse(data.join('\n')), type };
        data = [];
        type = 'message';
      } else if (line.startsWith('event:')) {
        type = line.slice(line.startsWith('event: ') ? 7 : 6);
      } else if (line.startsWith('data:')) {
        data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
      }
    }
  }
}

function setLive(on) {
  $('live').textContent = on ? 'live' : 'polling';
  $('live').classList.toggle('on', on);
}

/**
 * Follows the pipeline's event stream (a fetch, so that it goes with the same credentials as every request). While
 * the stream is down, health is polled instead, and the stream is tried again.
 */
async function follow(current) {
  while (!current.abort.signal.aborted) {
    try {
      const response = await fetch(`${API}/${encodeURIComponent(current.id)}/events`, {
        headers: { accept: 'text/event-stream' },
        signal: current.abort.signal,
      });
      if (!response.ok) throw new Error(`events answered ${response.status}`);
      stopPolling(current);
      setLive(true);
      for await (const event of serverSentEvents(response)) handleEvent(current, event);
    } catch {
      if (current.abort.signal.aborted) return;
    }
    setLive(false);
    startPolling(current);
    await new Promise((resolve) => setTimeout(resolve, STREAM_RETRY_MS));
  }
}

function handleEvent(current, event) {
  if (selected !== current) return;
  // A health event carries the status and the components only: the commands allowed, the failure and the name come
  // with health, read again when the status has changed.
  if (event.type === 'health') {
    if (current.health?.overall_status === event.overall_status) renderHealth({ ...current.health, ...event });
    else void refreshHealth();
  }
  if (event.type === 'transition') {
    // The history, not the event alone: it is the one record, whatever a reconnected stream sends again.
    void refreshHistory();
    void refreshHealth();
    void refreshList();
  }
  if (event.type === 'drain') renderDrain(event.unfinished ?? {});
  if (event.type === 'deleted') {
    showError(`Pipeline ${current.id} was deleted.`);
    window.location.hash = '';
  }
}

function startPolling(current) {
  current.poll ??= setInterval(() => {
    void refreshHealth();
    void refreshHistory();
  }, HEALTH_POLL_MS);
}

function stopPolling(current) {
  clearInterval(current.poll);
  current.poll = undefined;
}

function select(id) {
  if (selected) {
    selected.abort.abort();
    stopPolling(selected);
  }
  selected = undefined;
  $('detail').hidden = !id;
  for (const tr of $('pipeline-rows').children) tr.classList.toggle('selected', tr.dataset.pipeline === id);
  if (!id) return;
  selected = { id, abort: new AbortController(), drain: new Map() };
  $('detail-title').textContent = id;
  $('temporal-link').href = `${page.temporalWorkflows}${encodeURIComponent(`pipeline-${id}`)}`;
  $('component-rows').replaceChildren();
  $('transition-rows').replaceChildren();
  $('actions').replaceChildren();
  $('drain').hidden = true;
  void refreshHealth();
  void refreshHistory();
  void follow(selected);
}

function route() {
  const match = /^#\/pipeline\/([^/]+)$/.exec(window.location.hash);
  select(match ? decodeURIComponent(match[1]) : undefined);
}

function start() {
  const filter = $('status-filter');
  for (const status of page.statuses.split(',')) filter.append(new Option(status, status));
  filter.addEventListener('change', () => void refreshList());
  if (page.signedIn === 'true') {
    $('sign-out').hidden = false;
    $('sign-out').addEventListener('click', async () => {
      await fetch('/session', { method: 'DELETE' });
      window.location.assign('/login');
    });
  }
  window.addEventListener('hashchange', route);
  route();
  void refreshList();
  setInterval(() => void refreshList(), LIST_REFRESH_MS);
}

start();
