// The judge's scoring sheet (R-SCORE-2): quick buttons, live total, and nothing lost offline.
// The server's figure is authoritative; the live total is computed the server's way (exact
// fractions, rounded half up once, R-SCORE-1), so the two never disagree.
// Only *saving* is ever queued or retried: submitting always takes the judge's confirmation,
// given while the page is online and everything typed has been sent.
(function () {
  "use strict";

  // ---- R-SCORE-1 in exact arithmetic (BigInt fractions), as app/judging/scoring.py judge_total
  function decimal(text) {
    // "86.5" → {n: 865n, d: 10n}; null unless a plain non-negative decimal
    var m = /^(\d*)(?:\.(\d*))?$/.exec(String(text == null ? "" : text).trim());
    if (!m || (m[1] + (m[2] || "")) === "") return null;
    var frac = (m[2] || "").replace(/0+$/, "");
    return {n: BigInt((m[1] || "0") + frac), d: 10n ** BigInt(frac.length), places: frac.length};
  }
  function cents(terms) {
    // Σ score/max × weight over [score, max, weight] decimals, in hundredths, half up once
    var num = 0n, den = 1n;
    terms.forEach(function (t) {
      var s = t[0], m = t[1], w = t[2];
      var tn = s.n * w.n * m.d, td = s.d * w.d * m.n;  // s/m × w
      num = num * td + tn * den;
      den = den * td;
    });
    return (2n * num * 100n + den) / (2n * den);  // floor(x·100 + ½): scores are never negative
  }
  function centsText(c) {
    var r = String(c % 100n);
    return String(c / 100n) + "." + (r.length < 2 ? "0" + r : r);
  }
  function judgeTotal(rows) {
    // rows of [score, max, weight] as typed → "77.48"; blank scores count 0
    return centsText(cents(rows.filter(function (r) { return String(r[0]).trim() !== ""; }).map(function (r) {
      return [decimal(r[0]), decimal(r[1]), decimal(r[2])];
    })));
  }
  window.saixuntong = window.saixuntong || {};
  window.saixuntong.judgeTotal = judgeTotal;

  var form = document.getElementById("sheet-form");
  if (!form) return;
  var locked = form.dataset.locked === "true";
  var storeKey = "saixuntong:sheet:" + form.dataset.sheetKey;
  var editor = form.querySelector("input[name=editor]");
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-item]"));
  var unsentBox = document.getElementById("sheet-unsent");
  var noticeBox = document.getElementById("sheet-notice");
  var submitButton = document.getElementById("submit-sheet");
  var submitUrl = submitButton ? submitButton.getAttribute("formaction") : null;
  if (submitButton) {
    // htmx would send every later autosave to the last clicked button's formaction (the bug that
    // submitted sheets on reconnect): with JavaScript the button only ever asks, never posts.
    submitButton.removeAttribute("formaction");
    submitButton.type = "button";
  }
  var failed = false;      // the last save never reached the server: retry
  var conflicted = false;  // another tab or device saved first (409): stop, the judge must reload
  var wantSubmit = false;  // the judge tapped 提交评分 while it could not be sent: ask again once saved
  var submitting = false;

  function norm(v) {
    v = (v == null ? "" : String(v)).trim().replace("，", ".");
    if (v === "") return "";
    var n = Number(v);
    return isNaN(n) ? v : String(n);
  }
  function problem(input) {
    // why a typed value cannot be saved (the server says the same, R-SCORE-1: 0..max, two decimals)
    var text = norm(input.value), row = input.closest(".item-row");
    if (text === "") return input.validity && input.validity.badInput ? "不是有效的数字" : null;
    var v = decimal(text);
    if (v === null) return Number(text) < 0 ? "不能低于 0" : "不是有效的数字";
    if (v.places > 2) return "最多保留两位小数";
    var max = decimal(row.dataset.max);
    if (v.n * max.d > max.n * v.d) return "超过满分 " + row.dataset.max;
    return null;
  }
  function current() {
    var out = {};
    inputs.forEach(function (i) { out[i.name] = i.value; });
    return out;
  }
  function statusBox() { return document.getElementById("sheet-status"); }
  function saved() {
    try { return JSON.parse(statusBox().dataset.saved || "{}"); } catch (e) { return {}; }
  }
  function invalid() { return inputs.filter(function (i) { return problem(i) !== null; }); }
  function unsent() {
    // values typed and not yet on the server; a value that cannot be saved is not "being saved"
    var was = saved(), n = 0;
    inputs.forEach(function (i) { if (problem(i) === null && norm(i.value) !== norm(was[i.name])) n += 1; });
    return n;
  }
  function notice(text) {
    if (!noticeBox) return;
    noticeBox.textContent = text || "";
    noticeBox.hidden = !text;
  }
  function showUnsent() {
    var n = unsent(), bad = invalid().length;
    var parts = [];
    if (bad) parts.push("有 " + bad + " 项分数有误，未保存");
    if (n && conflicted) parts.push("有 " + n + " 项未保存：该评分表已在别处修改，请重新载入后再改");
    else if (n && failed) parts.push("有 " + n + " 项未保存，网络恢复后自动重发");
    else if (n) parts.push("有 " + n + " 项正在保存…");
    unsentBox.textContent = parts.join("；");
    unsentBox.className = "sheet-unsent " + (bad || failed || conflicted ? "offline" : "pending");
    unsentBox.hidden = parts.length === 0;
    // the bar never says "✓ 已保存" while something typed is not saved
    var savedLine = statusBox().querySelector(".saved-line");
    if (savedLine) savedLine.hidden = parts.length > 0;
  }
  function version() {
    return statusBox().dataset.version;
  }
  function store() {
    // with the version and tab they were typed in: after a reload they are resent only if nobody else saved since
    localStorage.setItem(storeKey, JSON.stringify({version: version(), editor: editor.value, values: current()}));
  }
  function remember() {
    if (locked) return;
    try {
      if (unsent() && !conflicted) store();
      else localStorage.removeItem(storeKey);
    } catch (e) { /* private mode: the page notice still tells the judge */ }
    showUnsent();
  }
  function liveTotal() {
    var was = saved(), terms = [];
    inputs.forEach(function (i) {
      var row = i.closest(".item-row"), text = norm(i.value), why = problem(i);
      var bad = why !== null;
      var points = row.querySelector(".points"), message = row.querySelector(".row-error");
      if (!bad && text !== "") {
        var term = [decimal(text), decimal(row.dataset.max), decimal(row.dataset.weight)];
        terms.push(term);
        if (points) points.textContent = centsText(cents([term]));
      } else if (points) {
        points.textContent = "—";
      }
      if (message) { message.textContent = why || ""; message.hidden = !why; }
      row.classList.toggle("invalid", bad);
      row.classList.toggle("filled", !bad && text !== "" && text === norm(was[i.name]));
      row.classList.toggle("pending", !bad && text !== norm(was[i.name]));
      Array.prototype.forEach.call(row.querySelectorAll(".preset"), function (b) {
        b.classList.toggle("on", text !== "" && Number(b.dataset.set) === Number(text));
      });
    });
    document.getElementById("live-total").textContent = centsText(cents(terms));
  }
  function resend() {
    if (!locked && !conflicted && unsent()) htmx.trigger(form, "resend");
  }
  function lock() {
    // R-SCORE-2: submitted means locked, on screen at once
    locked = true;
    wantSubmit = false;
    try { localStorage.removeItem(storeKey); } catch (e) {}
    form.classList.add("locked");
    form.dataset.locked = "true";
    ["hx-post", "hx-trigger"].forEach(function (a) { form.removeAttribute(a); });
    inputs.forEach(function (i) { i.readOnly = true; i.disabled = true; });
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = true; b.hidden = true; });
    var actions = form.querySelector(".actions");
    if (actions) actions.remove();
    if (!document.querySelector(".locked-banner")) {
      var banner = document.createElement("p");
      banner.className = "locked-banner";
      banner.setAttribute("role", "status");
      banner.innerHTML = "<strong>已提交 · 已锁定</strong> 本评分表不能再修改；如需更正，请联系评委组长。";
      form.parentNode.insertBefore(banner, form);
    }
    notice("");
    unsentBox.hidden = true;
  }
  function askAgain(text) {
    wantSubmit = true;
    notice(text);
  }
  function trySubmit() {
    if (locked || conflicted || submitting) return;
    var bad = invalid();
    if (bad.length) {
      notice("有 " + bad.length + " 项分数有误，请先改正再提交。");
      bad[0].focus();
      return;
    }
    if (!navigator.onLine || failed) {
      askAgain("网络已断开，评分未提交。已填写的分数保存在本机，网络恢复后自动保存；保存后请再次点击「提交评分」确认提交。");
      resend();
      return;
    }
    if (!window.confirm(submitButton.dataset.confirm)) return;
    try { store(); } catch (e) {}
    submitting = true;
    notice("正在提交…");
    htmx.ajax("POST", submitUrl, {source: form, target: "#sheet-status", swap: "outerHTML"});
  }

  if (locked) {
    try { localStorage.removeItem(storeKey); } catch (e) {}
    return;
  }

  // After a reload (or a crash), values that never reached the server come back and are resent.
  try {
    var stored = JSON.parse(localStorage.getItem(storeKey) || "null");
    var ours = stored && (stored.version === version() || (stored.editor && stored.editor === form.dataset.lastEditor));
    if (stored && ours) editor.value = stored.editor;  // the last save was this tab's own (its answer was lost)
    if (stored && !ours) {
      // saved elsewhere since (another tab or device): the server's figures win, nothing is overwritten
      localStorage.removeItem(storeKey);
      window.saixuntong.toast("本机有未保存的分数，但该评分表已在其他页面或设备上修改过；现显示服务器上的最新分数，请核对。");
      stored = null;
    }
    if (stored) {
      stored = stored.values;
      inputs.forEach(function (i) { if (i.name in stored && norm(stored[i.name]) !== norm(i.value)) i.value = stored[i.name]; });
      liveTotal();
      if (unsent()) { failed = !navigator.onLine; showUnsent(); setTimeout(resend, 50); }
      else localStorage.removeItem(storeKey);
    }
  } catch (e) {}

  form.addEventListener("input", function () { liveTotal(); remember(); });
  form.addEventListener("change", function () { liveTotal(); remember(); });
  form.addEventListener("keydown", function (event) {
    // Enter moves on instead of submitting the whole page.
    if (event.key === "Enter" && event.target.matches("input[data-item]")) {
      event.preventDefault();
      var next = inputs[inputs.indexOf(event.target) + 1];
      if (next) next.focus(); else event.target.blur();
      event.target.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });  // only trySubmit posts
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button.quick");
    if (button) {
      var input = button.closest(".item-row").querySelector("input[data-item]");
      var max = Number(input.max), value;
      if (button.dataset.set !== undefined) value = Number(button.dataset.set);
      else value = Number(norm(input.value) || 0) + Number(button.dataset.step);
      value = Math.min(max, Math.max(0, Math.round(value * 100) / 100));
      input.value = String(value);
      input.dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }
    if (event.target.closest("#submit-sheet")) {
      event.preventDefault();
      trySubmit();
    }
  });

  document.body.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt !== form) return;
    // a value that cannot be saved is left out: the others are still saved (fields not sent stay as they are)
    invalid().forEach(function (i) { delete event.detail.parameters[i.name]; });
  });
  document.body.addEventListener("htmx:sendError", function (event) {
    if (event.detail.elt !== form) return;
    event.stopPropagation();  // the sheet shows its own unsaved notice and retries; no generic toast
    failed = true;
    if (submitting) {
      submitting = false;
      askAgain("网络不通，评分未提交。分数保存在本机，网络恢复后自动保存；保存后请再次点击「提交评分」确认提交。");
    }
    remember();
  });
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt === form && (conflicted || locked)) event.preventDefault();  // never overwrite
  });
  var lastStatus = 0, lastWasSubmit = false;
  function answered() {
    // the server's answer is on the page (or, for an error it does not swap, known): show what it says
    // (data-*, not the class: htmx settles a swapped element's class a moment later)
    if (statusBox().dataset.locked === "true") { lock(); return; }
    liveTotal();
    remember();
    if (lastWasSubmit) notice("");
    if (lastStatus === 200 && unsent()) setTimeout(resend, 50);  // typed while the request was in flight
    else if (lastStatus === 200 && wantSubmit) {
      askAgain("网络已恢复，分数已全部保存，但评分尚未提交。请核对后再次点击「提交评分」确认提交。");
    }
  }
  var lastXhr = null;
  function record(xhr) {
    // what the server answered, noted once per request (htmx swaps before htmx:afterRequest fires)
    if (xhr === lastXhr) return;
    lastXhr = xhr;
    var status = xhr.status;
    lastStatus = status;
    lastWasSubmit = submitting;
    submitting = false;
    if (status === 409) {
      conflicted = true;
      try { localStorage.removeItem(storeKey); } catch (e) {}
    }
    failed = status >= 500;  // a server hiccup is retried like a lost connection; 422 waits for the judge
  }
  var answeredXhr = null;
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (!event.target || event.target.id !== "sheet-status" || !event.detail.xhr) return;
    record(event.detail.xhr);
    answeredXhr = event.detail.xhr;
    answered();
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (event.detail.elt !== form || !xhr || !xhr.status) return;
    record(xhr);
    if (answeredXhr !== xhr) answered();  // an answer not swapped into the status area (5xx, an alert)
  });
  window.addEventListener("online", function () {
    resend();
    if (wantSubmit && !unsent()) askAgain("网络已恢复，评分尚未提交。请核对后再次点击「提交评分」确认提交。");
  });
  setInterval(function () { if (failed) resend(); }, 4000);
  liveTotal();
  showUnsent();
})();
