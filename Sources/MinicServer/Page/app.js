// minic's review page: proposals, their diffs, merge and reject, history and rollback, tasks.
//
// Plain ES2020, no build step, served by `minic serve` under a strict CSP (no inline code, no eval).
// Every piece of text that comes from the server goes into the page through textContent or DOM nodes,
// never through innerHTML: a proposal's title, diff or a task's answer cannot inject markup.
'use strict';

const TOKEN_KEY = 'minic.token'; // sessionStorage: the token lives as long as this tab, no longer

// MARK: DOM helpers

/**
 * Bidi controls, zero-width and other invisible characters, shown as `⟨U+202E⟩`: text from the server (a diff,
 * a path, a title, an answer) can never reorder or hide what a reviewer reads ("Trojan Source").
 */
const HIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u2028-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFEFF\uFFA0\uFFF9-\uFFFB]/g;
function visible(text) {
  return String(text).replace(HIDDEN, (c) => `⟨U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

/** Makes an element: `el('a', {href: '#/x', class: 'y', text: 'z', on: {click: f}}, child, ...)`. Text goes through `visible`. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = visible(value);
    else if (key === 'class') node.className = value;
    else if (key === 'on') for (const [name, fn] of Object.entries(value)) node.addEventListener(name, fn);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key in node && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(visible(child)));
  }
  return node;
}

const $ = (selector) => document.querySelector(selector);
const short = (sha) => (sha ? String(sha).slice(0, 12) : '');

function age(seconds) {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86400)} d`;
}

function when(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return isNaN(date) ? String(iso) : date.toLocaleString();
}

// MARK: the API

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** Calls the API; resolves to the decoded JSON, or throws an ApiError from `{"error": {code, message}}`. */
async function api(method, path, body) {
  const init = { method, headers: { Accept: 'application/json', ...authHeaders() } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError(0, 'network', `cannot reach the server (${error.message})`);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (_) {
    data = null;
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(response.status, error.code || `http_${response.status}`, error.message || text.slice(0, 300) || response.statusText);
  }
  return data;
}

/** An error as a box; 401 and 403 say what to do about them. */
function errorBox(error, what) {
  const box = el('div', { class: 'error', role: 'alert' });
  const head = error instanceof ApiError ? `${error.status || ''} ${error.code}`.trim() : 'error';
  box.append(el('strong', { text: what ? `${what}: ${head}` : head }), ' ', el('span', { class: 'message', text: error.message }));
  if (error.status === 401) box.append(el('p', { class: 'hint', text: 'This server needs a bearer token: paste one (made by minic token create) into the Token field above.' }));
  if (error.status === 403) box.append(el('p', { class: 'hint', text: 'This token’s role may not do this (reading proposals, merging, rejecting and rolling back need a review token).' }));
  return box;
}

// MARK: the token field

function showTokenState() {
  const set = !!sessionStorage.getItem(TOKEN_KEY);
  $('#token-state').textContent = set ? 'token in use (this tab only)' : 'no token';
  $('#token-state').className = set ? 'ok' : 'muted';
}

function setUpToken() {
  $('#token').value = sessionStorage.getItem(TOKEN_KEY) || '';
  $('#token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('#token').value.trim();
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
    showTokenState();
    route();
  });
  $('#token-clear').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    $('#token').value = '';
    showTokenState();
    route();
  });
  showTokenState();
}

// MARK: routing

let generation = 0; // a view that finishes loading after the user moved on is dropped
let leaving = null; // aborts the current view's streams

/** A hash segment, decoded; a malformed escape is kept as it is (the server then answers not_found). */
function decodePart(part) {
  try {
    return decodeURIComponent(part);
  } catch (_) {
    return part;
  }
}

function route() {
  generation += 1;
  if (leaving) leaving.abort();
  leaving = new AbortController();
  const signal = leaving.signal;
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodePart);
  const name = parts[0] || 'proposals';
  for (const link of document.querySelectorAll('nav a')) link.classList.toggle('active', link.dataset.view === name);
  const views = {
    proposals: parts[1] ? () => proposalView(parts[1]) : proposalsView,
    history: historyView,
    tasks: parts[1] ? () => taskView(parts[1], signal) : tasksView,
  };
  const view = views[name] || proposalsView;
  const mine = generation;
  $('#view').replaceChildren(el('p', { class: 'muted', text: 'Loading…' }));
  view()
    .then((node) => mine === generation && $('#view').replaceChildren(node))
    .catch((error) => mine === generation && $('#view').replaceChildren(errorBox(error)));
}

