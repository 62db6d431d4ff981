extension Dashboard {
    /// The page's script, `/ui/dashboard.js`: follows the cluster through one `/ordinal/v1/watch` stream and renders it.
    static let script = #"""
'use strict';
// Ordinal's dashboard: one stream (/ordinal/v1/watch) carries every watched kind's objects,
// then their changes, and a STATUS line each second with the members and Raft; a browser's
// six connections per host are then enough for several tabs. Renders are coalesced to one
// per 100 ms, so a burst of changes costs one paint.
const state = {
  members: [], raft: null, leader: null, observer: '',
  kinds: { Pod: new Map(), StatefulSet: new Map(), Node: new Map(), PersistentVolumeClaim: new Map(), Event: new Map() },
  filter: '', open: new Set(), lastChange: null, error: null, needToken: false,
};
const streamPath = '/ordinal/v1/watch?status=true&kinds=pods,statefulsets,nodes,persistentvolumeclaims,events';
let token = sessionStorage.getItem('ordinal.token') || '';
if (location.hash.startsWith('#token=')) {
  token = decodeURIComponent(location.hash.slice(7));
  sessionStorage.setItem('ordinal.token', token);
  history.replaceState(null, '', location.pathname);
}

const keyOf = (object) => (object.metadata.namespace ? object.metadata.namespace + '/' : '') + object.metadata.name;
const emptyKinds = () => Object.fromEntries(Object.keys(state.kinds).map((kind) => [kind, new Map()]));

// Reads the stream; on an error or its end, starts over. A new stream's initial objects
// are collected apart and replace the old ones at its bookmark, so nothing flickers and
// objects deleted while disconnected disappear.
async function follow() {
  for (;;) {
    try {
      const response = await fetch(streamPath, { headers: token ? { Authorization: 'Bearer ' + token } : {}, cache: 'no-store' });
      if (response.status === 401) {
        state.needToken = true;
        scheduleRender();
        await new Promise((resolve) => { tokenWaiter = resolve; });
        continue;
      }
      if (!response.ok || !response.body) throw new Error('the agent answered ' + response.status);
      let kinds = emptyKinds();
      let live = false;
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let pending = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        pending += decoder.decode(value, { stream: true });
        let newline;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (!line.trim()) continue;
          const event = JSON.parse(line);
          if (event.type === 'STATUS') {
            state.members = event.members.members;
            state.observer = event.members.observer;
            state.raft = event.raft;
            state.leader = event.leader || null;
            scheduleRender();
          } else if (event.type === 'BOOKMARK') {
            state.kinds = kinds;
            live = true;
            state.error = null;
            changed();
          } else if (event.object && kinds[event.object.kind]) {
            apply(kinds[event.object.kind], event);
            if (live) changed();
          }
        }
      }
      state.error = 'the stream ended; reconnecting';
    } catch (error) {
      state.error = String(error.message || error);
    }
    scheduleRender();
    await sleep(1000);
  }
}

