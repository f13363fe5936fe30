// The shardflow console's page: plain DOM code, no framework, no build step, no CDN. Every text
// from the server goes in through textContent, never innerHTML. The job page follows the server's
// event stream (fed by ZooKeeper watches), so the shard map moves without a reload.

const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const readOnly = document.querySelector('meta[name="read-only"]').content === 'true';
const view = document.getElementById('view');
let closeStream = () => {};
// While the operator types in the config form, live updates redraw the maps but leave the form alone.
let formDirty = false;

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  return node;
}

function table(id, headers, rows) {
  return el('table', { id }, el('thead', {}, el('tr', {}, headers.map((header) => el('th', { text: header })))), el('tbody', {}, rows));
}

function time(value) {
  return value ? new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}

function duration(ms) {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 3600000) return `${Math.floor(ms / 60000)}m${String(Math.floor((ms % 60000) / 1000)).padStart(2, '0')}s`;
  return `${Math.floor(ms / 3600000)}h${String(Math.floor((ms % 3600000) / 60000)).padStart(2, '0')}m`;
}

function say(text, kind = 'ok') {
  const message = document.getElementById('message');
  message.textContent = text;
  message.className = kind;
}

async function api(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await response.json();
  if (!response.ok) throw Object.assign(new Error(body.error?.message ?? response.statusText), { body });
  return body;
}

async function post(path, body = {}) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken }, body: JSON.stringify(body) });
  const answer = await response.json();
  if (!response.ok) throw Object.assign(new Error(answer.error?.message ?? response.statusText), { body: answer });
  return answer;
}

/** Asks first, runs the action, reports the outcome (the action's answer says what was done). */
async function act(question, action) {
  if (!window.confirm(question)) return;
  try {
    say(await action());
  } catch (error) {
    say(error.message, 'error');
  }
}

function actionButton(label, attributes, question, action, done) {
  return el('button', { ...attributes, disabled: readOnly, onclick: () => act(question, async () => {
    await action();
    return done;
  }) }, label);
}

// ---- jobs overview ----

function showJobs() {
  view.replaceChildren(el('h1', { text: 'Jobs' }), el('p', { id: 'live', class: 'muted', text: 'connecting…' }), el('div', { id: 'overview' }));
  const source = new EventSource('/api/jobs-events');
  source.addEventListener('jobs', (event) => {
    markLive();
    renderJobs(JSON.parse(event.data));
  });
  source.addEventListener('failure', (event) => say(JSON.parse(event.data).message, 'error'));
  source.onerror = markOffline;
  closeStream = () => source.close();
}

function renderJobs(jobs) {
  const rows = jobs.map((job) => el('tr', { 'data-job': job.name },
    el('td', {}, el('a', { href: `#/job/${encodeURIComponent(job.name)}`, text: job.name })),
    el('td', { class: `state-${job.state}`, text: job.state }),
    el('td', { text: job.cron }),
    el('td', { text: job.shardingTotalCount }),
    el('td', { text: job.instances }),
    el('td', { text: job.leader ?? '-' }),
    el('td', { text: time(job.nextFireTime) }),
    el('td', { class: job.lastRun ? `result-${job.lastRun.result}` : 'muted', text: job.lastRun ? `${job.lastRun.result} ${time(job.lastRun.finishedAt)}` : '-' }),
    el('td', { class: job.recentFailures > 0 ? 'result-failed' : '', text: job.recentFailures }),
  ));
  document.getElementById('overview').replaceChildren(jobs.length === 0
    ? el('p', { class: 'muted', text: 'No jobs in this namespace yet.' })
    : table('jobs', ['Job', 'State', 'Cron', 'Items', 'Instances', 'Leader', 'Next fire', 'Last run', 'Failed (1h)'], rows));
}

function markLive() {
  const live = document.getElementById('live');
  live.className = 'live';
  live.textContent = `live · updated ${new Date().toLocaleTimeString()}`;
}