// MARK: proposals

function classBadges(counts) {
  return el('span', { class: 'badges' }, ['protected', 'review', 'auto'].map((kind) =>
    el('span', { class: `badge ${kind}${counts[kind] ? '' : ' zero'}`, title: `${counts[kind]} ${kind} path(s)`, text: `${counts[kind]} ${kind}` })));
}

async function proposalsView() {
  const { proposals } = await api('GET', '/v1/proposals?status=open');
  const page = el('section', { id: 'proposals' }, el('h1', { text: 'Open proposals' }));
  if (proposals.length === 0) {
    page.append(el('p', { class: 'muted', text: 'No open proposals.' }));
    return page;
  }
  const rows = proposals.map((p) =>
    el('tr', { class: 'proposal', dataset: { id: p.id } },
      el('td', {}, el('a', { href: `#/proposals/${encodeURIComponent(p.id)}`, text: p.title || p.id })),
      el('td', {}, el('code', { text: p.id })),
      el('td', { text: p.author }),
      el('td', { class: 'num', text: age(p.age_seconds), title: when(p.created_at) }),
      el('td', {}, classBadges(p.counts))));
  page.append(el('table', {}, el('thead', {}, el('tr', {}, ['Title', 'ID', 'Author', 'Age', 'Paths'].map((h) => el('th', { text: h })))), el('tbody', {}, rows)));
  return page;
}

async function proposalView(id) {
  const p = await api('GET', `/v1/proposals/${encodeURIComponent(id)}`);
  // The head rendered here is the one a merge approves: it is never fetched again.
  const reviewed = p.head;
  const page = el('section', { id: 'proposal', dataset: { head: reviewed } },
    el('p', {}, el('a', { href: '#/proposals', text: '← open proposals' })),
    el('h1', { text: p.title || p.id }),
    el('dl', { class: 'meta' }));
  const meta = page.querySelector('dl.meta');
  for (const pair of [
    ['ID', el('code', { text: p.id })], ['Status', el('span', { class: `state ${p.status}`, text: p.rolled_back ? 'merged (rolled back)' : p.status })], ['Author', p.author],
    ['Created', `${when(p.created_at)} (${age(p.age_seconds)} ago)`], ['Branch', el('code', { text: p.branch })],
    ['Head', el('code', { class: 'sha', text: p.head })], ['Base', p.base ? el('code', { class: 'sha', text: p.base }) : '—'],
    p.task_id ? ['Task', el('a', { href: `#/tasks/${encodeURIComponent(p.task_id)}`, text: p.task_id })] : null,
  ]) {
    if (pair) meta.append(el('dt', { text: pair[0] }), el('dd', {}, pair[1]));
  }
  if (p.message) page.append(el('pre', { class: 'message', text: p.message }));

  page.append(el('h2', { text: 'Changed paths' }), el('ul', { class: 'paths' }, p.paths.map((c) =>
    el('li', { class: `path ${c.class}` },
      el('span', { class: `mark ${c.class}`, text: c.class }), el('span', { class: 'change', text: c.change }),
      el('code', { text: c.old_path ? `${c.old_path} → ${c.path}` : c.path })))));

  const problems = [
    ['Violations (the rules refuse this merge)', p.violations.map((v) => `${v.path}: ${v.reason}`)],
    ['Findings in single commits', p.commit_violations.map((v) => `${v.path}: ${v.reason}`)],
    ['Conflicts with the current head', p.conflicts],
  ];
  for (const [title, items] of problems) {
    if (items.length) page.append(el('div', { class: 'warn' }, el('strong', { text: title }), el('ul', {}, items.map((t) => el('li', { text: t })))));
  }

  if (p.status === 'open') page.append(reviewActions(p.id, reviewed));
  page.append(el('h2', { text: 'Diff' }), renderDiff(p.diff || ''));
  return page;
}

