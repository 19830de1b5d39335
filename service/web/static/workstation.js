// The workstation page: search, results (sort, filter, keyboard), online
// suppliers merged in as they answer, client choice and the cart.
// The cart lives in localStorage, so a reload, a second tab or a new sign-in
// keeps it; its idempotency key makes a double submit one order.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const T = JSON.parse($("labels").textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const ws = $("ws");
  const CART = `parts.cart.v1.${ws.dataset.user}`;
  const box = $("box");
  const results = $("results");
  const status = $("status");
  const GROUP = { exact: 0, verified_analog: 1, analog: 2 };
  const fmt = new Intl.NumberFormat(document.documentElement.lang === "en" ? "en-US" : "ru-RU",
    { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const canOrder = ws.dataset.canOrder === "1";
  const MAX_QTY = Number(ws.dataset.maxQty) || 100000;
  const whole = new Intl.NumberFormat(document.documentElement.lang === "en" ? "en-US" : "ru-RU");
  let seq = 0;
  let current = { box: "", brand: "", allBrands: false };
  window.partsTimings = []; // Enter to first rows drawn, ms (read by the browser test)

  // ---- state shared by tabs ------------------------------------------------
  const empty = () => ({ lines: [], client: null, key: null, note: "" });
  // an offer's key in the cart and on the page: supplier|warehouse|brand|article
  // (it outlives the supplier's next price list)
  const offerKey = (l) => [l.supplier_id, l.warehouse || "", l.brand, l.article].join("|");
  function load() {
    let got;
    try { got = Object.assign(empty(), JSON.parse(localStorage.getItem(CART)) || {}); }
    catch (e) { return empty(); }
    for (const l of got.lines) if (l.key.split("|").length > 5) l.key = offerKey(l.line); // keys of old carts
    return got;
  }
  let state = load();
  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function save(changed) {
    if (changed) state.key = state.lines.length ? newKey() : null;
    localStorage.setItem(CART, JSON.stringify(state));
  }
  window.addEventListener("storage", (e) => {
    if (e.key !== CART) return;
    const placed = state.placed;
    state = load();
    renderCart();
    renderClient();
    if (state.placed && state.placed !== placed) placedElsewhere(state.placed);
  });
  // the cart's message: a problem (red) unless it is news (`info`)
  function cartMessage(info) {
    const message = $("cart-message");
    message.classList.toggle("info", info);
    return message;
  }
  // the cart became an order in another tab: say which, and link to it
  function placedElsewhere(id) {
    const message = cartMessage(false);
    const link = document.createElement("a");
    link.href = `/ui/orders/${id}`;
    link.textContent = `${T.order} № ${id}`;
    message.replaceChildren(`${T.placed_elsewhere}: `, link);
  }

  function plural(n, forms) {
    const w = forms.split("|");
    if (w.length === 2) return `${n} ${n === 1 ? w[0] : w[1]}`;
    const i = n % 10 === 1 && n % 100 !== 11 ? 0 : n % 10 >= 2 && n % 10 <= 4 && !(n % 100 >= 12 && n % 100 <= 14) ? 1 : 2;
    return `${n} ${w[i]}`;
  }
  function signIn() {
    // back to what was being searched when the session ended (the cart is kept)
    const typed = box.value.trim();
    const back = typed ? "/ui?q=" + encodeURIComponent(typed) : location.pathname + location.search;
    location.href = "/ui/login?expired=1&next=" + encodeURIComponent(back);
  }
  const FETCH = { Accept: "text/html", "X-Requested-With": "fetch" };
  const POST_JSON = { "Content-Type": "application/json", "X-CSRF-Token": csrf, "X-Requested-With": "fetch" };
  // a fragment, or the server's refusal as an error paragraph (never raw JSON)
  async function getHtml(url) {
    const r = await fetch(url, { headers: FETCH, credentials: "same-origin" });
    if (r.status === 401) { signIn(); throw new Error("signed out"); }
    const text = await r.text();
    if (r.ok || (r.headers.get("content-type") || "").startsWith("text/html")) return text;
    let detail = r.statusText;
    try { detail = JSON.parse(text).detail || detail; } catch (e) { /* not JSON */ }
    const p = document.createElement("p");
    p.className = "error";
    p.setAttribute("role", "alert");
    p.textContent = `${T.search_failed}: ${detail}`;
    return p.outerHTML;
  }

  // ---- search --------------------------------------------------------------
  function params(extra) {
    const p = new URLSearchParams({ box: current.box, sort: $("f-sort").value });
    if (current.brand) p.set("brand", current.brand);
    if (current.allBrands) p.set("all_brands", "true");
    if (state.client) p.set("client_id", state.client.id);
    for (const [k, v] of Object.entries(extra || {})) p.set(k, v);
    return p;
  }

  let timing = "";
  function showStatus() {
    const answer = $("answer");
    if (!answer) { status.textContent = timing; return; }
    const all = answer.querySelectorAll("tr.line").length;
    const shown = countVisible();
    const rows = shown === all ? plural(all, T.rows) : `${shown} ${T.of} ${plural(all, T.rows)}`;
    status.textContent = `${rows} · ${timing}`;
  }
  function langLink() {
    const link = document.querySelector("a.lang");
    if (link) link.href = link.pathname + "?next=" + encodeURIComponent(location.pathname + location.search);
  }

  async function search(text, brand, focusRows) {
    current = { box: text.trim(), brand: brand || "", allBrands: false };
    if (!current.box) {
      ++seq;
      results.replaceChildren();
      $("export").disabled = true;
      timing = "";
      status.textContent = "";
      return;
    }
    const mine = ++seq;
    const started = performance.now();
    status.textContent = "…";
    results.setAttribute("aria-busy", "true");
    let html;
    try { html = await getHtml("/ui/results?" + params()); } catch (e) { return; }
    if (mine !== seq) return;
    results.innerHTML = html;
    results.removeAttribute("aria-busy");
    if (results.querySelector('[data-code="client_gone"]')) {
      // the page held a client that was deleted (or another database): drop it
      state.client = null;
      save(true);
      renderClient();
      cartMessage(false).textContent = T.client_gone;
      search(text, brand, focusRows);
      return;
    }
    // the server searched the article alone (a brand without it, or mistyped):
    // the box says what was searched, and a brand chosen goes with it
    const searched = results.querySelector("[data-box]");
    if (searched && searched.dataset.box && searched.dataset.box !== current.box) {
      current.box = searched.dataset.box;
      box.value = current.box;
    }
    const url = new URLSearchParams({ q: current.box });
    if (current.brand) url.set("brand", current.brand);
    history.replaceState(null, "", "/ui?" + url);
    langLink();
    const answer = $("answer");
    $("export").disabled = !answer; // nothing to export for a brand choice or an error
    if (answer) {
      fillChoices();
      applyView();
      askOnline(answer, mine);
    }
    requestAnimationFrame(() => {
      const ms = performance.now() - started;
      window.partsTimings.push(ms);
      const server = answer ? ` · ${T.server} ${Math.round(Number(answer.dataset.ms))} ${T.ms}` : "";
      timing = `${Math.round(ms)} ${T.ms}${server}`;
      showStatus();
      const pick = results.querySelector(".pick");
      // the hint names the keys of what has focus: a brand choice is not the results
      $("search-hint").textContent = pick ? T.brand_hint : T.search_hint;
      if (pick) pick.focus();
      else if (focusRows && visibleRows()[0]) visibleRows()[0].focus();
    });
  }

  function askOnline(answer, mine) {
    const suppliers = JSON.parse(answer.dataset.online || "[]");
    for (const s of suppliers) {
      getHtml("/ui/results/online?" + params({ supplier: s.id }))
        .then((html) => { if (mine === seq) mergeOnline(s, html); })
        .catch(() => { if (mine === seq) onlineState(s.id, "error", T.online_failed); });
    }
  }

  function mergeOnline(supplier, html) {
    const answer = $("answer");
    if (!answer) return;
    const tpl = document.createElement("template");
    tpl.innerHTML = html;
    const got = tpl.content.querySelector(".online-answer");
    if (!got) return;
    const rows = [...got.querySelectorAll("tr.line")];
    for (const tr of rows) {
      if (answer.querySelector(`tr.line[data-key="${CSS.escape(tr.dataset.key)}"]`)) continue;
      const explain = tr.nextElementSibling;
      const body = answer.querySelector(`tbody[data-group="${tr.dataset.group}"]`);
      body.append(tr, explain);
      body.removeAttribute("data-empty");
    }
    if (got.dataset.status === "ok") {
      onlineState(supplier.id, "ok", plural(rows.length, T.online_ok));
    } else {
      onlineState(supplier.id, "failed", `${T.online_failed} (${got.dataset.reason || got.dataset.status})`);
    }
    fillChoices();
    applyView();
  }

  function onlineState(id, state, text) {
    const li = document.querySelector(`.online li[data-supplier="${CSS.escape(id)}"]`);
    if (!li) return;
    li.dataset.state = state;
    li.querySelector("span").textContent = text;
    li.title = li.textContent;
  }

  // ---- sort and filter without a reload -------------------------------------
  const num = (v, none) => (v === "" || v === undefined ? none : Number(v));
  function sortKey(tr, sort) {
    const d = tr.dataset;
    const price = num(d.price, Infinity);
    const days = num(d.days, Infinity);
    const prob = -num(d.prob, -1);
    if (sort === "delivery") return [days, price, prob];
    if (sort === "probability") return [prob, price, days];
    return [price, days, prob];
  }
  function compare(a, b) {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
  }
  function filters() {
    return {
      stock: $("f-stock").checked,
      days: num($("f-days").value, Infinity),
      pmin: num($("f-pmin").value, -Infinity),
      pmax: num($("f-pmax").value, Infinity),
      supplier: $("f-supplier").value,
      brand: $("f-brand").value,
    };
  }
  function passes(tr, f) {
    const d = tr.dataset;
    if (f.stock && !(num(d.qty, 0) > 0)) return false;
    if (f.days !== Infinity && !(num(d.days, Infinity) <= f.days)) return false;
    const price = num(d.price, NaN);
    if ((f.pmin !== -Infinity || f.pmax !== Infinity) && !(price >= f.pmin && price <= f.pmax)) return false;
    if (f.supplier && d.supplier !== f.supplier) return false;
    if (f.brand && d.brand !== f.brand) return false;
    return true;
  }
  function applyView() {
    const answer = $("answer");
    if (!answer) return;
    const sort = $("f-sort").value;
    const f = filters();
    // moving a node blurs it: the row the manager is on keeps the focus
    const focused = document.activeElement;
    let shown = 0;
    for (const body of answer.querySelectorAll("tbody.group")) {
      const rows = [...body.querySelectorAll("tr.line")];
      const keyed = rows.map((tr) => [sortKey(tr, sort), tr]);
      keyed.sort((a, b) => compare(a[0], b[0]));
      const moved = keyed.some(([, tr], i) => tr !== rows[i]);
      let n = 0;
      for (const [, tr] of keyed) {
        const explain = tr.nextElementSibling;
        if (moved) body.append(tr, explain);
        const ok = passes(tr, f);
        tr.hidden = !ok;
        if (!ok) explain.hidden = true;
        if (ok) n++;
      }
      body.hidden = n === 0;
      body.querySelector(".count").textContent = n ? `(${n})` : "";
      shown += n;
    }
    answer.querySelector(".empty").hidden = shown > 0;
    if (timing) showStatus();
    if (focused && focused !== document.activeElement && focused.isConnected && !focused.hidden) {
      focused.focus({ preventScroll: true });
    }
  }
  function countVisible() {
    return document.querySelectorAll("#answer tr.line:not([hidden])").length;
  }
  function fillChoices() {
    for (const [id, attr] of [["f-supplier", "supplier"], ["f-brand", "brand"]]) {
      const select = $(id);
      const chosen = select.value;
      const values = [...new Set([...document.querySelectorAll("#answer tr.line")].map((tr) => tr.dataset[attr]))].sort();
      select.replaceChildren(new Option(T.all, ""), ...values.map((v) => new Option(v, v)));
      select.value = values.includes(chosen) ? chosen : "";
    }
  }
  for (const id of ["f-stock", "f-days", "f-pmin", "f-pmax", "f-supplier", "f-brand", "f-sort"]) {
    $(id).addEventListener("input", applyView);
  }
  // the workbook holds the lines on screen, in their order: the server prices
  // them again for the client and keeps the ones named here
  $("export").addEventListener("click", () => {
    const form = $("export-form");
    const p = params();
    form.elements.box.value = p.get("box");
    form.elements.brand.value = p.get("brand") || "";
    form.elements.client_id.value = p.get("client_id") || "";
    form.elements.sort.value = p.get("sort");
    form.elements.all_brands.value = p.get("all_brands") || "false";
    form.elements.keys.value = JSON.stringify(visibleRows().map((tr) => tr.dataset.key));
    form.submit();
  });

  // ---- keyboard ------------------------------------------------------------
  const visibleRows = () => [...document.querySelectorAll("#answer tr.line:not([hidden])")];
  function move(from, step) {
    const rows = visibleRows();
    const at = rows.indexOf(from);
    const next = rows[Math.min(rows.length - 1, Math.max(0, at + step))];
    if (next) next.focus();
    else if (step < 0) box.focus();
  }
  function toggleExplain(tr, show) {
    const explain = tr.nextElementSibling;
    if (!explain || !explain.classList.contains("explain")) return;
    explain.hidden = show === undefined ? !explain.hidden : !show;
    tr.setAttribute("aria-expanded", String(!explain.hidden));
  }
  $("search-form").addEventListener("submit", (e) => { e.preventDefault(); search(box.value); });
  box.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      const first = visibleRows()[0] || results.querySelector(".pick");
      if (first) first.focus();
    }
  });
  results.addEventListener("keydown", (e) => {
    const pick = e.target.closest(".pick");
    if (pick) {
      const picks = [...results.querySelectorAll(".pick")];
      const at = picks.indexOf(pick);
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const next = picks[at + (e.key === "ArrowDown" ? 1 : -1)];
        if (next) next.focus(); else if (e.key === "ArrowUp") box.focus();
      } else if (/^[1-9]$/.test(e.key) && picks[Number(e.key) - 1]) {
        e.preventDefault();
        picks[Number(e.key) - 1].click();
      } else if (e.key === "Escape") box.focus();
      return;
    }
    const tr = e.target.closest("tr.line");
    if (!tr) return;
    const keys = {
      ArrowDown: () => move(tr, 1), ArrowUp: () => move(tr, -1),
      "+": () => addToCart(tr), Insert: () => addToCart(tr), Enter: () => addToCart(tr),
      ArrowRight: () => toggleExplain(tr, true), ArrowLeft: () => toggleExplain(tr, false),
      " ": () => toggleExplain(tr), Escape: () => box.focus(),
    };
    if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
  });
  results.addEventListener("click", (e) => {
    const pick = e.target.closest(".pick");
    if (pick) { search(current.box, pick.dataset.brand, true); return; }
    const tr = e.target.closest("tr.line");
    if (!tr) return;
    if (e.target.closest("button.add")) addToCart(tr);
    else { tr.focus(); toggleExplain(tr); }
  });
  document.addEventListener("keydown", (e) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName);
    if (!typing && (e.key === "/" || e.key === "F2")) { e.preventDefault(); box.focus(); box.select(); }
  });

  // ---- client --------------------------------------------------------------
  const clientQ = $("client-q");
  const clientList = $("client-list");
  let clientTimer = 0;
  let clientSeq = 0;
  let clientShownFor = "";
  async function loadClients(q) {
    const mine = ++clientSeq;
    if (q.length < 2) { clientList.innerHTML = ""; clientShownFor = q; clientQ.setAttribute("aria-expanded", "false"); return; }
    const html = await getHtml("/ui/clients?q=" + encodeURIComponent(q));
    if (mine !== clientSeq) return; // a later text was typed meanwhile
    clientList.innerHTML = html;
    clientShownFor = q;
    clientQ.setAttribute("aria-expanded", String(!!clientList.querySelector(".client-option")));
  }
  // the list closes when it is done with: Esc, focus gone elsewhere, a new client
  function closeClientList() {
    clearTimeout(clientTimer);
    clientSeq++; // a list still on its way is not shown
    clientList.innerHTML = "";
    clientShownFor = "";
    clientQ.setAttribute("aria-expanded", "false");
  }
  $("client-box").addEventListener("focusout", (e) => {
    if (!e.relatedTarget || !clientList.contains(e.relatedTarget) && e.relatedTarget !== clientQ) closeClientList();
  });
  clientQ.addEventListener("input", () => {
    clearTimeout(clientTimer);
    clientTimer = setTimeout(() => loadClients(clientQ.value.trim()), 200);
  });
  clientQ.addEventListener("keydown", async (e) => {
    // Esc closes the list and keeps the text typed (a search field would clear it)
    if (e.key === "Escape" && clientList.querySelector(".client-option")) { e.preventDefault(); e.stopPropagation(); closeClientList(); return; }
    if (e.key !== "ArrowDown" && e.key !== "Enter") return;
    e.preventDefault();
    const q = clientQ.value.trim();
    if (clientShownFor !== q) { clearTimeout(clientTimer); await loadClients(q); }
    if (clientQ.value.trim() !== q) return;
    const first = clientList.querySelector(".client-option");
    if (!first) return;
    if (e.key === "ArrowDown") first.focus(); else chooseClient(first);
  });
  clientList.addEventListener("keydown", (e) => {
    const option = e.target.closest(".client-option");
    if (!option) return;
    if (e.key === "ArrowDown" && option.nextElementSibling) { e.preventDefault(); option.nextElementSibling.focus(); }
    if (e.key === "ArrowUp") { e.preventDefault(); (option.previousElementSibling || clientQ).focus(); }
    if (e.key === "Enter") { e.preventDefault(); chooseClient(option); }
    if (e.key === "Escape") { e.stopPropagation(); closeClientList(); clientQ.focus(); }
  });
  clientList.addEventListener("click", (e) => {
    const option = e.target.closest(".client-option");
    if (option) chooseClient(option);
  });
  function chooseClient(option) {
    takeClient(JSON.parse(option.dataset.client));
  }
  function takeClient(c) {
    state.client = { id: c.id, name: c.name, client_group: c.client_group,
      client_group_name: c.client_group_name, discount_percent: c.discount_percent,
      vehicles: c.vehicles };
    save(true);
    clientList.innerHTML = "";
    clientQ.value = "";
    clientQ.setAttribute("aria-expanded", "false");
    renderClient();
    if (current.box) search(current.box, current.brand);
    checkCart();
    box.focus();
  }
  // a walk-in client: name, phone and group are enough to order
  const clientForm = $("client-form");
  if (clientForm) {
    $("client-new").addEventListener("click", () => {
      closeClientList();
      clientForm.hidden = false;
      clientForm.elements.name.value = /\d/.test(clientQ.value) ? "" : clientQ.value.trim();
      clientForm.elements.phone.value = /\d/.test(clientQ.value) ? clientQ.value.trim() : "";
      clientForm.elements.name.focus();
    });
    $("client-cancel").addEventListener("click", () => { clientForm.hidden = true; clientQ.focus(); });
    const closeForm = () => { clientForm.hidden = true; clientForm.reset(); delete clientForm.dataset.checked; };
    clientForm.addEventListener("submit", async (e) => {
      e.preventDefault();
      const f = clientForm.elements;
      const message = $("client-form-message");
      message.replaceChildren();
      const phone = f.phone.value.trim();
      const body = { kind: f.kind.value, name: f.name.value.trim(), client_group: f.client_group.value,
        phones: phone ? [{ number: phone }] : [] };
      if (!body.name) { message.textContent = T.need_name; f.name.focus(); return; }
      // a phone another client has: say who (the manager may want them), save
      // only when asked again
      if (phone && clientForm.dataset.checked !== phone) {
        clientForm.dataset.checked = phone;
        const same = await clientsWithPhone(phone);
        if (same.length) {
          message.append(T.same_phone + " ");
          for (const c of same) {
            const pick = document.createElement("button");
            pick.type = "button";
            pick.className = "link";
            pick.textContent = c.name;
            pick.addEventListener("click", () => { closeForm(); takeClient(c); });
            message.append(pick, " ");
          }
          return;
        }
      }
      let r;
      try {
        r = await fetch("/api/clients", { method: "POST", credentials: "same-origin",
          headers: POST_JSON,
          body: JSON.stringify(body) });
      } catch (err) { message.textContent = T.e_network; return; }
      if (r.status === 401) { signIn(); return; }
      const data = await r.json().catch(() => ({}));
      if (!r.ok) {
        const detail = String(data.detail || "");
        message.textContent = /phone/.test(detail) ? T.bad_phone
          : /\bname\b/.test(detail) ? T.need_name : refusal(r.status, data);
        return;
      }
      const groupName = f.client_group.selectedOptions[0].textContent;
      closeForm();
      takeClient({ ...data, client_group_name: groupName });
    });
  }
  // the clients that have this phone already (its last ten digits)
  async function clientsWithPhone(phone) {
    const digits = phone.replace(/\D/g, "").slice(-10);
    if (digits.length < 10) return [];
    let html;
    try { html = await getHtml("/ui/clients?q=" + encodeURIComponent(phone)); } catch (e) { return []; }
    const found = document.createElement("div");
    found.innerHTML = html;
    return [...found.querySelectorAll(".client-option")].map((o) => JSON.parse(o.dataset.client))
      .filter((c) => (c.phones || []).some((p) => p.e164.replace(/\D/g, "").endsWith(digits)));
  }
  // a refusal the page has no words of its own for, said by its status
  function refusal(status, data) {
    const detail = String((data && data.detail) || "");
    const gone = /^no client (\d+)$/.exec(detail);
    if (gone) return T.e_no_client.replace("{0}", gone[1]);
    if (status === 403) return detail.includes("X-CSRF-Token") ? T.e_stale_page : T.e_not_allowed;
    if (status === 503) return T.e_database_down;
    if (status >= 500) return T.e_server;
    return T.e_bad_request;
  }

  function renderClient() {
    const chosen = $("client-chosen");
    const c = state.client;
    if (!c) { chosen.textContent = T.client_none; return; }
    const discount = c.discount_percent ? ` · −${whole.format(Number(c.discount_percent))} %` : "";
    chosen.replaceChildren();
    const name = document.createElement("b");
    name.textContent = c.name;
    const clear = document.createElement("button");
    clear.type = "button";
    clear.className = "link";
    clear.textContent = T.client_clear_short;
    clear.setAttribute("aria-label", T.client_clear);
    clear.addEventListener("click", () => {
      state.client = null;
      save(true);
      renderClient();
      if (current.box) search(current.box, current.brand);
      checkCart(); // the cart's prices without the client's terms
    });
    const who = document.createElement("div");
    who.className = "who";
    who.title = c.name;
    who.append(name);
    const terms = document.createElement("div");
    terms.className = "terms";
    const group = document.createElement("span");
    group.textContent = `${c.client_group_name || c.client_group}${discount}`;
    terms.append(group, clear);
    const cars = document.createElement("div");
    cars.className = "cars";
    chosen.append(who, terms, cars);
    const withVin = (c.vehicles || []).filter((v) => v.vin);
    if (withVin.length) {
      const label = document.createElement("span");
      label.className = "muted";
      label.textContent = "VIN:";
      cars.append(label);
    }
    for (const v of withVin) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "vehicle";
      // short, so a second car fits the client's column: the model and plate;
      // make, year and VIN in the title and the accessible name
      const full = `${[v.make, v.model, v.year].filter(Boolean).join(" ")} ${v.plate || ""}`.trim();
      b.textContent = `${v.model || v.make || ""} ${v.plate || ""}`.trim() || v.vin;
      b.title = `${T.vin_search}: ${full} (${v.vin})`;
      b.setAttribute("aria-label", b.title);
      b.addEventListener("click", () => { box.value = v.vin + " "; box.focus(); });
      cars.append(b);
    }
  }

  // ---- cart ----------------------------------------------------------------
  function addToCart(tr) {
    const line = JSON.parse(tr.dataset.line);
    const step = line.multiplicity || 1;
    const found = state.lines.find((l) => l.key === tr.dataset.key);
    if (found) found.qty += step;
    else state.lines.push({ key: tr.dataset.key, line, qty: step });
    save(true);
    renderCart();
    tr.classList.add("in-cart");
  }
  // what stops a line from being ordered as it is (the server checks again)
  function cartProblem(l) {
    if (l.gone) return T.line_gone;
    const step = l.line.multiplicity || 1;
    if (l.qty < step) return `${T.qty}: ${T.qty_min.replace("{min}", whole.format(step))}`;
    if (l.qty % step) return `${T.col_mult_full}: ${step}`;
    if (l.qty > MAX_QTY) return `${T.qty}: ${T.qty_too_big.replace("{max}", whole.format(MAX_QTY))}`;
    if (l.line.qty !== null && !l.line.qty_approx && l.qty > l.line.qty) return `${T.col_qty_full}: ${l.line.qty}`;
    return "";
  }
  // what the manager should know, but may still order
  function cartWarning(l) {
    if (l.line.qty_approx && l.line.qty !== null && l.qty > l.line.qty) return T.approx_stock.replace("{qty}", l.line.qty);
    return "";
  }
  function renderCart() {
    const holder = $("cart-lines");
    holder.replaceChildren();
    $("cart-note").value = state.note || "";
    if (!state.lines.length) {
      const p = document.createElement("p");
      p.className = "muted";
      p.textContent = T.cart_empty;
      holder.append(p);
      $("cart-total").textContent = "";
      $("make-order").disabled = true;
      return;
    }
    let total = 0;
    let blocked = false;
    state.lines.forEach((l, i) => {
      const row = document.createElement("div");
      row.className = "cart-line";
      const price = l.line.price === null ? NaN : Number(l.line.price);
      if (!l.gone) total += price * l.qty; // an offer no more is no money
      const title = document.createElement("div");
      title.innerHTML = "<b></b> <span></span><br><small class='muted'></small>";
      title.querySelector("b").textContent = `${l.line.brand} ${l.line.article_raw || l.line.article}`;
      title.querySelector("span").textContent = l.line.name || "";
      title.querySelector("small").textContent = `${l.line.supplier_name}${l.line.warehouse ? " · " + l.line.warehouse : ""}`;
      const qty = document.createElement("input");
      qty.type = "number";
      qty.min = l.line.multiplicity || 1;
      qty.step = l.line.multiplicity || 1;
      qty.value = l.qty;
      qty.id = `cart-qty-${i}`;
      qty.setAttribute("aria-label", `${T.qty}: ${l.line.brand} ${l.line.article}`);
      qty.addEventListener("change", () => { l.qty = Math.max(0, Math.round(Number(qty.value) || 0)); save(true); renderCart(); });
      const amount = document.createElement("span");
      amount.className = "num";
      amount.textContent = isNaN(price) ? "—" : fmt.format(price * l.qty);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link";
      remove.textContent = T.remove;
      remove.setAttribute("aria-label", `${T.remove}: ${l.line.brand} ${l.line.article_raw || l.line.article}`);
      remove.addEventListener("click", () => { state.lines.splice(i, 1); save(true); renderCart(); });
      const problem = document.createElement("small");
      const blocking = cartProblem(l);
      problem.className = blocking ? "problem" : "warning";
      problem.textContent = blocking || cartWarning(l);
      if (blocking) blocked = true;
      row.append(title, qty, amount, remove, problem);
      holder.append(row);
    });
    $("cart-total").textContent = `${T.total}: ${fmt.format(total)} ₽`;
    $("make-order").disabled = !canOrder || blocked;
    if (!canOrder) cartMessage(false).textContent = T.cannot_order;
  }
  $("cart-note").addEventListener("change", (e) => { state.note = e.target.value; save(true); });

  function orderBody() {
    return {
      client_id: state.client ? state.client.id : null,
      note: state.note || null,
      lines: state.lines.map((l) => ({
        brand: l.line.brand, article: l.line.article, supplier_id: l.line.supplier_id,
        source: l.line.source, warehouse: l.line.warehouse, load_id: l.line.load_id,
        row: l.line.row, qty: l.qty, price_seen: l.line.price,
        asked_brand: l.line.asked_brand || null, asked_article: l.line.asked_article || null,
      })),
    };
  }

  // the cart priced again for the chosen client, as placing the order would
  // (nothing is saved): prices and stock brought up to date, problems said
  const OFFER_KEYS = ["price", "qty", "qty_approx", "multiplicity", "load_id", "row",
    "delivery_days_min", "delivery_days_max"];
  async function checkCart(lead) {
    if (!state.lines.length) return;
    const asked = JSON.stringify(orderBody());
    let r;
    try {
      r = await fetch("/api/orders/check", { method: "POST", credentials: "same-origin", headers: POST_JSON, body: asked });
    } catch (e) { return; }
    if (r.status === 401) { signIn(); return; }
    if (!r.ok || JSON.stringify(orderBody()) !== asked) return; // the cart moved on meanwhile
    const data = await r.json();
    let changed = false, repriced = false;
    for (const checked of data.lines) {
      const l = state.lines[checked.position - 1];
      if (!l) continue;
      if (Boolean(l.gone) !== !checked.offer) { l.gone = !checked.offer; changed = true; }
      if (!checked.offer) continue;
      for (const k of OFFER_KEYS) {
        if (l.line[k] === checked.offer[k]) continue;
        if (k === "price") repriced = true;
        l.line[k] = checked.offer[k];
        changed = true;
      }
    }
    if (changed) save(true);
    renderCart();
    const other = data.problems.filter((p) => p.code !== "price_changed");
    const said = problemTexts({ lines: other });
    if (repriced) said.unshift(state.client ? T.cart_repriced : T.cart_refreshed);
    if (lead) said.unshift(lead);
    // news, not a problem, when the prices changed and nothing holds the order back
    cartMessage(!other.length).textContent = said.join("; ");
  }

  async function makeOrder() {
    const message = cartMessage(false);
    message.textContent = "";
    if (!state.client) { message.textContent = T.need_client; clientQ.focus(); return; }
    if (!state.key) save(true);
    const body = orderBody();
    const button = $("make-order");
    button.disabled = true;
    let r;
    try {
      r = await fetch("/api/orders", {
        method: "POST", credentials: "same-origin",
        headers: { ...POST_JSON, "Idempotency-Key": state.key },
        body: JSON.stringify(body),
      });
    } catch (e) { button.disabled = false; message.textContent = T.e_network; return; }
    if (r.status === 401) { signIn(); return; }
    const data = await r.json().catch(() => ({}));
    if (r.ok) {
      state = Object.assign(empty(), { client: state.client, placed: data.id });
      save(false);
      location.href = `/ui/orders/${data.id}`;
      return;
    }
    button.disabled = false;
    const changed = (data.lines || []).filter((p) => p.code === "price_changed");
    for (const c of changed) {
      const l = state.lines[c.position - 1];
      if (l) l.line.price = c.price;
    }
    if (changed.length) {
      save(true);
      renderCart();
      message.textContent = `${T.prices_changed}. ${problemTexts(data).join("; ")}`;
      if (current.box) search(current.box, current.brand); // the rows show the new prices too
      // other problems too (a line gone, stock): the lines marked, the button held
      if (changed.length < data.lines.length) checkCart(T.prices_changed);
      return;
    }
    const texts = problemTexts(data);
    message.textContent = texts.length ? texts.join("; ") : refusal(r.status, data);
    // the lines brought up to date (stock, multiplicity, gone), marked, and the
    // button held back while they block: not the same refusal at every click
    if (texts.length) checkCart();
  }
  $("make-order").addEventListener("click", makeOrder);
  // the server's reasons, in the page's words where the code is known
  function problemTexts(data) {
    if (!Array.isArray(data.lines)) return []; // said by `refusal`, in the page's words
    return data.lines.map((p) => {
      const text = T[`p_${p.code}`];
      if (!text) return p.message;
      return text.replace(/\{(\w+)\}/g, (_, k) => {
        if (k === "nearest") return (p.nearest || []).join(", ");
        if ((k === "price" || k === "price_seen") && p[k] != null) return fmt.format(Number(p[k]));
        return p[k] ?? "";
      });
    });
  }

  // ---- start ---------------------------------------------------------------
  renderCart();
  renderClient();
  langLink();
  checkCart();
  const start = new URLSearchParams(location.search);
  if (start.get("q")) { box.value = start.get("q"); search(start.get("q"), start.get("brand") || ""); }
  box.focus();
})();