function markOffline() {
  const live = document.getElementById('live');
  if (live) {
    live.className = 'offline';
    live.textContent = 'disconnected, retrying…';
  }
}

// ---- job page ----

function showJob(name) {
  view.replaceChildren(el('h1', { text: name }), el('p', { id: 'live', class: 'muted', text: 'connecting…' }), el('div', { id: 'job' }));
  const source = new EventSource(`/api/jobs/${encodeURIComponent(name)}/events`);
  formDirty = false;
  source.addEventListener('job', (event) => {
    const job = JSON.parse(event.data);
    markLive();
    if (formDirty && document.getElementById('job').childElementCount > 0) renderMaps(name, job);
    else renderJob(name, job);
  });
  source.addEventListener('failure', (event) => say(JSON.parse(event.data).message, 'error'));
  source.onerror = markOffline;
  closeStream = () => source.close();
}

function renderJob(name, job) {
  const { config } = job;
  const path = `/api/jobs/${encodeURIComponent(name)}`;
  const enabled = !config.disabled;
  const field = (id, label, value) => el('label', { for: `field-${id}` }, label,
    el('input', { id: `field-${id}`, name: id, value, disabled: readOnly, oninput: () => (formDirty = true) }),
    el('span', { class: 'field-error', id: `error-${id}` }));
  const form = el('form', { id: 'config-form', class: 'inline', onsubmit: (event) => {
    event.preventDefault();
    saveConfig(path, form);
  } },
  field('cron', 'Cron', config.cron),
  field('shardingTotalCount', 'Items (shardingTotalCount)', config.shardingTotalCount),
  field('jobParameter', 'Job parameter', config.jobParameter ?? ''),
  el('button', { id: 'save-config', type: 'submit', disabled: readOnly }, 'Save'));
  document.getElementById('job').replaceChildren(
    el('p', {},
      el('span', { id: 'job-state', class: `state-${job.state}`, text: job.state }),
      ` · leader ${job.leader ?? '-'} · generation ${job.generation ?? '-'} · next fire `,
      el('span', { id: 'next-fire', text: time(job.nextFireTime) }),
      ` · ${config.timeZone}`),
    el('div', { class: 'toolbar' },
      actionButton('Trigger now', { id: 'trigger' }, `Run every item of ${name} once, now?`, () => post(`${path}/trigger`), `Triggered ${name}`),
      actionButton(enabled ? 'Disable job' : 'Enable job', { id: 'toggle-job' }, `${enabled ? 'Disable' : 'Enable'} ${name}?`,
        () => post(`${path}/${enabled ? 'disable' : 'enable'}`), `${enabled ? 'Disabled' : 'Enabled'} ${name}`)),
    el('h2', { text: 'Configuration' }), form,
    el('div', { id: 'maps' }),
    el('h2', { text: 'Execution history' }),
    el('div', { id: 'history', class: 'muted', text: 'loading…' }),
  );
  renderMaps(name, job);
  loadHistory(name).catch((error) => say(error.message, 'error'));
}

async function loadHistory(name) {
  const history = await api(`/api/jobs/${encodeURIComponent(name)}/history`);
  const slot = document.getElementById('history');
  if (!slot) return;
  if (!history.enabled) {
    slot.replaceChildren(el('p', { class: 'muted', text: 'Execution history: not enabled (each item\'s last run is shown in the shard map when instances record it).' }));
    return;
  }
  slot.classList.remove('muted');
  const headers = ['Started', 'Completed', 'Item', 'Result', 'Source', 'Host', 'Failure', 'States'];
  slot.replaceChildren(
    table('history-table', headers, history.executions.map((row) => el('tr', { 'data-task': row.task_id },
      el('td', { class: 'time', text: time(row.start_time) }), el('td', { class: 'time', text: time(row.complete_time) }), el('td', { text: String(row.sharding_item) }),
      el('td', { class: row.is_success ? '' : 'result-failed', text: row.is_success ? 'ok' : 'failed' }), el('td', { text: row.execution_source }),
      el('td', { text: row.hostname }), el('td', { class: 'failure', title: row.failure_cause ?? undefined, text: firstLine(row.failure_cause) }),
      el('td', {}, el('button', { class: 'show-states', type: 'button', title: row.task_id, onclick: (event) => toggleStatusTrace(name, row.task_id, event.currentTarget, headers.length) }, 'show'))))),
    el('p', { class: 'muted', text: `${history.executions.length} latest execution${history.executions.length === 1 ? '' : 's'}, newest first` }));
}

