// Wall dashboard: draws its own SVG chart from /api/public/stats and /api/public/notices, and
// 议事 from the deliberation part's public endpoints (/api/deliberation/polls?open=true: each
// open poll's question, turnout and tally; /api/deliberation/decisions: each decision's status
// and latest progress note). Every figure is defined once in the hub (cases/metrics.py,
// deliberation/polls.py); this page only shows them, and shows only what fits one screen (the
// chart folds its smallest rows into 其余N类; polls and decisions that do not fit take turns).
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';
  const BLUE = '#0b3d91';
  const FONT = 34; // px: the chart's labels (1 SVG unit = 1 screen pixel)
  const MIN_ROW = 58; // px: the smallest row that still reads from across the room

  function el(name, attrs, text) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** The rows that fit ``maxRows``: the largest categories, the rest folded into one row. */
  function fitRows(items, maxRows) {
    if (items.length <= maxRows) return items;
    const keep = items.slice(0, Math.max(1, maxRows - 1));
    const rest = items.slice(keep.length);
    return keep.concat([{ name: `其余${rest.length}类`, count: rest.reduce((n, r) => n + r.count, 0), folded: true }]);
  }

  let lastItems = [];

  function barChart(items) {
    lastItems = items;
    const box = $('chart');
    box.replaceChildren();
    if (!items.length) {
      const p = document.createElement('p');
      p.className = 'empty';
      p.textContent = '本周还没有新报的事。';
      box.appendChild(p);
      return;
    }
    const width = Math.max(300, box.clientWidth), height = Math.max(MIN_ROW, box.clientHeight);
    const rows = fitRows(items, Math.max(1, Math.floor(height / MIN_ROW)));
    const rowH = Math.min(84, height / rows.length);
    const longest = Math.max(...rows.map((r) => r.name.length));
    // labels as large as the width allows (a phone gets smaller ones, never cut-off ones)
    const font = Math.max(24, Math.min(FONT, (width * 0.45 - 20) / longest));
    const labelW = Math.min(width * 0.45, longest * font + 20);
    const numW = String(Math.max(...rows.map((r) => r.count))).length * font * 0.6 + 24;
    const max = Math.max(...rows.filter((r) => !r.folded).map((r) => r.count), 1);
    const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img',
      'data-total': String(rows.reduce((n, r) => n + r.count, 0)),
      'aria-label': '本周新报的事：' + rows.map((r) => `${r.name}${r.count}件`).join('，') });
    rows.forEach((r, i) => {
      const y = i * rowH, mid = y + rowH / 2 + font * 0.35;
      svg.appendChild(el('text', { x: labelW - 16, y: mid, 'text-anchor': 'end', 'font-size': font, fill: '#111' }, r.name));
      if (r.folded) { // several small categories together: a number, not a bar to compare
        svg.appendChild(el('text', { x: labelW, y: mid, 'font-size': font, 'font-weight': 'bold', fill: '#111' }, `共${r.count}件`));
        return;
      }
      const w = Math.max(6, (width - labelW - numW) * r.count / max);
      svg.appendChild(el('rect', { x: labelW, y: y + rowH * 0.15, width: w, height: rowH * 0.7, rx: 8, fill: BLUE }));
      svg.appendChild(el('text', { x: labelW + w + 12, y: mid, 'font-size': font, 'font-weight': 'bold', fill: '#111' }, String(r.count)));
    });
    box.appendChild(svg);
  }

  /** The share of this week's reports done and confirmed; none (no share to show) when there is
   *  no report this week or none is confirmed yet: "0%" reads as failure, not as "still at work". */
  function donut(rate) {
    const box = $('kpi-rate');
    box.replaceChildren();
    const none = rate === null || rate === undefined;
    const pct = none || Math.round(rate * 100) === 0 ? null : Math.round(rate * 100);
    const word = none ? '暂无' : '在办'; // no report this week / none confirmed yet
    const svg = el('svg', { viewBox: '0 0 220 220', role: 'img',
      'aria-label': pct === null ? `办结并确认：${none ? '本周暂无' : '还没有，都在办'}` : `办结并确认 ${pct}%` });
    const r = 90, c = 2 * Math.PI * r;
    svg.appendChild(el('circle', { cx: 110, cy: 110, r, fill: 'none', stroke: '#d0d0d0', 'stroke-width': 26 }));
    if (pct !== null && pct > 0) {
      svg.appendChild(el('circle', { cx: 110, cy: 110, r, fill: 'none', stroke: '#0a5d2a', 'stroke-width': 26,
        'stroke-dasharray': `${c * pct / 100} ${c}`, transform: 'rotate(-90 110 110)' }));
    }
    svg.appendChild(el('text', { x: 110, y: 130, 'text-anchor': 'middle', 'font-size': 60,
      'font-weight': 'bold', fill: '#111' }, pct === null ? word : `${pct}%`));
    box.appendChild(svg);
  }

  function renderStats(s) {
    $('kpi-created').textContent = s.reports_this_week ?? '—';
    $('kpi-open').textContent = s.open ?? '—';
    // 正在办 counts older reports too: say so, or it reads as contradicting 本周新报
    $('kpi-open-unit').textContent = s.overdue > 0 ? `件（含以前报的，${s.overdue} 件超时）` : '件（含以前报的）';
    donut(s.confirmed_rate);
    const reports = s.reports_this_week, confirmed = s.confirmed_this_week;
    $('kpi-rate-of').textContent = !reports ? '本周还没有新报的事'
      : confirmed ? `新报 ${reports} 件中的 ${confirmed} 件` : `新报的 ${reports} 件都还在办`;
    const h = s.avg_hours_to_fix;
    if (h === null || h === undefined) { $('kpi-hours').textContent = '—'; $('kpi-hours-unit').textContent = '本周暂无'; }
    else if (h >= 48) { $('kpi-hours').textContent = (h / 24).toFixed(1); $('kpi-hours-unit').textContent = '天'; }
    else { $('kpi-hours').textContent = h.toFixed(h < 10 ? 1 : 0); $('kpi-hours-unit').textContent = '小时'; }
    barChart((s.by_category || []).filter((r) => r.count > 0).sort((a, b) => b.count - a.count));
  }

  function renderNotices(list) {
    const ul = $('notices');
    ul.replaceChildren();
    if (!list.length) {
      const li = document.createElement('li');
      li.textContent = '暂无公告';
      ul.appendChild(li);
    }
    for (const n of list.slice(0, 5)) {
      const li = document.createElement('li');
      const h = document.createElement('h3'); h.textContent = n.title;
      const p = document.createElement('p'); p.className = 'body'; p.textContent = n.body;
      const d = document.createElement('p'); d.className = 'date';
      const whom = n.scope_kind && n.scope_kind !== 'community' && n.scope_label ? `给${n.scope_label} · ` : '';
      d.textContent = whom + localWhen((n.published_at || '').slice(0, 10));
      li.append(h, p, d);
      ul.appendChild(li);
    }
    // only whole notices: drop the last ones while the list runs past its panel
    while (ul.children.length > 1 && ul.scrollHeight > ul.clientHeight + 1) ul.lastElementChild.remove();
    const first = ul.firstElementChild;
    if (first && ul.scrollHeight > ul.clientHeight + 1) first.querySelector('.body')?.remove();
  }

  // ----- 议事 ---------------------------------------------------------------------------------
  const ROTATE_MS = 15000; // polls and decisions that do not fit take turns on the screen
  const yishi = { loaded: false, polls: null, decisions: null, pollStart: 0, decisionStart: 0, pollShown: 0, decisionShown: 0 };

  function node(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }
  function meter(fraction, label) {
    const m = node('div', 'meter');
    m.setAttribute('role', 'img');
    m.setAttribute('aria-label', label);
    const bar = node('span');
    bar.style.width = `${Math.max(0, Math.min(100, fraction * 100)).toFixed(1)}%`;
    m.appendChild(bar);
    return m;
  }
  /** "2026-12-11 18:00" (local, from the hub) → "12月11日 18:00". */
  function localWhen(text) {
    const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}:\d{2}))?/.exec(text || '');
    if (!m) return text || '';
    return `${Number(m[2])}月${Number(m[3])}日` + (m[4] ? ` ${m[4]}` : '');
  }
  function pollBlock(p) {
    const box = node('article', 'poll');
    box.dataset.poll = String(p.number);
    box.appendChild(node('h3', 'poll-q', p.question));
    const pct = Math.round((p.turnout || 0) * 100);
    const turnout = node('p', 'turnout');
    // a share only where it means something: not "占 0%", not out of an unknown number of homes
    if (!p.households) turnout.append(node('b', '', '还没有人投票'));
    else turnout.append(node('b', '', `已有 ${p.households} 户投票`));
    if (p.eligible_households) turnout.append(`，共 ${p.eligible_households} 户`);
    if (p.households && p.eligible_households && pct > 0) turnout.append('，占 ', node('span', 'pct', `${pct}%`));
    box.append(turnout);
    if (p.households && p.eligible_households) box.append(meter(p.turnout || 0, pct > 0 ? `投票户数占 ${pct}%` : '投票户数不到百分之一'));
    const tally = node('ul', 'tally');
    const total = (p.counts || []).reduce((a, b) => a + b, 0);
    (p.options || []).forEach((option, i) => {
      const count = (p.counts || [])[i] || 0;
      const li = node('li');
      const bar = node('span', 'bar');
      const fill = node('span');
      fill.style.width = total ? `${(100 * count / total).toFixed(1)}%` : '0';
      bar.appendChild(fill);
      li.append(node('span', 'opt', option), bar, node('span', 'cnt', `${count} 票`));
      tally.appendChild(li);
    });
    box.appendChild(tally);
    if (p.closes_at) box.appendChild(node('p', 'closes', `投票到 ${localWhen(p.closes_at)} 截止`));
    return box;
  }
  const STEPS = [['adopted', '采纳'], ['in_progress', '办理中'], ['done', '已完成']];
  function decisionBlock(d) {
    const box = node('article', 'decision');
    box.dataset.decision = String(d.number);
    box.dataset.status = d.status;
    box.appendChild(node('h3', '', d.title));
    const steps = node('p', 'steps');
    steps.setAttribute('aria-label', `办理情况：${d.status_label}`);
    if (d.status === 'rejected') {
      steps.appendChild(node('span', 'step now s-rejected', d.status_label || '未采纳'));
    } else {
      const at = STEPS.findIndex(([code]) => code === d.status);
      STEPS.forEach(([code, label], i) => {
        if (i) steps.appendChild(node('span', 'arrow', '→'));
        const cls = i === at ? `step now s-${code}` : (i < at ? 'step done' : 'step');
        steps.appendChild(node('span', cls, label));
      });
    }
    box.appendChild(steps);
    const notes = (d.notes || []).filter((n) => (n.text || '').trim());
    const last = notes[notes.length - 1];
    if (last) {
      const p = node('p', 'd-note');
      p.append(node('span', 'd-when', `${localWhen(last.at).split(' ')[0]}：`), last.text);
      box.appendChild(p);
    }
    return box;
  }
  /** Show ``items`` from ``start`` while they fit ``box`` (at least one); how many were shown. */
  function fitList(box, items, start, make) {
    box.replaceChildren();
    box.classList.remove('short');
    let shown = 0;
    for (let k = 0; k < items.length; k += 1) {
      const block = make(items[(start + k) % items.length]);
      box.appendChild(block);
      if (box.scrollHeight > box.clientHeight + 1) {
        if (shown === 0) { box.classList.add('short'); shown = 1; } else block.remove();
        break;
      }
      shown += 1;
    }
    return shown;
  }
  function emptyNote(box, text) {
    box.replaceChildren(node('p', 'empty', text));
  }
  function renderPolls() {
    const box = $('polls'), count = $('polls-count');
    if (!yishi.loaded) return;
    count.textContent = '';
    if (yishi.polls === null) { emptyNote(box, '投票情况暂时取不到，稍后自动再试。'); return; }
    if (!yishi.polls.length) { emptyNote(box, '现在没有正在进行的投票。'); return; }
    yishi.pollStart %= yishi.polls.length;
    yishi.pollShown = fitList(box, yishi.polls, yishi.pollStart, pollBlock);
    if (yishi.pollShown < yishi.polls.length) count.textContent = `共${yishi.polls.length}项，轮流显示`;
  }
  function renderDecisions() {
    const box = $('decisions'), count = $('decisions-count');
    if (!yishi.loaded) return;
    count.textContent = '';
    if (yishi.decisions === null) { emptyNote(box, '议事结果暂时取不到，稍后自动再试。'); return; }
    if (!yishi.decisions.length) { emptyNote(box, '还没有议事结果。'); return; }
    yishi.decisionStart %= yishi.decisions.length;
    yishi.decisionShown = fitList(box, yishi.decisions, yishi.decisionStart, decisionBlock);
    if (yishi.decisionShown < yishi.decisions.length) count.textContent = `共${yishi.decisions.length}项，轮流显示`;
  }
  async function refreshYishi() {
    const get = (url) => fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(r.status)));
    const [polls, decisions] = await Promise.allSettled([
      get('/api/deliberation/polls?open=true'), get('/api/deliberation/decisions'),
    ]);
    yishi.polls = polls.status === 'fulfilled' ? polls.value : null;
    yishi.decisions = decisions.status === 'fulfilled' ? decisions.value : null;
    yishi.loaded = true;
    renderPolls();
    renderDecisions();
    document.body.dataset.yishi = polls.status === 'fulfilled' && decisions.status === 'fulfilled' ? '1' : 'error';
  }
  function rotate() { // the next ones that did not fit, if any
    if (yishi.polls && yishi.pollShown < yishi.polls.length) { yishi.pollStart += yishi.pollShown; renderPolls(); }
    if (yishi.decisions && yishi.decisionShown < yishi.decisions.length) {
      yishi.decisionStart += yishi.decisionShown; renderDecisions();
    }
  }

  let zone = 'Asia/Shanghai'; // until the hub says (stats.timezone)

  async function refresh() {
    try {
      const [stats, notices] = await Promise.all([
        fetch('/api/public/stats').then((r) => (r.ok ? r.json() : Promise.reject(r.status))),
        fetch('/api/public/notices').then((r) => (r.ok ? r.json() : Promise.reject(r.status))),
      ]);
      if (stats.timezone) zone = stats.timezone;
      renderStats(stats);
      renderNotices(notices);
      $('updated').textContent = '更新于 ' + new Date().toLocaleTimeString('zh-CN', { timeZone: zone, hour: '2-digit', minute: '2-digit' });
      document.body.dataset.loaded = '1';
    } catch (err) {
      $('updated').textContent = '数据暂时取不到，稍后自动重试。';
      document.body.dataset.loaded = 'error';
    }
  }
  function tick() {
    const now = new Date();
    const tz = { timeZone: zone }; // the community's time (LINLI_TIMEZONE), whatever the kiosk's clock zone
    $('clock').textContent = now.toLocaleDateString('zh-CN', { ...tz, month: 'long', day: 'numeric', weekday: 'long' }) +
      ' ' + now.toLocaleTimeString('zh-CN', { ...tz, hour: '2-digit', minute: '2-digit' });
  }
  window.addEventListener('resize', () => { barChart(lastItems); renderPolls(); renderDecisions(); });
  tick();
  setInterval(tick, 30000);
  refresh();
  refreshYishi();
  setInterval(refresh, 60000);
  setInterval(refreshYishi, 60000);
  setInterval(rotate, ROTATE_MS);
})();
