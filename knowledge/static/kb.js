// Staff curation page. Every value coming from the server is rendered with textContent
// (never innerHTML), so an answer containing <script> is shown as text.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  // Staff sign in through the console (/staff/login): the session cookie goes with every
  // request and changes carry the session's CSRF token. The service token form stays for
  // internal tools and operators without a console account.
  const auth = { token: sessionStorage.getItem("kbToken") || "", name: sessionStorage.getItem("kbName") || "",
    csrf: "", canEdit: true, zone: "Asia/Shanghai" };

  // A stored time (UTC; without an offset it is still UTC) in the community's time zone.
  function localTime(iso) {
    const utc = /[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : iso + "Z";
    return new Date(utc).toLocaleString("zh-CN", { timeZone: auth.zone, year: "numeric",
      month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }

  const PAGE_SIZE = 20;
  let page = 0;
  // FAQ categories as people read them (the stored codes stay in the CSV columns)
  const CATEGORY_LABELS = {
    canteen: "长者食堂", community: "社区事务", education: "教育", elderly_allowance: "高龄津贴",
    elderly_care: "养老服务", employment: "就业", ev_charging: "电动车充电", family: "婚育家庭",
    garbage: "垃圾分类", health: "医疗健康", home_renovation: "装修", housing: "住房",
    legal_aid: "法律援助", medical_insurance: "医保", other: "其他", parcel_locker: "快递柜",
    parking: "停车", pension: "养老金", pets: "宠物", property_fee: "物业费", residence: "居住证明",
    safety: "安全", senior_card: "老年卡", service_centre: "服务中心", social_assistance: "社会救助",
    utilities: "水电气", vaccine: "疫苗",
  };

  function say(text, isError) {
    const s = $("status");
    s.textContent = text;
    s.className = isError ? "error" : "";
  }

  async function api(path, options) {
    const opts = options || {};
    const headers = Object.assign({}, opts.headers || {});
    const method = (opts.method || "GET").toUpperCase();
    if (auth.token) {
      headers.Authorization = "Bearer " + auth.token;
      if (auth.name) headers["X-Staff-Name"] = encodeURIComponent(auth.name);
    } else if (method !== "GET" && method !== "HEAD") {
      headers["X-CSRF-Token"] = auth.csrf;
    }
    const resp = await fetch(path, Object.assign({}, opts, { headers, credentials: "same-origin" }));
    if (!resp.ok) {
      let msg = "出错了（" + resp.status + "）";
      try {
        const body = await resp.json();
        const d = body.detail;
        msg = typeof d === "string" ? d : (d && d.message) ? d.message : msg;
      } catch (e) { /* not JSON */ }
      throw new Error(msg);
    }
    return resp;
  }

  function cell(row, text, cls) {
    const td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }

  function button(parent, label, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.addEventListener("click", onClick);
    parent.appendChild(b);
    return b;
  }

  async function loadFaqs() {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(page * PAGE_SIZE) });
    if ($("filter-q").value.trim()) params.set("q", $("filter-q").value.trim());
    if ($("filter-status").value) params.set("status", $("filter-status").value);
    const data = await (await api("/api/kb/faqs?" + params)).json();
    const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
    $("faq-total").textContent = "共 " + data.total + " 条";
    $("faq-page").textContent = "第 " + (page + 1) + " / " + pages + " 页";
    $("faq-prev").disabled = page === 0;
    $("faq-next").disabled = page + 1 >= pages;
    const body = $("faq-table").querySelector("tbody");
    body.replaceChildren();
    for (const faq of data.items) {
      const tr = document.createElement("tr");
      tr.dataset.faqId = faq.id;
      if (faq.status === "retired") tr.className = "retired";
      cell(tr, faq.id);
      const q = cell(tr, faq.question);
      if (faq.alternatives.length) {
        const alt = document.createElement("div");
        alt.className = "alt";
        alt.textContent = "也可以问：" + faq.alternatives.join(" / ");
        q.appendChild(alt);
      }
      cell(tr, faq.answer, "answer");
      cell(tr, CATEGORY_LABELS[faq.category] || (faq.category ? "其他" : ""));
      cell(tr, faq.status === "active" ? "在用" : "已停用");
      const actions = cell(tr, "");
      button(actions, "编辑", () => openEditor(faq));
      if (faq.status === "active") {
        button(actions, "停用", async () => {
          if (!confirm("确定停用这条问答吗？")) return;
          await run(() => api("/api/kb/faqs/" + faq.id + "/retire", { method: "POST" }), "已停用");
        });
      } else {
        button(actions, "恢复", async () => {
          await run(() => api("/api/kb/faqs/" + faq.id, jsonBody("PATCH", { status: "active" })), "已恢复");
        });
      }
      body.appendChild(tr);
    }
  }

  async function loadQueue() {
    const items = await (await api("/api/kb/unanswered")).json();
    const body = $("queue-table").querySelector("tbody");
    body.replaceChildren();
    $("queue-empty").hidden = items.length > 0;
    for (const item of items) {
      const tr = document.createElement("tr");
      tr.dataset.unansweredId = item.id;
      cell(tr, item.question, "queued-question");
      cell(tr, item.count);
      cell(tr, localTime(item.last_asked), "last-asked");
      const near = cell(tr, "", "closest");
      if (!item.closest || !item.closest.length) near.textContent = "（没有接近的问答）";
      for (const faq of item.closest || []) {
        const row = document.createElement("div");
        row.className = "closest-faq";
        const text = document.createElement("span");
        text.textContent = "#" + faq.faq_id + " " + faq.question + "（把握 " + Math.round(faq.score * 100) + "%）";
        row.appendChild(text);
        const add = button(row, "加为这条的说法", async () => {
          await run(() => api("/api/kb/unanswered/" + item.id + "/alternative",
            jsonBody("POST", { faq_id: faq.faq_id })), "已加为 #" + faq.faq_id + " 的说法，马上就能搜到");
        });
        add.className = "add-alternative";
        add.dataset.faqId = faq.faq_id;
        near.appendChild(row);
      }
      const actions = cell(tr, "");
      button(actions, "新建问答", () => openEditor({ question: item.question, alternatives: [] }, item.id));
      button(actions, "忽略", async () => {
        await run(() => api("/api/kb/unanswered/" + item.id + "/dismiss", { method: "POST" }), "已忽略");
      });
      body.appendChild(tr);
    }
  }

  function jsonBody(method, payload) {
    return { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) };
  }

  function openEditor(faq, unansweredId) {
    $("editor").hidden = false;
    $("editor-title").textContent = unansweredId ? "把问题转为问答" : faq.id ? "编辑问答 #" + faq.id : "新增问答";
    $("f-id").value = faq.id || "";
    $("f-unanswered").value = unansweredId || "";
    $("f-question").value = faq.question || "";
    $("f-alternatives").value = (faq.alternatives || []).join("\n");
    $("f-answer").value = faq.answer || "";
    $("f-category").value = faq.category || "";
    $("f-source").value = faq.source || "";
    $("f-valid-until").value = faq.valid_until || "";
    $("f-owner").value = faq.owner || "";
    $("f-question").focus();
  }

  async function saveEditor(ev) {
    ev.preventDefault();
    const payload = {
      question: $("f-question").value,
      alternatives: $("f-alternatives").value.split("\n").map((s) => s.trim()).filter(Boolean),
      answer: $("f-answer").value,
      category: $("f-category").value || null,
      source: $("f-source").value || null,
      valid_until: $("f-valid-until").value || null,
      owner: $("f-owner").value || null,
    };
    const id = $("f-id").value;
    const queued = $("f-unanswered").value;
    await run(() => queued
      ? api("/api/kb/unanswered/" + queued + "/faq", jsonBody("POST", payload))
      : id ? api("/api/kb/faqs/" + id, jsonBody("PATCH", payload))
        : api("/api/kb/faqs", jsonBody("POST", payload)), "已保存，马上就能搜到");
    $("editor").hidden = true;
  }

  async function run(action, okText) {
    try {
      await action();
      say(okText);
      await refresh();
    } catch (e) {
      say(e.message, true);
    }
  }

  async function refresh() {
    await loadFaqs();
    await loadQueue();
  }

  async function tryIt(ev) {
    ev.preventDefault();
    const q = $("try-q").value.trim();
    if (!q) return;
    try {
      const data = await (await fetch("/api/kb/search?" + new URLSearchParams({ q, k: "3" }))).json();
      const list = $("try-results");
      list.replaceChildren();
      const head = document.createElement("li");
      head.textContent = data.confident ? "会直接回答：" : "没有把握，会请居民确认：";
      list.appendChild(head);
      for (const hit of data.hits) {
        const li = document.createElement("li");
        li.textContent = "把握 " + Math.round(hit.score * 100) + "%  " + hit.question + " —— " + hit.answer;
        list.appendChild(li);
      }
    } catch (e) { say("搜索失败：" + e.message, true); }
  }

  async function importFile(ev) {
    ev.preventDefault();
    const file = $("import-file").files[0];
    if (!file) return;
    const form = new FormData();
    form.append("file", file);
    try {
      const r = await (await api("/api/kb/faqs/import", { method: "POST", body: form })).json();
      say("导入成功：新增 " + r.created + " 条，更新 " + r.updated + " 条");
      await refresh();
    } catch (e) { say(e.message, true); }
  }

  async function exportFile(format) {
    try {
      const blob = await (await api("/api/kb/faqs/export?format=" + format)).blob();
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "faqs." + format;
      a.click();
      URL.revokeObjectURL(a.href);
    } catch (e) { say(e.message, true); }
  }

  async function login(ev) {
    if (ev) ev.preventDefault();
    auth.token = $("token").value || auth.token;
    auth.name = $("staff-name").value || auth.name;
    try {
      await refresh();
      sessionStorage.setItem("kbToken", auth.token);
      sessionStorage.setItem("kbName", auth.name);
      $("app").hidden = false;
      $("login").hidden = true;
      $("console-login").hidden = true;
      say(auth.name ? "您好，" + auth.name : "已进入");
    } catch (e) { say(e.message, true); }
  }

  async function sessionLogin() {
    try {
      const resp = await fetch("/staff/api/me", { credentials: "same-origin" });
      if (!resp.ok) return false;
      const me = await resp.json();
      auth.token = "";  // the login session wins over a remembered service token
      auth.csrf = me.csrf_token;
      auth.canEdit = me.can_edit_kb;
      if (me.timezone) auth.zone = me.timezone;
      auth.name = me.display_name || me.username;
      await refresh();
      $("app").hidden = false;
      $("login").hidden = true;
      $("console-login").hidden = true;
      document.body.classList.toggle("read-only", !auth.canEdit);
      say("您好，" + auth.name + "（" + me.role_label + "）" + (auth.canEdit ? "" : "：只能查看，不能修改"));
      return true;
    } catch (e) {
      say(e.message, true);
      return true;
    }
  }

  $("login").addEventListener("submit", login);
  $("filter-form").addEventListener("submit", (e) => { e.preventDefault(); page = 0; loadFaqs().catch((x) => say(x.message, true)); });
  const turn = (step) => () => {
    page = Math.max(0, page + step);
    loadFaqs().then(() => $("faq-table").scrollIntoView()).catch((x) => say(x.message, true));
  };
  $("faq-prev").addEventListener("click", turn(-1));
  $("faq-next").addEventListener("click", turn(1));
  $("new-faq").addEventListener("click", () => openEditor({}));
  $("faq-form").addEventListener("submit", saveEditor);
  $("f-cancel").addEventListener("click", () => { $("editor").hidden = true; });
  $("try-form").addEventListener("submit", tryIt);
  $("import-form").addEventListener("submit", importFile);
  document.querySelectorAll("[data-export]").forEach((b) => b.addEventListener("click", () => exportFile(b.dataset.export)));
  sessionLogin().then((done) => { if (!done && auth.token) login(); });
})();