function firstLine(text) {
  return (text ?? '').split('\n', 1)[0];
}

/** A failure's first line, and its stack behind a click. */
function failureWithStack(text) {
  const rest = (text ?? '').split('\n').slice(1).join('\n');
  return el('td', { class: 'failure' }, firstLine(text), rest ? el('details', {}, el('summary', { text: 'stack' }), el('pre', { text: rest })) : undefined);
}

/** Opens, under an execution's row, the states its run went through (JOB_STATUS_TRACE_LOG); a second click closes them. */
async function toggleStatusTrace(name, taskId, button, columns) {
  const row = button.closest('tr');
  if (row.nextElementSibling?.classList.contains('status-trace')) {
    row.nextElementSibling.remove();
    button.textContent = 'show';
    return;
  }
  const trace = await api(`/api/jobs/${encodeURIComponent(name)}/trace?task=${encodeURIComponent(taskId)}`);
  const states = trace.enabled ? trace.states : [];
  const content = states.length === 0
    ? el('p', { class: 'muted', text: `No states recorded for task ${taskId}` })
    : [el('p', { class: 'muted', text: `Task ${taskId}` }),
      table(undefined, ['Time', 'State', 'Type', 'Instance', 'Message'], states.map((state) => el('tr', {},
        el('td', { class: 'time', text: time(state.creation_time) }), el('td', { class: `state-trace-${state.state}`, text: state.state }), el('td', { text: state.execution_type }),
        el('td', { text: state.slave_id }), failureWithStack(state.message))))];
  row.after(el('tr', { class: 'status-trace' }, el('td', { colspan: columns }, content)));
  button.textContent = 'hide';
}

async function saveConfig(path, form) {
  for (const error of form.querySelectorAll('.field-error')) error.textContent = '';
  const body = Object.fromEntries(new FormData(form).entries());
  if (!window.confirm(`Change the configuration to ${Object.entries(body).map(([k, v]) => `${k}=${v}`).join(', ')}?`)) return;
  try {
    await post(`${path}/config`, body);
    formDirty = false;
    say('Configuration saved');
  } catch (error) {
    const problems = error.body?.error?.problems ?? [];
    for (const problem of problems) {
      const slot = document.getElementById(`error-${problem.field}`);
      if (slot) slot.textContent = problem.message;
    }
    say(problems.some((problem) => document.getElementById(`error-${problem.field}`)) ? 'Not saved: see the fields' : error.message, 'error');
  }
}