/** Merge and Reject. Merge sends the head that was rendered as `expect`. */
function reviewActions(id, reviewed) {
  const outcome = el('div', { id: 'outcome', class: 'outcome', 'aria-live': 'polite' });
  const reason = el('input', { id: 'reject-reason', type: 'text', placeholder: 'Reason for rejecting (optional)' });
  const merge = el('button', { id: 'merge', class: 'primary', type: 'button', text: `Merge ${short(reviewed)}` });
  const reject = el('button', { id: 'reject', class: 'danger', type: 'button', text: 'Reject' });
  const buttons = [merge, reject, reason];

  async function act(what, call, show) {
    buttons.forEach((b) => (b.disabled = true));
    outcome.replaceChildren(el('span', { class: 'muted', text: `${what}…` }));
    try {
      outcome.replaceChildren(show(await call()));
      outcome.dataset.result = 'ok';
    } catch (error) {
      outcome.replaceChildren(errorBox(error, `${what} refused`));
      outcome.dataset.result = 'error';
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  merge.addEventListener('click', () => act('Merging', () => api('POST', `/v1/proposals/${encodeURIComponent(id)}/merge`, { expect: reviewed }), (m) =>
    el('div', { class: 'success' },
      el('strong', { text: m.already_merged ? 'Already merged' : 'Merged' }), ' as ', el('code', { id: 'merge-commit', class: 'sha', text: m.commit }),
      ` (rule ${m.rule}, approved by ${m.approved_by}; main was ${short(m.previous_head)})`,
      m.hooks.length ? el('ul', {}, m.hooks.map((h) => el('li', { text: `hook ${h.name}: exit ${h.status}${h.timed_out ? ' (timed out)' : ''}` }))) : null)));
  reject.addEventListener('click', () => {
    const why = reason.value.trim();
    act('Rejecting', () => api('POST', `/v1/proposals/${encodeURIComponent(id)}/reject`, why ? { reason: why } : {}), (event) =>
      el('div', { class: 'success' }, el('strong', { text: 'Rejected' }), ` by ${event.actor}${event.reason ? `: ${event.reason}` : ''}`));
  });
  return el('div', { class: 'actions' }, el('div', { class: 'row' }, merge, reason, reject), outcome);
}

// MARK: the diff, with light syntax colouring

// Per language: [class, pattern] pairs, tried left to right at each position. Lines are coloured one by one,
// so a comment or string spanning lines is coloured on its first line only: this is a reading aid, not a parser.
const words = (list) => new RegExp(`\\b(?:${list.split(' ').join('|')})\\b`);
const STRING = /"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?/;
const NUMBER = /\b\d+(?:\.\d+)?\b/;
const LANGUAGES = {
  swift: [['com', /\/\/.*|\/\*.*?(?:\*\/|$)/], ['str', /"(?:[^"\\]|\\.)*"?/], ['kw', words('import let var func struct class enum protocol extension return if else guard switch case default for while in do try throw throws catch async await public private internal fileprivate static self nil true false init some any where')], ['num', NUMBER]],
  py: [['com', /#.*/], ['str', STRING], ['kw', words('def class return if elif else for while in import from as with try except finally raise pass break continue and or not is None True False lambda yield async await')], ['num', NUMBER]],
  sh: [['com', /(?:^|(?<=\s))#.*/], ['str', STRING], ['var', /\$\{[^}]*\}|\$\w+/], ['kw', words('if then else elif fi for while until do done case esac in function return local export set exit echo printf cd test read shift')]],
  json: [['key', /"(?:[^"\\]|\\.)*"(?=\s*:)/], ['str', /"(?:[^"\\]|\\.)*"?/], ['kw', words('true false null')], ['num', /-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b/]],
  mustache: [['com', /\{\{!.*?(?:\}\}|$)/], ['tag', /\{\{\{?[^}]*\}?\}\}/]],
};
const EXTENSIONS = { swift: 'swift', py: 'py', sh: 'sh', bash: 'sh', json: 'json', mustache: 'mustache' };
const COMPILED = Object.fromEntries(Object.entries(LANGUAGES).map(([name, rules]) =>
  [name, { classes: rules.map((r) => r[0]), pattern: new RegExp(rules.map((r) => `(${r[1].source})`).join('|'), 'g') }]));

function languageOf(path) {
  const name = path.split('/').pop();
  const ext = name.includes('.') ? name.split('.').pop().toLowerCase() : '';
  return COMPILED[EXTENSIONS[ext]] || null;
}

/** A line of code as text nodes and coloured spans. */
function colour(code, language) {
  if (!language) return [code];
  const out = [];
  let at = 0;
  for (const match of code.matchAll(language.pattern)) {
    if (match[0] === '') continue;
    if (match.index > at) out.push(code.slice(at, match.index));
    const group = match.slice(1).findIndex((g) => g !== undefined);
    out.push(el('span', { class: `tok-${language.classes[group]}`, text: match[0] }));
    at = match.index + match[0].length;
  }
  if (at < code.length) out.push(code.slice(at));
  return out;
}

/** A unified diff (as git writes it) as coloured lines, with old and new line numbers. */
function renderDiff(text) {
  const box = el('div', { class: 'diff', id: 'diff' });
  if (!text) {
    box.append(el('p', { class: 'muted', text: 'No changes.' }));
    return box;
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let language = null;
  let oldLeft = 0; // lines of the current hunk still to come, counted as git does: a hunk ends by count,
  let newLeft = 0; // so a removed line that starts with "--" is never taken for a file header
  let oldNo = 0;
  let newNo = 0;
  const row = (kind, oldN, newN, content) =>
    el('div', { class: `line ${kind}` }, el('span', { class: 'ln', text: oldN }), el('span', { class: 'ln', text: newN }), el('span', { class: 'code' }, content));
  for (const line of lines) {
    if (oldLeft > 0 || newLeft > 0) {
      const sign = line[0];
      const body = line.slice(1);
      if (sign === '+') {
        box.append(row('add', '', newNo++, [el('span', { class: 'sign', text: '+' }), ...colour(body, language)]));
        newLeft--;
      } else if (sign === '-') {
        box.append(row('del', oldNo++, '', [el('span', { class: 'sign', text: '-' }), ...colour(body, language)]));
        oldLeft--;
      } else if (sign === '\\') {
        box.append(row('meta', '', '', line));
      } else {
        box.append(row('ctx', oldNo++, newNo++, [el('span', { class: 'sign', text: ' ' }), ...colour(body, language)]));
        oldLeft--;
        newLeft--;
      }
      continue;
    }
    const hunk = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (hunk) {
      [oldNo, oldLeft, newNo, newLeft] = [+hunk[1], hunk[2] === undefined ? 1 : +hunk[2], +hunk[3], hunk[4] === undefined ? 1 : +hunk[4]];
      box.append(row('hunk', '…', '…', line));
    } else if (line.startsWith('diff --git ')) {
      const m = / b\/(.*)$/.exec(line);
      language = languageOf(m ? m[1] : line);
      box.append(el('div', { class: 'line file' }, el('span', { class: 'code', text: m ? m[1] : line })));
    } else if (line === '\\ No newline at end of file') {
      box.append(row('meta', '', '', line));
    } else {
      if (line.startsWith('+++ b/')) language = languageOf(line.slice(6));
      box.append(row('header', '', '', line));
    }
  }
  return box;
}

// MARK: history and rollback

const MOVES_MAIN = new Set(['merge', 'auto-merge', 'rollback', 'pull']);

async function historyView() {
  const history = await api('GET', '/v1/history');
  const events = history.events;
  const page = el('section', { id: 'history' }, el('h1', { text: 'History' }));
  // The server says where main is (`head`); a rollback sends it as `expect`, so it happens only if main has
  // not moved since this page was rendered. (A rejection's `to` is the rejected proposal's head, never main's.)
  const moves = (e) => MOVES_MAIN.has(e.kind);
  const newest = events.find((e) => moves(e) && e.to);
  const head = history.head || (newest ? newest.to : '');
  const confirm = el('div', { id: 'rollback-confirm', class: 'confirm', hidden: true });
  page.append(el('p', { class: 'muted', text: head ? `Current head of main: ${short(head)}` : 'The current head is not known.' }), confirm);
  if (events.length === 0) {
    page.append(el('p', { class: 'muted', text: 'Nothing has happened yet.' }));
    return page;
  }
  // Each event offers the states around it: "to" (main as this event left it) and "from" (main just before it),
  // so even the only merge can be undone. The current head needs no button.
  const button = (sha, label, kind) => (!sha || sha === head ? null
    : el('button', { type: 'button', class: `rollback ${kind}`, text: label, title: `POST /v1/rollback to ${sha}`, dataset: { to: sha }, on: { click: () => askRollback(confirm, sha, head) } }));
  const rows = events.map((e) => {
    const action = !moves(e) ? '' : el('span', { class: 'row-actions' }, button(e.to, 'Roll back to here', 'to'), button(e.from, 'Roll back to before', 'from'),
      e.to && e.to === head ? el('span', { class: 'muted', text: 'current head' }) : null);
    const commits = moves(e)
      ? [e.from ? el('code', { text: short(e.from) }) : '', ' → ', e.to ? el('code', { text: short(e.to) }) : '']
      : [e.to ? el('span', { class: 'muted' }, 'proposal at ', el('code', { text: short(e.to) })) : ''];
    return el('tr', { class: `event ${e.kind}` },
      el('td', { class: 'when', text: when(e.date) }), el('td', {}, el('span', { class: `kind ${e.kind}`, text: e.kind })), el('td', { text: e.actor }),
      el('td', {}, e.proposal_id ? el('code', { text: e.proposal_id }) : ''), el('td', {}, commits),
      el('td', { text: e.reason || e.rule || '' }), el('td', {}, action));
  });
  page.append(el('table', {}, el('thead', {}, el('tr', {}, ['When', 'Event', 'Who', 'Proposal', 'Commits', 'Rule / reason', ''].map((h) => el('th', { text: h })))), el('tbody', {}, rows)));
  return page;
}

/** Shows what a rollback will send, with the presumed head editable, and sends it on confirmation. */
function askRollback(box, to, head) {
  const expect = el('input', { id: 'rollback-expect', type: 'text', value: head, placeholder: 'the current head of main (git rev-parse main)', spellcheck: 'false' });
  const request = el('pre', { class: 'request' });
  const show = () => (request.textContent = `POST /v1/rollback\n${JSON.stringify({ to, expect: expect.value.trim() }, null, 2)}`);
  expect.addEventListener('input', show);
  show();
  const result = el('div', { class: 'outcome' });
  const go = el('button', { id: 'rollback-go', class: 'danger', type: 'button', text: 'Roll back' });
  const cancel = el('button', { type: 'button', class: 'quiet', text: 'Cancel', on: { click: () => (box.hidden = true) } });
  go.addEventListener('click', async () => {
    go.disabled = true;
    try {
      const r = await api('POST', '/v1/rollback', { to, expect: expect.value.trim() });
      result.replaceChildren(el('div', { class: 'success' }, r.unchanged ? `Main already is ${short(r.to)}.` : `Rolled back from ${short(r.from)} to ${short(r.to)}${r.backup ? ` (the old head is kept as ${r.backup})` : ''}.`));
      setTimeout(route, 1500);
    } catch (error) {
      result.replaceChildren(errorBox(error, 'Rollback refused'));
      go.disabled = false;
    }
  });
  box.replaceChildren(el('strong', { text: `Roll main back to ${short(to)}?` }),
    el('p', { text: 'The server refuses unless main is still at the head below (edit it if something moved main by hand).' }),
    el('label', {}, 'Expected head ', expect), request, el('div', { class: 'row' }, go, cancel), result);
  box.hidden = false;
  box.scrollIntoView({ block: 'nearest' });
}

// MARK: tasks

const TASK_TYPES = ['explain', 'analyze', 'generate', 'complete', 'self_update'];

async function tasksView() {
  const { tasks } = await api('GET', '/v1/tasks?limit=20');
  const type = el('select', { id: 'task-type' }, TASK_TYPES.map((t) => el('option', { value: t, text: t })));
  const prompt = el('textarea', { id: 'task-prompt', rows: 4, placeholder: 'What should minic do?' });
  const result = el('div', { class: 'outcome' });
  const form = el('form', { id: 'task-form', class: 'card' },
    el('h2', { text: 'New task' }), el('div', { class: 'row' }, el('label', {}, 'Type ', type)), prompt,
    el('div', { class: 'row' }, el('button', { class: 'primary', type: 'submit', text: 'Submit' })), result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const task = await api('POST', '/v1/tasks', { type: type.value, prompt: prompt.value });
      location.hash = `#/tasks/${task.id}`;
    } catch (error) {
      result.replaceChildren(errorBox(error, 'Submitting refused'));
    }
  });
  const rows = tasks.map((t) => el('tr', { class: 'task', dataset: { id: t.id } },
    el('td', {}, el('a', { href: `#/tasks/${t.id}`, text: `#${t.id}` })), el('td', { text: t.type }),
    el('td', {}, el('span', { class: `state ${t.state}`, text: t.state })), el('td', { class: 'prompt', text: (t.prompt || '').slice(0, 120) }),
    el('td', { text: when(t.created_at) })));
  return el('section', { id: 'tasks' }, el('h1', { text: 'Tasks' }), form, el('h2', { text: 'Recent tasks' }),
    tasks.length ? el('table', {}, el('thead', {}, el('tr', {}, ['ID', 'Type', 'State', 'Prompt', 'Created'].map((h) => el('th', { text: h })))), el('tbody', {}, rows))
      : el('p', { class: 'muted', text: 'No tasks yet.' }));
}

async function taskView(id, signal) {
  const meta = el('dl', { class: 'meta' });
  const answer = el('pre', { id: 'answer', class: 'answer' });
  const status = el('p', { id: 'stream-state', class: 'muted', text: 'Connecting…' });
  const prompt = el('pre', { class: 'message' });
  const page = el('section', { id: 'task' }, el('p', {}, el('a', { href: '#/tasks', text: '← tasks' })), el('h1', { text: `Task #${id}` }),
    meta, el('h2', { text: 'Prompt' }), prompt, el('h2', { text: 'Answer' }), status, answer);
  const showTask = (t) => {
    meta.replaceChildren(...[['Type', t.type], ['State', el('span', { id: 'task-state', class: `state ${t.state}`, text: t.state })], ['Attempts', `${t.attempts} of ${t.max_attempts}`],
      ['Created', when(t.created_at)], ['Finished', when(t.finished_at) || '—'], t.error ? ['Error', el('span', { class: 'bad', text: t.error })] : null,
      t.agent_commit ? ['Commit', el('code', { class: 'sha', text: t.agent_commit })] : null]
      .filter(Boolean).flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, v)]));
    prompt.textContent = t.prompt || '';
  };
  // The stream is read while the page shows; the view is returned at once.
  streamTask(id, signal, {
    state: (t) => { showTask(t); status.textContent = `${t.state}…`; },
    text: ({ text }) => { answer.textContent += text; },
    done: (t) => {
      showTask(t);
      // The recorded result (after the guardrails' review) replaces what was streamed.
      answer.textContent = t.result ?? answer.textContent;
      status.textContent = `Finished: ${t.state}`;
      answer.dataset.done = '1';
    },
    seen: (event) => { answer.dataset.events = `${answer.dataset.events || ''}${event} `; }, // what arrived, for tests
  }).catch((error) => { if (!signal.aborted) status.replaceWith(errorBox(error, 'Event stream')); });
  return page;
}

/**
 * Reads `GET /v1/tasks/{id}/events` with fetch, so the Authorization header goes along (EventSource cannot
 * send one), and parses Server-Sent Events: blocks split by a blank line, `event:` and `data:` fields,
 * `:` comments (keep-alives) ignored. Each event's data is one JSON object.
 */
async function streamTask(id, signal, handlers) {
  const response = await fetch(`/v1/tasks/${encodeURIComponent(id)}/events`, { headers: { Accept: 'text/event-stream', ...authHeaders() }, signal });
  if (!response.ok) {
    let error = {};
    try { error = (await response.json()).error || {}; } catch (_) { /* not JSON */ }
    throw new ApiError(response.status, error.code || `http_${response.status}`, error.message || response.statusText);
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length && handlers[event]) {
        handlers[event](JSON.parse(data.join('\n')));
        if (handlers.seen) handlers.seen(event);
      }
    }
  }
}

// MARK: start

document.addEventListener('DOMContentLoaded', () => {
  setUpToken();
  window.addEventListener('hashchange', route);
  if (!location.hash) history.replaceState(null, '', '#/proposals');
  route();
});
