// Wall dashboard: draws its own SVG charts from /api/public/stats and /api/public/notices.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';
  const BLUE = '#0b3d91';

  function el(name, attrs, text) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function barChart(items) {
    const box = $('chart');
    box.replaceChildren();
    if (!items.length) {
      const p = document.createElement('p');
      p.className = 'empty';
      p.textContent = '本周还没有报事。';
      box.appendChild(p);
      return;
    }
    const rows = items.slice(0, 8);
    const max = Math.max(...rows.map((r) => r.count), 1);
    const rowH = 76, labelW = 300, width = 1000, numW = 110;
    const svg = el('svg', { viewBox: `0 0 ${width} ${rows.length * rowH}`, role: 'img',
      'aria-label': '本周报事分类：' + rows.map((r) => `${r.name}${r.count}件`).join('，') });
    rows.forEach((r, i) => {
      const y = i * rowH;
      const w = Math.max(6, (width - labelW - numW) * r.count / max);
      svg.appendChild(el('text', { x: labelW - 16, y: y + rowH / 2 + 14, 'text-anchor': 'end',
        'font-size': 40, fill: '#111' }, r.name));
      svg.appendChild(el('rect', { x: labelW, y: y + 10, width: w, height: rowH - 20, rx: 8, fill: BLUE }));
      svg.appendChild(el('text', { x: labelW + w + 14, y: y + rowH / 2 + 14, 'font-size': 40,
        'font-weight': 'bold', fill: '#111' }, String(r.count)));
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
    if (pct !== null) {
      svg.appendChild(el('circle', { cx: 110, cy: 110, r, fill: 'none', stroke: '#0a5d2a', 'stroke-width': 26,
        'stroke-dasharray': `${c * pct / 100} ${c}`, transform: 'rotate(-90 110 110)' }));
    }
    svg.appendChild(el('text', { x: 110, y: 130, 'text-anchor': 'middle', 'font-size': pct === null ? 40 : 56,
      'font-weight': 'bold', fill: '#111' }, pct === null ? '暂无' : `${pct}%`));
    box.appendChild(svg);
  }

  function renderStats(s) {
    $('kpi-created').textContent = s.created_this_week ?? '—';
    $('kpi-open').textContent = s.open ?? '—';
    $('kpi-overdue').textContent = s.overdue ?? '—';
    donut(s.closed_confirmed_rate);
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
      const p = document.createElement('p'); p.textContent = n.body;
      const d = document.createElement('p'); d.className = 'date'; d.textContent = (n.published_at || '').slice(0, 10);
      li.append(h, p, d);
      ul.appendChild(li);
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
  tick();
  setInterval(tick, 30000);
  refresh();
  setInterval(refresh, 60000);
})();