function renderMaps(name, job) {
  const path = `/api/jobs/${encodeURIComponent(name)}`;
  const items = job.shards.map((shard) => shard.item);
  const matrix = job.instances.map((instance) => el('tr', { 'data-instance': instance.id },
    el('th', { text: instance.id }),
    items.map((item) => {
      const shard = job.shards[item];
      const owned = shard.owner === instance.id;
      const classes = ['cell', owned && 'owned', owned && shard.running && 'running', owned && shard.disabled && 'disabled'].filter(Boolean).join(' ');
      return el('td', { class: classes, 'data-item': item, title: owned ? `item ${item}, epoch ${shard.epoch}` : '' }, owned ? String(item) : '');
    })));
  const instances = job.instances.map((instance) => el('tr', { 'data-instance': instance.id },
    el('td', { text: instance.id }), el('td', { text: instance.host ?? '-' }), el('td', { text: instance.pid ?? '-' }),
    el('td', { text: time(instance.startedAt) }), el('td', { text: instance.version ?? '-' }), el('td', { text: instance.leader ? 'leader' : '' }),
    el('td', { class: 'disabled', text: instance.disabled ? 'disabled' : '' }), el('td', { text: instance.items.join(', ') || '-' }),
    el('td', {}, actionButton(instance.disabled ? 'Enable' : 'Disable', { 'data-action': 'toggle-instance' }, `${instance.disabled ? 'Enable' : 'Disable'} instance ${instance.id}?`,
      () => post(`${path}/${instance.disabled ? 'enable' : 'disable'}`, { instance: instance.id }), `${instance.disabled ? 'Enabled' : 'Disabled'} ${instance.id}`))));
  const shards = job.shards.map((shard) => el('tr', { 'data-item': shard.item, 'data-owner': shard.owner ?? '' },
    el('td', { text: shard.item }), el('td', { class: 'owner', text: shard.owner ?? '-' }), el('td', { class: 'epoch', text: shard.epoch ?? '-' }),
    el('td', { class: 'running', text: shard.running ? `${shard.running.instance} since ${time(shard.running.since)}` : '-' }),
    el('td', { class: 'disabled', text: shard.disabled ? 'disabled' : '' }),
    el('td', { class: shard.lastRun ? `last-run result-${shard.lastRun.result}` : 'last-run muted',
      text: shard.lastRun ? `${shard.lastRun.result} ${time(shard.lastRun.finishedAt)} (${duration(shard.lastRun.durationMs)}, ${shard.lastRun.trigger})` : '-' }),
    el('td', {}, actionButton(shard.disabled ? 'Enable' : 'Disable', { 'data-action': 'toggle-item', 'data-item': shard.item }, `${shard.disabled ? 'Enable' : 'Disable'} item ${shard.item}?`,
      () => post(`${path}/${shard.disabled ? 'enable' : 'disable'}`, { item: shard.item }), `${shard.disabled ? 'Enabled' : 'Disabled'} item ${shard.item}`))));
  document.getElementById('maps').replaceChildren(
    el('h2', { text: 'Shard map' }),
    table('instance-map', ['Instance', ...items.map(String)], matrix),
    table('shard-map', ['Item', 'Owner', 'Epoch', 'Running', 'Disabled', 'Last run', ''], shards),
    el('h2', { text: 'Instances' }),
    table('instances', ['Instance', 'Host', 'PID', 'Started', 'Version', 'Leader', 'Disabled', 'Items', ''], instances),
  );
}

// ---- outbox ----

async function showOutbox() {
  const info = await api('/api/info');
  if (!info.outbox) {
    view.replaceChildren(el('h1', { text: 'Outbox' }), el('p', { class: 'muted', text: 'The outbox is not configured: start the console with --db (or SHARDFLOW_DB).' }));
    return;
  }
  const backlog = await api('/api/outbox/backlog');
  const count = (value, capped) => (capped ? `${value}+` : String(value));
  const backlogRow = (label, row) => el('tr', { 'data-row': label },
    el('td', { text: label }), el('td', { class: 'pending', text: count(row.pending, row.capped) }), el('td', { class: 'retrying', text: count(row.retrying, row.capped) }),
    el('td', { class: 'dead', text: count(row.dead, row.capped) }), el('td', { text: row.pending > 0 ? duration(row.oldestPendingAgeMs) : '-' }));
  const filterField = (name, label, placeholder) => el('label', {}, label, el('input', { name, placeholder }), el('span', { class: 'field-error', id: `error-${name}` }));
  const filter = el('form', { id: 'dead-filter', class: 'inline', onsubmit: (event) => {
    event.preventDefault();
    loadDead(filter);
  } },
  filterField('cluster', 'Cluster', ''), filterField('topic', 'Topic', ''), filterField('key', 'Key', ''), filterField('id', 'Ids', '1,2,3'),
  filterField('from', 'Created from', '2026-11-27T08:00:00Z'), filterField('to', 'to', ''), el('button', { type: 'submit', id: 'apply-filter' }, 'Filter'));
  view.replaceChildren(
    el('h1', { text: 'Outbox' }),
    el('h2', { text: 'Backlog per cluster' }),
    table('backlog', ['Cluster', 'Pending', 'Retrying', 'Dead', 'Oldest pending'], backlog.clusters.map((row) => backlogRow(row.cluster, row))),
    backlog.items ? el('h2', { text: `Backlog per relay item (${info.relayJob})` }) : null,
    backlog.items ? table('item-backlog', ['Item', 'Pending', 'Retrying', 'Dead', 'Oldest pending'], backlog.items.map((row) => backlogRow(String(row.item), row))) : null,
    el('h2', { text: 'Dead rows' }), filter, el('div', { id: 'dead' }),
  );
  await loadDead(filter);
}