function apply(objects, event) {
  if (!event.object || !event.object.metadata) return;
  if (event.type === 'DELETED') objects.delete(keyOf(event.object));
  else if (event.type === 'ADDED' || event.type === 'MODIFIED') objects.set(keyOf(event.object), event.object);
  if (event.object.kind === 'Event' && objects.size > 500) {
    const oldest = [...objects.values()].sort((a, b) => eventTime(a).localeCompare(eventTime(b))).slice(0, objects.size - 400);
    for (const item of oldest) objects.delete(keyOf(item));
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let tokenWaiter = null;

function changed() { state.lastChange = new Date(); scheduleRender(); }

let renderTimer = null;
function scheduleRender() {
  if (renderTimer === null) renderTimer = setTimeout(() => { renderTimer = null; render(); }, 100);
}

const escapeMap = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => escapeMap[c]);
const byName = (a, b) => a.localeCompare(b, undefined, { numeric: true });
const matches = (...texts) => !state.filter || texts.some((t) => String(t ?? '').toLowerCase().includes(state.filter));

function podReady(pod) {
  return (pod.status?.conditions || []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function podPhase(pod) {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  return pod.status?.phase || 'Pending';
}

function claimsOf(pod) {
  return (pod.spec?.volumes || []).filter((v) => v.persistentVolumeClaim).map((v) => {
    const name = v.persistentVolumeClaim.claimName;
    const claim = state.kinds.PersistentVolumeClaim.get(pod.metadata.namespace + '/' + name);
    return name + (claim?.spec?.volumeName ? ' → ' + claim.spec.volumeName : ' (unbound)');
  });
}

function ordinalOf(pod) {
  const index = pod.metadata.labels?.['apps.kubernetes.io/pod-index'];
  if (index !== undefined) return Number(index);
  const match = /-(\d+)$/.exec(pod.metadata.name);
  return match ? Number(match[1]) : 0;
}

function ownerSet(pod) {
  const owner = (pod.metadata.ownerReferences || []).find((o) => o.kind === 'StatefulSet');
  return owner ? pod.metadata.namespace + '/' + owner.name : null;
}

function eventTime(event) {
  return event.lastTimestamp || event.eventTime || event.firstTimestamp || event.metadata.creationTimestamp || '';
}

function renderSummary() {
  const pods = [...state.kinds.Pod.values()];
  const running = pods.filter((p) => podPhase(p) === 'Running').length;
  const ready = pods.filter(podReady).length;
  const alive = state.members.filter((m) => m.state === 'alive').length;
  const sets = [...state.kinds.StatefulSet.values()];
  const settled = sets.filter((s) => (s.status?.readyReplicas || 0) === (s.spec.replicas ?? 1)).length;
  const leader = state.raft?.leader || 'none';
  const errors = state.error ? `<span class="error">${esc(state.error)}</span>` : '';
  return `<div class="stat"><b id="alive-count">${alive}</b>/${state.members.length} agents alive</div>
    <div class="stat">leader <b id="leader">${esc(leader)}</b> term ${esc(state.raft?.term ?? '?')}</div>
    <div class="stat"><b id="ready-count">${ready}</b>/${pods.length} pods ready, ${running} running</div>
    <div class="stat">${settled}/${sets.length} StatefulSets at their replicas</div>
    <div class="stat muted">served by ${esc(state.observer)}; last change ${state.lastChange ? esc(state.lastChange.toLocaleTimeString()) : '—'}</div>
    ${errors}`;
}

function raftRole(name) {
  const raft = state.raft;
  if (!raft) return '—';
  if (raft.leader === name) return 'leader';
  if (raft.voters.includes(name)) return 'voter';
  if (raft.learners.includes(name)) return 'learner';
  return '—';
}

function lagOf(name) {
  const leader = state.leader;
  if (!leader) return name === state.raft?.node ? String(state.raft.commitIndex - state.raft.appliedIndex) : '—';
  if (name === leader.node) return '0';
  const match = leader.progress?.[name];
  return match === undefined ? '—' : String(Math.max(0, leader.lastIndex - match));
}

function renderMembers() {
  const rows = state.members.filter((m) => matches(m.name, m.address, m.state)).sort((a, b) => byName(a.name, b.name)).map((m) => `
    <tr data-member="${esc(m.name)}" data-state="${esc(m.state)}">
      <td>${esc(m.name)}</td><td><span class="badge ${esc(m.state)}">${esc(m.state)}</span></td>
      <td>${esc(m.address)}</td><td>${esc(m.metadata?.api)}</td>
      <td data-role>${esc(raftRole(m.name))}</td><td>${esc(state.leader?.term ?? state.raft?.term ?? '')}</td><td data-lag>${esc(lagOf(m.name))}</td>
    </tr>`).join('');
  return `<table><thead><tr><th>Agent</th><th>State</th><th>Peer address</th><th>API</th><th>Raft</th><th>Term</th><th>Lag (entries)</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function podRow(pod) {
  const key = keyOf(pod);
  const phase = podPhase(pod);
  const ready = podReady(pod);
  return `<tr data-pod="${esc(key)}" data-phase="${esc(phase)}" data-ready="${ready}" data-node="${esc(pod.spec?.nodeName || '')}">
    <td>${esc(ordinalOf(pod))}</td><td>${esc(pod.metadata.name)}</td><td><span class="badge ${esc(phase)}">${esc(phase)}</span></td>
    <td>${ready ? '✔' : '✘'}</td><td>${esc(pod.spec?.nodeName || '—')}</td><td>${esc(pod.status?.podIP || '—')}</td>
    <td>${claimsOf(pod).map(esc).join('<br>') || '—'}</td></tr>`;
}

function chip(pod) {
  const phase = podPhase(pod);
  const cls = podReady(pod) ? 'ready' : phase;
  return `<span class="chip ${esc(cls)}" title="${esc(pod.metadata.name)} ${esc(phase)} on ${esc(pod.spec?.nodeName || '—')}">${esc(ordinalOf(pod))}</span>`;
}

function renderSets() {
  const bySet = new Map();
  const loose = [];
  for (const pod of state.kinds.Pod.values()) {
    const owner = ownerSet(pod);
    if (owner && state.kinds.StatefulSet.has(owner)) {
      if (!bySet.has(owner)) bySet.set(owner, []);
      bySet.get(owner).push(pod);
    } else loose.push(pod);
  }
  const sections = [...state.kinds.StatefulSet.values()].sort((a, b) => byName(keyOf(a), keyOf(b))).map((set) => {
    const key = keyOf(set);
    const pods = (bySet.get(key) || []).sort((a, b) => ordinalOf(a) - ordinalOf(b));
    const shown = pods.filter((p) => matches(key, p.metadata.name, p.spec?.nodeName, p.status?.podIP, podPhase(p)));
    if (!shown.length && !matches(key)) return '';
    const open = state.open.has(key) || (pods.length <= 50 && !state.open.has('!' + key)) || state.filter;
    return `<details data-set="${esc(key)}" ${open ? 'open' : ''}>
      <summary><b>${esc(key)}</b> <span data-ready-replicas>${set.status?.readyReplicas || 0}</span>/${esc(set.spec.replicas ?? 1)} ready
        <span class="chips">${pods.map(chip).join('')}</span></summary>
      <table><thead><tr><th>#</th><th>Pod</th><th>Phase</th><th>Ready</th><th>Node</th><th>Address</th><th>Volumes</th></tr></thead>
      <tbody>${shown.map(podRow).join('')}</tbody></table></details>`;
  }).join('');
  const others = loose.filter((p) => matches(p.metadata.name, p.spec?.nodeName));
  const rest = others.length ? `<details open data-set=""><summary><b>Pods without a StatefulSet</b></summary><table><tbody>${others.map(podRow).join('')}</tbody></table></details>` : '';
  return (sections + rest) || '<p class="muted">No StatefulSets.</p>';
}

function renderNodes() {
  const podsByNode = new Map();
  for (const pod of state.kinds.Pod.values()) {
    const node = pod.spec?.nodeName;
    if (!node) continue;
    if (!podsByNode.has(node)) podsByNode.set(node, []);
    podsByNode.get(node).push(pod);
  }
  const cards = [...state.kinds.Node.values()].sort((a, b) => byName(a.metadata.name, b.metadata.name)).filter((n) => matches(n.metadata.name, ...(podsByNode.get(n.metadata.name) || []).map((p) => p.metadata.name))).map((node) => {
    const name = node.metadata.name;
    const ready = (node.status?.conditions || []).some((c) => c.type === 'Ready' && c.status === 'True');
    const pods = (podsByNode.get(name) || []).sort((a, b) => byName(keyOf(a), keyOf(b)));
    return `<div class="card" data-node="${esc(name)}"><div><b>${esc(name)}</b> <span class="badge ${ready ? 'alive' : 'dead'}">${ready ? 'Ready' : 'NotReady'}</span>
      ${node.spec?.unschedulable ? '<span class="badge suspect">cordoned</span>' : ''} <span class="muted">${pods.length} pods ${esc(node.spec?.podCIDR || '')}</span></div>
      <div class="names">${pods.map((p) => `<span class="name ${podReady(p) ? 'ready' : esc(podPhase(p))}">${esc(p.metadata.name)}</span>`).join(' ')}</div></div>`;
  }).join('');
  return cards || '<p class="muted">No nodes.</p>';
}

function renderEvents() {
  const events = [...state.kinds.Event.values()].filter((e) => matches(e.reason, e.message, e.involvedObject?.name))
    .sort((a, b) => eventTime(b).localeCompare(eventTime(a))).slice(0, 40);
  const rows = events.map((e) => `<tr><td>${esc(eventTime(e).replace('T', ' ').replace('Z', ''))}</td><td class="${e.type === 'Warning' ? 'warn' : ''}">${esc(e.type)}</td>
    <td>${esc((e.involvedObject?.kind || '') + '/' + (e.involvedObject?.name || ''))}</td><td>${esc(e.reason)}</td><td>${esc(e.message)}</td></tr>`).join('');
  return `<table><thead><tr><th>Time</th><th>Type</th><th>Object</th><th>Reason</th><th>Message</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function render() {
  document.getElementById('token-form').hidden = !state.needToken;
  document.getElementById('summary').innerHTML = renderSummary();
  document.getElementById('members').innerHTML = renderMembers();
  document.getElementById('sets').innerHTML = renderSets();
  document.getElementById('nodes').innerHTML = renderNodes();
  document.getElementById('events').innerHTML = renderEvents();
  document.body.dataset.rendered = String(Date.now());
}

document.addEventListener('toggle', (event) => {
  const key = event.target.dataset?.set;
  if (key === undefined) return;
  state.open.delete(key); state.open.delete('!' + key);
  state.open.add(event.target.open ? key : '!' + key);
}, true);

document.getElementById('filter').addEventListener('input', (event) => {
  state.filter = event.target.value.trim().toLowerCase();
  render();
});

document.getElementById('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  token = document.getElementById('token').value.trim();
  sessionStorage.setItem('ordinal.token', token);
  state.needToken = false;
  if (tokenWaiter) tokenWaiter();
  tokenWaiter = null;
  render();
});

follow();
render();
"""#
}
