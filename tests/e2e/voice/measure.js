// Measures the DESIGN.md numbers in the rendered page: font sizes, line height, contrast, targets.
() => {
  const parse = (c) => {
    const m = c && c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const lum = ({ r, g, b }) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const background = (el) => {
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && !el.closest('[hidden]');
  };
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    if (!t.textContent.trim()) continue;
    const el = t.parentElement;
    if (!el || !visible(el) || el.closest('script,style')) continue;
    const s = getComputedStyle(el);
    let size = parseFloat(s.fontSize);
    let color = parse(s.color);
    let lineHeight = s.lineHeight === 'normal' ? null : parseFloat(s.lineHeight) / size;
    const isSvg = el instanceof SVGElement;
    if (isSvg) {
      const ctm = el.getScreenCTM();
      size = size * (ctm ? ctm.a : 1);
      color = parse(s.fill) || color;
      lineHeight = null; // single-line labels
    }
    texts.push({ text: t.textContent.trim().slice(0, 30), tag: el.tagName, size,
      lineHeight, contrast: ratio(color, background(el)), svg: isSvg });
  }
  const targets = [...document.querySelectorAll('button, a[href], [role=button], input, select')]
    .filter(visible).map((el) => {
      const r = el.getBoundingClientRect();
      return { text: (el.textContent || '').trim().slice(0, 20), width: r.width, height: r.height };
    });
  return { texts, targets };
}
