// 邻里 kiosk (长辈版): voice and touch over one /kiosk/ws session. No external libraries.
// Touch: every reply carries a `touch` hint (start buttons, answer buttons, the number pad,
// the building picker, a text box); taps, digits and typed words go over the same WebSocket
// as speech, so the dialogue sees one conversation. Without a working microphone the page
// never shows a listening or recording state: it says plainly to use the buttons.
// States: connecting → listening (mic open, waiting for speech) → recording (speech detected,
// streaming PCM) → thinking (server recognising / asking the dialogue) → speaking (reply audio)
// → listening again. "paused": mic closed until the big button is pressed.
// Barge-in: while speaking, the microphone stays open (echo cancellation on) with a stricter
// detector; when someone talks the kiosk lowers its voice at once and pauses it when they stop.
// The short utterance goes to the server as a barge-in ("停" stops, "再说一遍" repeats, the
// kiosk's own echo or noise is ignored and the speech resumes, anything else is taken as the
// answer); talking on for over a second takes the turn outright.
(() => {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const cfg = {
    end_silence_ms: 1500, idle_timeout_s: 90, max_utterance_s: 30, sample_rate: 16000, barge_in: true,
  };
  const FRAME_MS = 20;
  const PREROLL_FRAMES = 20;        // 400 ms kept before speech onset
  const ONSET_FRAMES = 3;           // 60 ms above threshold starts an utterance
  const ARM_QUIET_FRAMES = 10;      // 200 ms of quiet needed first (never start mid-sentence)
  const MIN_VOICED_FRAMES = 8;      // < 160 ms of voice: a click or cough, ignored
  const NO_SPEECH_MS = 12000;       // a tapped recording with no voice gives up after this
  const BARGE_MIN_LEVEL = 800;      // while speaking: louder than residual echo of our own voice
  const BARGE_ONSET_FRAMES = 4;     // 80 ms of voice over our own speech ducks it
  const BARGE_END_SILENCE_MS = 600; // "停" is short: answer fast
  const BARGE_TAKEOVER_FRAMES = 60; // 1.2 s of voice: the resident is answering, stop talking
  const DUCK = 0.2;                 // our voice drops to a fifth while someone talks

  const kiosk = {
    ws: null, session: sessionStorage.getItem('kiosk-session') || null,
    state: 'connecting', paused: false, expect: 'free', volume: 1.0, rate: 125,
    lastReply: null, log: [], turnEndAt: null, bargePending: false,
    mic: 'unknown', // 'ok' once a microphone opened, 'none' when there is none or it is refused
    notices: [], noticesClosed: false, readingNotices: false, // the welcome screen's notices
    lastResident: 0, // when someone last touched the screen or started talking
    pad: { kind: null, max: 12, digits: '' },
  };
  window.__kiosk = kiosk; // for tests and the bench

  // ----- UI ------------------------------------------------------------------------------
  const STATUS = {
    connecting: '正在连接，请稍等……',
    listening: '请说话，我在听……也可以点屏幕上的按钮',
    recording: '正在听您说……说完停一下就好',
    thinking: '请稍等，我正在想……',
    speaking: '正在说……',
    paused: '请点屏幕上的按钮，或者按“点我说话”',
    touch: '话筒用不了，请点屏幕上的按钮，一样能办。',
    notices: '正在读社区公告……不想听请点“关闭”',
    offline: '连接断开了，正在重新连接……',
  };
  function setState(s) {
    // never claim to listen, nor point to 点我说话, without a microphone
    if (kiosk.mic === 'none' && (s === 'listening' || s === 'recording' || s === 'paused')) s = 'touch';
    kiosk.state = s;
    document.body.dataset.state = s;
    $('status').textContent = STATUS[s] || '';
    let label = '点我说话';
    if (kiosk.mic === 'none') label = '话筒用不了';
    else if (s === 'recording') label = '我说完了';
    else if (s === 'listening') label = '正在听，请说';
    $('talk-label').textContent = label;
  }
  function setMicNone(reason) {
    kiosk.mic = 'none';
    document.body.dataset.mic = 'none';
    document.querySelector('.typing-label').textContent = '请在这里写：'; // not "也可以": it is the way
    logEvent('mic_unavailable', { reason: String(reason || '') });
    send({ type: 'mic', ok: false }); // the kiosk then also says where to tap
    setState(kiosk.state === 'speaking' || kiosk.state === 'thinking' ? kiosk.state : 'touch');
    if (kiosk.state !== 'touch') $('status').textContent = STATUS.touch;
  }
  function setMicOk() {
    if (kiosk.mic === 'ok') return;
    kiosk.mic = 'ok';
    document.body.dataset.mic = 'ok';
    send({ type: 'mic', ok: true });
  }
  function logEvent(type, extra) {
    kiosk.log.push(Object.assign({ type, t: performance.now() }, extra || {}));
    if (kiosk.log.length > 500) kiosk.log.shift();
  }
  function showHeard(text, label) {
    $('heard').hidden = !text;
    $('heard-label').textContent = label || '我听到的是：';
    $('heard-text').textContent = text || '';
  }
  function clearScreen() {
    showHeard('');
    $('reply').replaceChildren();
    $('answers').replaceChildren();
    $('case').hidden = true;
    $('case-no').textContent = '';
    $('view').hidden = true;
    $('answers-label').hidden = true;
    hidePad();
    $('typing').hidden = true;
    $('notices').hidden = true;
    document.body.classList.remove('has-case');
  }
  const ONE_LINE_ROWS = new Set(['编号', '预计办好', '登记时间']);
  function renderView(view) {
    $('view').hidden = !view;
    if (!view) return;
    $('view-title').textContent = view.title || '事项进度';
    const rows = $('view-rows');
    rows.replaceChildren();
    for (const [label, value] of view.rows || []) {
      const dt = document.createElement('dt'); dt.textContent = label;
      const dd = document.createElement('dd'); dd.textContent = value;
      if (ONE_LINE_ROWS.has(label)) dd.className = 'nowrap'; // never split a number or a time
      rows.append(dt, dd);
    }
    const hist = $('view-history');
    hist.replaceChildren();
    for (const [when, text] of view.history || []) {
      const li = document.createElement('li');
      const w = document.createElement('span'); w.className = 'when'; w.textContent = when;
      li.append(w, '  ' + text);
      hist.appendChild(li);
    }
  }
  function answerClass(b) {
    if (b.title === '对' || b.title === '解决了') return 'btn btn-yes';
    if (b.title === '不对' || b.title === '没解决') return 'btn btn-no';
    return 'btn btn-answer';
  }
  function renderAnswers(buttons, t) {
    const answers = $('answers');
    answers.replaceChildren();
    answers.className = 'answers panel-' + ((t && t.panel) || 'answers');
    answers.style.setProperty('--cols', String((t && t.columns) || (buttons.length > 4 ? 4 : 2)));
    for (const b of buttons) {
      const el = document.createElement('button');
      el.type = 'button';
      el.textContent = b.title;
      el.className = answerClass(b);
      el.dataset.payload = b.payload || b.title;
      el.addEventListener('click', () => { touch(); ensureOutCtx(); sendButton(b); });
      answers.appendChild(el);
    }
  }
  function renderTouch(t) {
    if (t && t.keypad) showPad(t.keypad); else hidePad();
    $('typing').hidden = !(t && t.text_box);
    $('answers-label').hidden = !(t && t.label);
    $('answers-label').textContent = (t && t.label) || '';
  }
  function renderReply(ev) {
    const reply = $('reply');
    reply.replaceChildren();
    const buttons = [];
    for (const m of ev.messages || []) {
      if (m.text) {
        const p = document.createElement('p');
        p.textContent = m.text;
        reply.appendChild(p);
      }
      for (const b of m.buttons || []) buttons.push(b);
    }
    const t = ev.touch || null;
    for (const b of (t && t.quick) || []) buttons.push(b);
    renderAnswers(buttons, t);
    renderTouch(t);
    if (ev.notices) setNotices(ev.notices);
    renderNotices(); // only beside the start buttons
    renderView(ev.view || null);
    if (ev.heard && !$('heard').hidden) $('heard-text').textContent = ev.heard; // "5号楼2单元301室"
    if (!ev.case_no) {
      $('case').hidden = true;
      document.body.classList.remove('has-case');
    } else {
      $('case').hidden = false;
      $('case-no').textContent = ev.case_no;
      document.body.classList.add('has-case');
      // the slip's address carries the resident's access code; without one there is no slip
      $('case-print').hidden = !ev.print_url;
      $('case-print').href = ev.print_url || '#';
    }
  }

  // ----- community notices on the welcome screen -------------------------------------------
  // Shown beside the start buttons (at most 3, newest first); read out once when the welcome
  // comes back after the kiosk was idle (the server sends their speech only then), never over
  // someone who is talking or using the kiosk; 再听一遍 reads them again, 关闭 stops and hides.
  // Each is shown whole, wrapped, up to 3 lines; a longer one ends in "…" and 看全文 opens it.
  function setNotices(n) {
    kiosk.notices = (n && n.items) || [];
    kiosk.noticesClosed = false;
  }
  function renderNotices() {
    const box = $('notices');
    const onWelcome = $('answers').classList.contains('panel-start') && !$('answers').hidden;
    const show = onWelcome && kiosk.notices.length > 0 && !kiosk.noticesClosed;
    box.hidden = !show;
    if (!show) return;
    const list = $('notices-list');
    list.replaceChildren();
    list.classList.remove('short', 'reading');
    for (const n of kiosk.notices.slice(0, 3)) {
      const li = document.createElement('li');
      const h = document.createElement('h3'); h.className = 'notice-title'; h.textContent = n.title;
      const p = document.createElement('p'); p.className = 'notice-body'; p.textContent = n.body;
      li.append(h, p);
      const when = [n.scope ? `给${n.scope}` : '', n.date ? `${n.date}发布` : ''].filter(Boolean).join(' · ');
      if (when) {
        const d = document.createElement('p'); d.className = 'notice-date'; d.textContent = when;
        li.appendChild(d);
      }
      list.appendChild(li);
    }
    fitNotices();
    markLongNotices();
  }
  function fitNotices() { // the large screen shows one whole screen: fewer notices, never one-line ones
    if (window.innerWidth < 1000) return; // a narrow screen scrolls instead
    const list = $('notices-list');
    const over = () => document.documentElement.scrollHeight > window.innerHeight + 1;
    while (over() && list.children.length > 1) list.lastElementChild.remove();
    if (over()) list.classList.add('short'); // one notice left: two lines of it, and 看全文
  }
  function markLongNotices() { // a notice cut short ends in "…" (line clamp) and gets 看全文
    for (const li of $('notices-list').children) {
      const body = li.querySelector('.notice-body');
      if (!body) continue;
      const shown = body.clientHeight;
      body.classList.add('whole'); // measured without the clamp
      const whole = body.clientHeight;
      body.classList.remove('whole');
      if (whole <= shown + 1) continue;
      const more = document.createElement('button');
      more.type = 'button';
      more.className = 'btn btn-secondary notices-btn notice-more';
      more.textContent = '看全文';
      more.addEventListener('click', () => toggleNotice(li, more));
      li.appendChild(more);
    }
  }
  function toggleNotice(li, more) { // one notice in full (the others step aside), or back
    const list = $('notices-list');
    const open = !li.classList.contains('open');
    for (const other of list.children) other.classList.remove('open');
    li.classList.toggle('open', open);
    list.classList.toggle('reading', open);
    more.textContent = open ? '收起' : '看全文';
    logEvent(open ? 'notice_opened' : 'notice_closed');
  }
  function residentBusy() { // talking, waiting for an answer, or hearing one
    return kiosk.state === 'recording' || kiosk.state === 'thinking' || !!(vad && vad.inSpeech) ||
      currentSource !== null || kiosk.bargePending;
  }
  function autoReadNotices(n) { // after idle: once, and only to an empty, quiet kiosk
    if (!n || !n.autoplay || !n.audio || $('notices').hidden) return false;
    if (residentBusy() || Date.now() - kiosk.lastResident < 3000) { logEvent('notices_skipped'); return false; }
    readNotices(n.audio);
    return true;
  }
  function readNotices(audio) {
    logEvent('notices_read');
    playAudio(audio, { notices: true });
  }
  function stopNotices() {
    if (!kiosk.readingNotices) return;
    stopSpeaking();
    logEvent('notices_stopped');
    afterSpeaking();
  }
  window.addEventListener('resize', () => { if (!$('notices-list').classList.contains('reading')) renderNotices(); });

  // ----- WebSocket -----------------------------------------------------------------------
  function connect() {
    setState('connecting');
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(proto + '//' + location.host + '/kiosk/ws');
    ws.binaryType = 'arraybuffer';
    kiosk.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', session: kiosk.session, mic: kiosk.mic }));
    ws.onmessage = (e) => { try { onEvent(JSON.parse(e.data)); } catch (err) { console.error(err); } };
    ws.onclose = () => {
      if (kiosk.ws !== ws) return;
      stopMic();
      setState('offline');
      setTimeout(connect, 2000);
    };
  }
  function send(obj) {
    if (kiosk.ws && kiosk.ws.readyState === WebSocket.OPEN) { kiosk.ws.send(JSON.stringify(obj)); return true; }
    return false;
  }
  function sendButton(b) {
    stopSpeaking();
    stopMic();
    if (b.payload === 'kiosk:done') { // finished: a fresh screen (and session) for the next person
      clearScreen();
      sessionStorage.removeItem('kiosk-session');
      send({ type: 'command', name: 'reset' });
      return;
    }
    showHeard(b.title, '您点的是：');
    send({ type: 'button', title: b.title, payload: b.payload });
  }

  // ----- number pad ------------------------------------------------------------------------
  function groups(kind, d) {
    if (kind === 'phone') {
      if (d.startsWith('0')) {
        const area = (d[1] === '1' || d[1] === '2') ? 3 : 4;
        const rest = d.slice(area);
        return [d.slice(0, area), ...(rest.match(/.{1,4}/g) || [])].filter(Boolean);
      }
      return [d.slice(0, 3), d.slice(3, 7), d.slice(7)].filter(Boolean);
    }
    if (kind === 'case' && d.length > 4) return [d.slice(0, 8), d.slice(8)].filter(Boolean);
    return d ? [d] : [];
  }
  function padText() { return groups(kiosk.pad.kind, kiosk.pad.digits).join(' '); }
  function showPad(k) {
    const changed = kiosk.pad.kind !== k.kind || $('keypad').hidden;
    kiosk.pad.kind = k.kind; kiosk.pad.max = k.max || 12;
    if (changed) kiosk.pad.digits = '';
    $('pad-label').textContent = '请输入' + (k.label || '');
    $('pad-display').textContent = padText();
    $('keypad').hidden = false;
  }
  function hidePad() {
    $('keypad').hidden = true;
    kiosk.pad.kind = null; kiosk.pad.digits = '';
  }
  function padKey(key) {
    touch(); ensureOutCtx(); pingSoon();
    const p = kiosk.pad;
    if (key === 'clear') p.digits = '';
    else if (key === 'back') p.digits = p.digits.slice(0, -1);
    else if (p.digits.length < p.max) p.digits += key;
    $('pad-display').textContent = padText();
  }
  function padSubmit() {
    touch(); ensureOutCtx();
    const p = kiosk.pad;
    if (!p.digits) { $('status').textContent = '请先按数字，再按“确定”。'; return; }
    stopSpeaking(); stopMic();
    showHeard(padText(), '您输入的是：');
    logEvent('digits', { kind: p.kind, text: p.digits });
    send({ type: 'digits', value: p.digits });
  }
  document.querySelectorAll('#keypad .key').forEach((el) => {
    el.addEventListener('click', () => padKey(el.dataset.key));
  });
  $('pad-ok').addEventListener('click', padSubmit);

  // ----- typing ------------------------------------------------------------------------------
  $('typing').addEventListener('submit', (e) => {
    e.preventDefault();
    touch(); ensureOutCtx();
    const box = $('typing-box');
    const text = box.value.trim();
    if (!text) { box.focus(); return; }
    stopSpeaking(); stopMic();
    showHeard(text, '您写的是：');
    box.value = '';
    send({ type: 'text', text });
  });
  $('typing-box').addEventListener('input', () => { touch(); pingSoon(); });

  function onEvent(ev) {
    logEvent(ev.type, { text: ev.text, case_no: ev.case_no, expect: ev.expect, timing: ev.timing });
    switch (ev.type) {
      case 'ready':
        kiosk.session = ev.session;
        sessionStorage.setItem('kiosk-session', ev.session);
        kiosk.volume = ev.volume; kiosk.rate = ev.rate; kiosk.expect = ev.expect;
        break;
      case 'reset':
        kiosk.session = ev.session;
        sessionStorage.setItem('kiosk-session', ev.session);
        kiosk.paused = false; kiosk.volume = 1.0;
        stopSpeaking(); stopMic(); clearScreen();
        break;
      case 'thinking':
        setState('thinking');
        break;
      case 'transcript':
        showHeard(ev.text || '（没听清）', '我听到的是：');
        break;
      case 'reply': case 'retry': case 'note':
        kiosk.bargePending = false;
        if (ev.type === 'reply' && !ev.repeat) kiosk.lastReply = ev;
        if (ev.type === 'reply') { kiosk.expect = ev.expect || 'free'; renderReply(ev); }
        else if (ev.type === 'retry') { renderRetry(ev); }
        if (ev.type === 'reply' || ev.type === 'retry') showQuestion();
        if (typeof ev.volume === 'number') kiosk.volume = ev.volume;
        if (typeof ev.rate === 'number') kiosk.rate = ev.rate;
        if (ev.audio && ev.autoplay !== false) playAudio(ev.audio);
        else if (!(ev.type === 'reply' && !ev.repeat && autoReadNotices(ev.notices))) afterSpeaking();
        break;
      case 'notices': // 再听一遍: read on request
        setNotices(ev);
        renderNotices();
        if (ev.audio) readNotices(ev.audio); else afterSpeaking();
        break;
      case 'settings':
        kiosk.volume = ev.volume; kiosk.rate = ev.rate;
        if (currentGain) currentGain.gain.value = kiosk.volume;
        break;
      case 'barge_ignored':
        kiosk.bargePending = false;
        if (currentSource) {
          ensureOutCtx(); unduck(); logEvent('speech_resumed'); startListening({ barge: true });
        } else afterSpeaking();
        break;
      case 'stopped':
        kiosk.bargePending = false;
        if (kiosk.turnEndAt !== null) {
          logEvent('stop_latency', { ms: performance.now() - kiosk.turnEndAt });
          kiosk.turnEndAt = null;
        }
        stopSpeaking();
        kiosk.paused = true;
        stopMic();
        setState('paused');
        break;
      case 'error':
        kiosk.bargePending = false;
        $('status').textContent = ev.text || '';
        break;
      default:
        break;
    }
  }
  /** A phone-sized screen: the question, its answers or number pad and the read-back start at
   *  the top of the screen (the title bar scrolls away; the welcome keeps it), so nobody has to
   *  scroll to find them. The large screen shows everything anyway. */
  function showQuestion() {
    if (window.innerWidth >= 1000) return;
    const onWelcome = $('answers').classList.contains('panel-start');
    const top = onWelcome ? 0 : $('main').getBoundingClientRect().top + window.scrollY;
    window.scrollTo({ top, behavior: 'instant' });
  }
  function renderRetry(ev) {
    // keep the question on screen; show the gentle re-ask above it
    const reply = $('reply');
    let p = reply.querySelector('p.retry');
    if (!p) { p = document.createElement('p'); p.className = 'retry'; reply.prepend(p); }
    p.textContent = (ev.messages && ev.messages[0] && ev.messages[0].text) || '';
    if (!$('keypad').hidden) { // enter again; the re-ask says what to enter, so it replaces the
      kiosk.pad.digits = ''; $('pad-display').textContent = ''; // question: the pad's last row
      for (const q of reply.querySelectorAll('p:not(.retry)')) q.hidden = true; // stays on screen
    }
    const extra = (ev.messages && ev.messages[0] && ev.messages[0].buttons) || [];
    if (ev.touch) { // a re-ask that offers its own answers (e.g. 不用房号 beside the pad)
      renderAnswers(extra.concat(ev.touch.quick || []), ev.touch);
      renderTouch(ev.touch);
    }
  }

  // ----- speech output -------------------------------------------------------------------
  let outCtx = null, currentSource = null, currentGain = null;
  function ensureOutCtx() {
    if (!outCtx) outCtx = new AudioContext();
    if (outCtx.state === 'suspended') outCtx.resume().catch(() => {});
    return outCtx;
  }
  async function playAudio(dataUrl, opts) {
    stopSpeaking();
    stopMic(); // half duplex: never listen to ourselves
    setState('speaking');
    if (opts && opts.notices) { kiosk.readingNotices = true; $('status').textContent = STATUS.notices; }
    const token = {};
    kiosk.playToken = token;
    try {
      const ctx = ensureOutCtx();
      const buf = await (await fetch(dataUrl)).arrayBuffer();
      const audio = await ctx.decodeAudioData(buf);
      if (kiosk.playToken !== token) return;
      if (ctx.state !== 'running') { // sound not allowed before the first touch: show, don't wait
        logEvent('audio_blocked');
        afterSpeaking();
        return;
      }
      const src = ctx.createBufferSource();
      const gain = ctx.createGain();
      gain.gain.value = kiosk.volume;
      src.buffer = audio;
      src.connect(gain).connect(ctx.destination);
      src.onended = () => {
        if (currentSource === src) {
          currentSource = null; currentGain = null; kiosk.readingNotices = false;
          logEvent('audio_end'); afterSpeaking();
        }
      };
      currentSource = src; currentGain = gain;
      src.start();
      logEvent('audio_start', { duration: audio.duration });
      if (kiosk.turnEndAt !== null) {
        logEvent('turn_latency', { ms: performance.now() - kiosk.turnEndAt });
        kiosk.turnEndAt = null;
      }
      if (bargeInEnabled() && kiosk.mic !== 'none') startListening({ barge: true });
    } catch (err) {
      console.error('playback failed', err);
      afterSpeaking();
    }
  }
  function stopSpeaking() {
    kiosk.playToken = null;
    kiosk.readingNotices = false;
    if (currentSource) {
      const src = currentSource;
      currentSource = null; currentGain = null;
      try { src.stop(); } catch (e) { /* already stopped */ }
    }
  }
  function afterSpeaking() {
    kiosk.readingNotices = false;
    touch();
    send({ type: 'ping' }); // idle time counts from the end of what the kiosk said
    if (vad && vad.barge && vad.inSpeech) { // still talking as we finish: a normal turn now
      vad.barge = false;
      setState('recording');
      logEvent('barge_takeover', { reason: 'speech_ended' });
      return;
    }
    if (kiosk.bargePending) { setState('thinking'); return; } // the server is deciding
    if (kiosk.mic === 'none') { setState('touch'); return; }
    if (kiosk.paused) { setState('paused'); return; }
    startListening();
  }
  function bargeInEnabled() {
    const q = new URLSearchParams(location.search).get('barge');
    return q === null ? !!cfg.barge_in : q === '1';
  }
  function duck() { if (currentGain) currentGain.gain.value = kiosk.volume * DUCK; }
  function unduck() { if (currentGain) currentGain.gain.value = kiosk.volume; }

  // ----- microphone + end-of-speech detection ---------------------------------------------
  let mic = null; // {stream, ctx, node, src}
  let vad = null;
  async function openMic() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error('no media devices');
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    const ctx = new AudioContext();
    await ctx.audioWorklet.addModule('/kiosk/static/pcm-worklet.js');
    const src = ctx.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(ctx, 'pcm-capture', { processorOptions: { targetRate: 16000 } });
    const sink = ctx.createGain();
    sink.gain.value = 0;
    src.connect(node).connect(sink).connect(ctx.destination);
    if (ctx.state === 'suspended') await ctx.resume().catch(() => {});
    return { stream, ctx, node, src };
  }
  function stopMic() {
    vad = null;
    const m = mic;
    mic = null;
    if (!m) return;
    m.node.port.onmessage = null;
    try { m.src.disconnect(); m.node.disconnect(); } catch (e) { /* ignore */ }
    m.stream.getTracks().forEach((t) => t.stop());
    m.ctx.close().catch(() => {});
    logEvent('mic_closed');
  }
  async function startListening(opts) {
    opts = opts || {};
    if (kiosk.state === 'thinking' && !opts.force) return;
    stopMic();
    if (kiosk.mic === 'none' && !opts.retryMic) { if (!opts.barge) setState('touch'); return; }
    const myVad = {
      barge: !!opts.barge,
      forced: !!opts.forced, held: !!opts.held, inSpeech: !!opts.forced, voiced: 0, onset: 0,
      quiet: 0, armed: !!opts.forced, silenceMs: 0, utterMs: 0, noise: 150, preroll: [], sent: 0,
    };
    vad = myVad;
    let m;
    try {
      m = await openMic();
    } catch (err) { // no device, or permission refused: say so, and never look like listening
      console.warn('microphone unavailable', err);
      if (vad === myVad) vad = null;
      setMicNone(err && err.name);
      return;
    }
    if (vad !== myVad) { // stopped while opening
      m.stream.getTracks().forEach((t) => t.stop()); m.ctx.close().catch(() => {});
      return;
    }
    mic = m;
    setMicOk();
    if (!opts.barge) setState(opts.forced ? 'recording' : 'listening'); // only once it is open
    logEvent('mic_open', { barge: myVad.barge });
    if (myVad.forced) beginUtterance(myVad);
    m.node.port.onmessage = (e) => onFrame(myVad, e.data);
  }
  function rms(frame) {
    let s = 0;
    for (let i = 0; i < frame.length; i++) s += frame[i] * frame[i];
    return Math.sqrt(s / frame.length);
  }
  function beginUtterance(v) {
    v.inSpeech = true;
    send({ type: 'audio_start', rate: 16000 });
    for (const f of v.preroll) kiosk.ws.send(f.buffer);
    v.preroll = [];
    kiosk.lastResident = Date.now();
    if (v.barge) { duck(); logEvent('barge_start'); return; }
    setState('recording');
    logEvent('speech_start');
  }
  function takeOver(v) { // the resident is answering over us: stop talking, listen properly
    v.barge = false;
    stopSpeaking();
    setState('recording');
    logEvent('barge_takeover', { reason: 'long_speech' });
  }
  function resetBarge(v) { // a click or a cough while we spoke: carry on at full voice
    send({ type: 'audio_cancel' });
    Object.assign(v, { inSpeech: false, voiced: 0, onset: 0, quiet: 0, silenceMs: 0, utterMs: 0, preroll: [] });
    unduck();
    logEvent('barge_cancel');
  }
  function onFrame(v, frame) {
    if (vad !== v) return;
    const level = rms(frame);
    const threshold = v.barge ? Math.max(BARGE_MIN_LEVEL, v.noise * 4) : Math.max(350, v.noise * 3);
    if (!v.inSpeech) {
      v.preroll.push(frame);
      if (v.preroll.length > PREROLL_FRAMES) v.preroll.shift();
      if (level > threshold) { v.onset += 1; v.quiet = 0; } else {
        v.onset = 0; v.quiet += 1;
        v.noise = 0.95 * v.noise + 0.05 * level;
        if (v.quiet >= ARM_QUIET_FRAMES) v.armed = true;
      }
      if (v.armed && v.onset >= (v.barge ? BARGE_ONSET_FRAMES : ONSET_FRAMES)) {
        v.voiced = v.onset; beginUtterance(v);
      }
      return;
    }
    if (kiosk.ws && kiosk.ws.readyState === WebSocket.OPEN) kiosk.ws.send(frame.buffer);
    v.utterMs += FRAME_MS;
    if (level > threshold * 0.6) { v.silenceMs = 0; v.voiced += 1; } else { v.silenceMs += FRAME_MS; }
    if (v.barge) {
      const voiced = v.voiced >= MIN_VOICED_FRAMES;
      if (v.voiced >= BARGE_TAKEOVER_FRAMES) takeOver(v);
      else if (voiced && v.silenceMs >= BARGE_END_SILENCE_MS) endUtterance(v);
      else if (!voiced && v.silenceMs >= BARGE_END_SILENCE_MS) resetBarge(v);
      return;
    }
    if (v.held) {
      if (v.utterMs >= cfg.max_utterance_s * 1000) endUtterance(v);
      return;
    }
    const heardVoice = v.voiced >= MIN_VOICED_FRAMES;
    if (heardVoice && v.silenceMs >= cfg.end_silence_ms) endUtterance(v);
    else if (v.utterMs >= cfg.max_utterance_s * 1000) endUtterance(v);
    else if (!heardVoice && v.silenceMs >= (v.forced ? NO_SPEECH_MS : cfg.end_silence_ms + 500)) cancelUtterance(v);
  }
  function endUtterance(v) {
    if (vad !== v) return;
    touch();
    kiosk.turnEndAt = performance.now();
    logEvent('speech_end', { ms: v.utterMs, barge: v.barge });
    vad = null;
    stopMic();
    send({ type: 'audio_end', barge_in: v.barge });
    if (v.barge) { // hold our speech (not lost: a pause) until the server says what it was
      kiosk.bargePending = true;
      if (outCtx && currentSource) { outCtx.suspend().catch(() => {}); logEvent('speech_paused'); }
      return;
    }
    setState('thinking');
  }
  function cancelUtterance(v) {
    if (vad !== v) return;
    send({ type: 'audio_cancel' });
    logEvent('speech_cancel');
    if (v.forced) { stopMic(); kiosk.paused = true; setState('paused'); return; }
    startListening();
  }

  // ----- buttons -------------------------------------------------------------------------
  let pressAt = 0;
  const talk = $('talk');
  talk.addEventListener('pointerdown', (e) => {
    e.preventDefault();
    touch();
    ensureOutCtx();
    pressAt = performance.now();
    kiosk.paused = false;
    if (kiosk.state === 'recording' && vad) { endUtterance(vad); pressAt = 0; return; }
    stopSpeaking();
    // without a microphone: try once more (one may have been plugged in), never "recording"
    startListening({ forced: true, held: true, force: true, retryMic: true });
  });
  talk.addEventListener('pointerup', () => {
    if (!pressAt) return;
    const held = performance.now() - pressAt;
    pressAt = 0;
    if (!vad) return;
    if (held > 700) endUtterance(vad); // 按住说话: release ends
    else vad.held = false;              // 点我说话: ends by itself after a pause
  });
  talk.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();
    touch();
    ensureOutCtx();
    kiosk.paused = false;
    if (kiosk.state === 'recording' && vad) { endUtterance(vad); return; }
    stopSpeaking();
    startListening({ forced: true, force: true, retryMic: true });
  });
  $('notices-again').addEventListener('click', () => {
    touch(); ensureOutCtx(); stopSpeaking(); stopMic();
    setState('thinking'); // the microphone is closed now: never show "listening" meanwhile
    send({ type: 'command', name: 'notices' });
  });
  $('notices-close').addEventListener('click', () => {
    touch();
    stopNotices();
    kiosk.noticesClosed = true;
    logEvent('notices_closed');
    renderNotices();
  });
  $('btn-repeat').addEventListener('click', () => { touch(); ensureOutCtx(); send({ type: 'command', name: 'repeat' }); });
  $('btn-stop').addEventListener('click', () => {
    touch();
    stopSpeaking(); stopMic();
    kiosk.paused = true;
    setState('paused');
    send({ type: 'command', name: 'stop' });
  });
  $('btn-human').addEventListener('click', () => { touch(); ensureOutCtx(); stopSpeaking(); stopMic(); showHeard('转人工', '您点的是：'); send({ type: 'command', name: 'human' }); });
  $('btn-louder').addEventListener('click', () => { touch(); send({ type: 'command', name: 'louder' }); });
  $('btn-slower').addEventListener('click', () => { touch(); send({ type: 'command', name: 'slower' }); });

  // ----- idle reset (the server also sweeps; this covers a lost connection) ----------------
  let lastTouch = Date.now();
  let lastPing = 0;
  function touch() { lastTouch = Date.now(); }
  function pingSoon() { // typing on the pad or in the box is activity: the server must not reset
    if (Date.now() - lastPing < 5000) return;
    lastPing = Date.now();
    send({ type: 'ping' });
  }
  document.addEventListener('pointerdown', (e) => {
    // someone is here: the notices stop at once (再听一遍 and 关闭 do their own thing)
    kiosk.lastResident = Date.now();
    if (kiosk.readingNotices && !(e.target.closest && e.target.closest('.notices-btn'))) stopNotices();
    touch(); ensureOutCtx(); pingSoon();
  }, true);
  setInterval(() => {
    if (kiosk.state === 'recording' || kiosk.state === 'thinking') { touch(); return; }
    if (Date.now() - lastTouch > cfg.idle_timeout_s * 1000 + 10000) { // the server usually resets first
      touch();
      clearScreen();
      sessionStorage.removeItem('kiosk-session');
      if (!send({ type: 'command', name: 'reset', reason: 'idle' })) kiosk.session = null;
    }
  }, 1000);

  // ----- start ---------------------------------------------------------------------------
  async function detectMic() { // no input device at all: touch only from the start
    try {
      if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) { setMicNone('no media devices'); return; }
      const devices = await navigator.mediaDevices.enumerateDevices();
      if (!devices.some((d) => d.kind === 'audioinput')) setMicNone('no audio input');
    } catch (err) { /* unknown: the first attempt to open it decides */ }
  }
  fetch('/kiosk/config').then((r) => r.json()).then((c) => Object.assign(cfg, c)).catch(() => {})
    .then(detectMic)
    .finally(() => {
      const q = new URLSearchParams(location.search);
      if (q.get('session')) kiosk.session = q.get('session');
      connect();
    });
})();
