// fintrans-sql up dashboard: renders /api/events (SSE) snapshots. No framework, no build step.
'use strict';

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
const SVG = 'http://www.w3.org/2000/svg';

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return e;
}

function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  return e;
}

const fmt = (n) => Number(n).toLocaleString('en-US');

function duration(ms) {
  if (ms == null) return '–';
  const s = Math.round(ms / 1000);
  if (Math.abs(s) < 120) return `${s} s`;
  if (Math.abs(s) < 7200) return `${Math.round(s / 60)} min`;
  if (Math.abs(s) < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

function renderJobs(state) {
  const tbody = document.querySelector('#jobs tbody');
  tbody.replaceChildren(
    ...state.jobs.map((j) =>
      el('tr', { 'data-job': j.id },
        el('td', {}, el('b', {}, j.id), ' ', el('span', { class: 'dim' }, j.file)),
        el('td', {}, el('span', { class: `badge s-${j.status}` }, j.status), j.rejected ? el('span', { class: 'badge s-invalid', title: j.rejected.error }, 'edit rejected') : ''),
        el('td', { class: 'n' }, fmt(j.inPerSec)),
        el('td', { class: 'n' }, fmt(j.outPerSec)),
        el('td', { class: 'n' }, fmt(j.recordsIn)),
        el('td', { class: 'n' }, fmt(j.recordsOut)),
        el('td', {}, j.watermarkText),
        el('td', { class: 'n' }, duration(j.watermarkLagMs)),
        el('td', { class: 'n' }, fmt(j.openWindows)),
        el('td', { class: 'n' }, fmt(j.late)),
        el('td', { class: 'n' }, fmt(j.bad)),
        el('td', { class: 'n' }, fmt(j.restarts)),
      ),
    ),
  );
  if (state.jobs.length === 0) tbody.append(el('tr', {}, el('td', { colspan: '12', class: 'dim' }, `no .sql files in ${state.dir}`)));
  const problems = [];
  for (const j of state.jobs) {
    if (j.status === 'unresponsive') problems.push(el('div', { class: 'problem' }, `${j.id}: unresponsive: no figures from its process (pid ${j.pid}) for ${duration(j.silentMs)}; killed and restarted in ${duration(j.killAt - Date.now())} unless it recovers`));
    if (j.error) problems.push(el('div', { class: 'problem' }, `${j.id}: ${j.status === 'failed' && j.nextRestartAt ? `failed, restarting in ${duration(j.nextRestartAt - Date.now())}` : j.status}\n${j.error}`));
    if (j.rejected) problems.push(el('div', { class: 'problem warn' }, `${j.id}: the edited file does not validate${j.status === 'invalid' ? '' : ' (the previous version keeps running)'}\n${j.rejected.error}`));
    // Where earlier output went (kept aside by a fresh start): the user must be able to find it.
    for (const n of j.notices ?? []) problems.push(el('div', { class: 'problem warn notice' }, `${j.id}: ${n.message} (${new Date(n.at).toISOString().slice(0, 19).replace('T', ' ')})`));
  }
  document.getElementById('problems').replaceChildren(...problems);
}

function renderSinks(state) {
  const out = [];
  for (const j of state.jobs) {
    for (const s of j.sinks) {
      const head = el('tr', {}, ...s.columns.map((c) => el('th', {}, c)));
      const rows = [...s.latest].reverse().map((r) => el('tr', {}, ...r.map((v) => el('td', {}, v === null ? 'NULL' : v))));
      out.push(
        el('div', { class: 'sink', 'data-sink': `${j.id}/${s.name}` },
          el('h3', {}, `${j.id} → ${s.name} `, el('span', { class: 'dim' }, `${fmt(s.rows)} rows, ${fmt(s.rowsWritten)} written out so far; the latest ${s.latest.length}, newest first`)),
          rows.length ? el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows)) : el('p', { class: 'dim' }, 'no rows yet'),
        ),
      );
    }
  }
  document.getElementById('sinks').replaceChildren(...(out.length ? out : [el('p', { class: 'dim' }, 'no sinks yet')]));
}

function renderChart(state) {
  const job = state.jobs.find((j) => j.chart && j.chart.series.some((s) => s.points.length > 0));
  const box = document.getElementById('chart');
  if (!job) return;
  const c = job.chart;
  document.getElementById('chart-caption').textContent = `— ${c.valueColumn} per ${c.seriesColumn} and window, from ${job.id} → ${c.sink}`;
  const W = Math.max(480, Math.min(1100, box.clientWidth || 900)), H = 300, L = 70, R = 110, T = 10, B = 30;
  const pts = c.series.flatMap((s) => s.points);
  const x0 = Math.min(...pts.map((p) => p[0])), x1 = Math.max(...pts.map((p) => p[0]));
  const y1 = Math.max(1, ...pts.map((p) => p[1]));
  const sx = (x) => L + (x1 === x0 ? (W - L - R) / 2 : ((x - x0) / (x1 - x0)) * (W - L - R));
  const sy = (y) => T + (1 - y / y1) * (H - T - B);
  const root = svg('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${c.valueColumn} per ${c.seriesColumn}` });
  root.append(svg('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }), svg('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }));
  for (const f of [0, 0.5, 1]) {
    const t = svg('text', { x: L - 6, y: sy(y1 * f) + 4, 'text-anchor': 'end' });
    t.textContent = fmt(Math.round(y1 * f));
    root.append(t);
  }
  for (const x of x1 === x0 ? [x0] : [x0, x1]) {
    const t = svg('text', { x: sx(x), y: H - B + 16, 'text-anchor': x === x0 && x1 !== x0 ? 'start' : 'end' });
    t.textContent = new Date(x).toISOString().slice(0, 16).replace('T', ' ');
    root.append(t);
  }
  c.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const g = svg('g', { class: 'series', 'data-name': s.name });
    if (s.points.length > 1) g.append(svg('polyline', { fill: 'none', stroke: color, 'stroke-width': 2, points: s.points.map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ') }));
    for (const p of s.points) g.append(svg('circle', { cx: sx(p[0]).toFixed(1), cy: sy(p[1]).toFixed(1), r: 2.5, fill: color }));
    const label = svg('text', { x: W - R + 8, y: T + 14 + i * 16, style: `fill: ${color}` });
    label.textContent = `● ${s.name}`;
    g.append(label);
    root.append(g);
  });
  box.replaceChildren(root);
}

function renderEvents(state) {
  document.getElementById('events').replaceChildren(
    ...[...state.events].reverse().map((e) => el('li', { class: e.level }, `${new Date(e.at).toISOString().slice(11, 19)} ${e.job}: ${e.message}`)),
  );
}

function render(state) {
  document.getElementById('dir').textContent = state.dir;
  renderJobs(state);
  renderChart(state);
  renderSinks(state);
  renderEvents(state);
}

function connect() {
  const conn = document.getElementById('conn');
  const es = new EventSource('api/events');
  es.addEventListener('status', (e) => {
    conn.textContent = 'live';
    conn.className = 'badge s-live';
    render(JSON.parse(e.data));
  });
  es.onerror = () => {
    conn.textContent = 'disconnected, retrying…';
    conn.className = 'badge s-down';
  };
}

connect();
