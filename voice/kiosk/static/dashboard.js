// Wall dashboard: draws its own SVG chart from /api/public/stats and /api/public/notices.
// Every figure is defined once in the hub (cases/metrics.py); this page only shows them, and
// shows only what fits one screen (the chart folds its smallest rows into 其余N类).
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
      p.textContent = '本周还没有报事。';
      box.appendChild(p);
      return;
    }
    const width = Math.max(300, box.clientWidth), height = Math.max(MIN_ROW, box.clientHeight);
    const rows = fitRows(items, Math.max(1, Math.floor(height / MIN_ROW)));
    const rowH = Math.min(84, height / rows.length);
    const longest = Math.max(...rows.map((r) => r.name.length));
    const labelW = Math.min(width * 0.4, longest * FONT + 20);
    const numW = String(Math.max(...rows.map((r) => r.count))).length * FONT * 0.6 + 24;
    const max = Math.max(...rows.filter((r) => !r.folded).map((r) => r.count), 1);
    const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img',
      'data-total': String(rows.reduce((n, r) => n + r.count, 0)),
      'aria-label': '本周报事分类：' + rows.map((r) => `${r.name}${r.count}件`).join('，') });
    rows.forEach((r, i) => {
      const y = i * rowH, mid = y + rowH / 2 + FONT * 0.35;
      svg.appendChild(el('text', { x: labelW - 16, y: mid, 'text-anchor': 'end', 'font-size': FONT, fill: '#111' }, r.name));
      if (r.folded) { // several small categories together: a number, not a bar to compare
        svg.appendChild(el('text', { x: labelW, y: mid, 'font-size': FONT, 'font-weight': 'bold', fill: '#111' }, `共${r.count}件`));
        return;
      }
      const w = Math.max(6, (width - labelW - numW) * r.count / max);
      svg.appendChild(el('rect', { x: labelW, y: y + rowH * 0.15, width: w, height: rowH * 0.7, rx: 8, fill: BLUE }));
      svg.appendChild(el('text', { x: labelW + w + 12, y: mid, 'font-size': FONT, 'font-weight': 'bold', fill: '#111' }, String(r.count)));
    });
    box.appendChild(svg);
  }

  function donut(rate) {
    const box = $('kpi-rate');
    box.replaceChildren();
    const pct = rate === null || rate === undefined ? null : Math.round(rate * 100);
    const svg = el('svg', { viewBox: '0 0 220 220', role: 'img',
      'aria-label': pct === null ? '办结并确认率：本周暂无' : `办结并确认率 ${pct}%` });
    const r = 90, c = 2 * Math.PI * r;
    svg.appendChild(el('circle', { cx: 110, cy: 110, r, fill: 'none', stroke: '#d0d0d0', 'stroke-width': 26 }));
    if (pct !== null && pct > 0) {
      svg.appendChild(el('circle', { cx: 110, cy: 110, r, fill: 'none', stroke: '#0a5d2a', 'stroke-width': 26,
        'stroke-dasharray': `${c * pct / 100} ${c}`, transform: 'rotate(-90 110 110)' }));
    }
    svg.appendChild(el('text', { x: 110, y: 130, 'text-anchor': 'middle', 'font-size': pct === null ? 50 : 60,
      'font-weight': 'bold', fill: '#111' }, pct === null ? '暂无' : `${pct}%`));
    box.appendChild(svg);
  }

  function renderStats(s) {
    $('kpi-created').textContent = s.reports_this_week ?? '—';
    $('kpi-open').textContent = s.open ?? '—';
    $('kpi-overdue').textContent = s.overdue ?? '—';
    donut(s.confirmed_rate);
    $('kpi-rate-of').textContent = s.reports_this_week ? `${s.confirmed_this_week} / ${s.reports_this_week} 件` : '本周暂无报事';
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
      const d = document.createElement('p'); d.className = 'date'; d.textContent = (n.published_at || '').slice(0, 10);
      li.append(h, p, d);
      ul.appendChild(li);
    }
    // only whole notices: drop the last ones while the list runs past its panel
    while (ul.children.length > 1 && ul.scrollHeight > ul.clientHeight + 1) ul.lastElementChild.remove();
    const first = ul.firstElementChild;
    if (first && ul.scrollHeight > ul.clientHeight + 1) first.querySelector('.body')?.remove();
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
  window.addEventListener('resize', () => barChart(lastItems));
  tick();
  setInterval(tick, 30000);
  refresh();
  setInterval(refresh, 60000);
})();