function filterOf(form) {
  return Object.fromEntries([...new FormData(form).entries()].filter(([, value]) => value !== ''));
}

async function loadDead(form) {
  for (const error of form.querySelectorAll('.field-error')) error.textContent = '';
  const filter = filterOf(form);
  let answer;
  try {
    answer = await api(`/api/outbox/dead?${new URLSearchParams(filter)}`);
  } catch (error) {
    for (const problem of error.body?.error?.problems ?? []) {
      const slot = document.getElementById(`error-${problem.field}`);
      if (slot) slot.textContent = problem.message;
    }
    say(error.message, 'error');
    return;
  }
  const rows = answer.rows.map((row) => el('tr', { 'data-id': row.id },
    el('td', {}, el('input', { type: 'checkbox', 'data-id': row.id, 'aria-label': `select row ${row.id}` })),
    el('td', { text: row.id }), el('td', { text: row.database }), el('td', { text: row.table }), el('td', { text: row.cluster }), el('td', { text: row.topic }),
    el('td', { text: row.key }), el('td', { text: row.retryCount }), el('td', { text: time(row.createTime) }), el('td', { text: row.lastError ?? '' })));
  const selected = () => [...document.querySelectorAll('#dead-rows input[type=checkbox]:checked')].map((box) => Number(box.dataset.id));
  const replayed = (answer) => `Replayed ${answer.replayed} dead row${answer.replayed === 1 ? '' : 's'}`;
  document.getElementById('dead').replaceChildren(
    el('p', { id: 'dead-count', text: `${answer.count} dead row${answer.count === 1 ? '' : 's'} match${answer.rows.length < answer.count ? ` (first ${answer.rows.length} shown)` : ''}` }),
    table('dead-rows', ['', 'Id', 'DB', 'Table', 'Cluster', 'Topic', 'Key', 'Retries', 'Created', 'Last error'], rows),
    el('div', { class: 'toolbar' },
      el('button', { id: 'replay-selected', disabled: readOnly, onclick: async () => {
        const ids = selected();
        if (ids.length === 0) return say('Select rows to replay first', 'error');
        await act(`Replay ${ids.length} selected dead row(s)?`, async () => replayed(await post('/api/outbox/dead/replay', { ids })));
        await loadDead(form);
      } }, 'Replay selected'),
      el('button', { id: 'replay-all', disabled: readOnly || answer.count === 0, onclick: async () => {
        await act(`Replay all ${answer.count} dead rows matching the filter?`,
          async () => replayed(await post('/api/outbox/dead/replay', { ...filter, all: Object.keys(filter).length === 0 })));
        await loadDead(form);
      } }, 'Replay all matching')),
  );
}

// ---- routing ----

async function route() {
  closeStream();
  closeStream = () => {};
  say('');
  const hash = location.hash || '#/jobs';
  try {
    if (hash.startsWith('#/job/')) showJob(decodeURIComponent(hash.slice('#/job/'.length)));
    else if (hash === '#/outbox') await showOutbox();
    else showJobs();
  } catch (error) {
    view.replaceChildren(el('p', { class: 'result-failed', text: error.message }));
  }
}

document.getElementById('mode').textContent = readOnly ? 'read-only' : '';
window.addEventListener('hashchange', route);
route();
