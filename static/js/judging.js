// The judge's scoring sheet (R-SCORE-2): quick buttons, live total, and nothing lost offline.
// The server's figure is authoritative; the live total here is only for the eye.
(function () {
  "use strict";
  var form = document.getElementById("sheet-form");
  if (!form) return;
  var locked = form.dataset.locked === "true";
  var storeKey = "saixuntong:sheet:" + form.dataset.sheetKey;
  var editor = form.querySelector("input[name=editor]");
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-item]"));
  var unsentBox = document.getElementById("sheet-unsent");
  var failed = false;      // the last save never reached the server: retry
  var conflicted = false;  // another tab or device saved first (409): stop, the judge must reload

  function norm(v) {
    v = (v == null ? "" : String(v)).trim().replace("，", ".");
    if (v === "") return "";
    var n = Number(v);
    return isNaN(n) ? v : String(n);
  }
  function current() {
    var out = {};
    inputs.forEach(function (i) { out[i.name] = i.value; });
    return out;
  }
  function saved() {
    var box = document.getElementById("sheet-status");
    try { return JSON.parse(box.dataset.saved || "{}"); } catch (e) { return {}; }
  }
  function unsent() {
    var now = current(), was = saved(), n = 0;
    Object.keys(now).forEach(function (k) { if (norm(now[k]) !== norm(was[k])) n += 1; });
    return n;
  }
  function showUnsent() {
    var n = unsent();
    if (n && conflicted) {
      unsentBox.textContent = "有 " + n + " 项未保存：该评分表已在别处修改，请重新载入后再改";
      unsentBox.className = "sheet-unsent offline";
      unsentBox.hidden = false;
    } else if (n && failed) {
      unsentBox.textContent = "有 " + n + " 项未保存，网络恢复后自动重发";
      unsentBox.className = "sheet-unsent offline";
      unsentBox.hidden = false;
    } else if (n) {
      unsentBox.textContent = "有 " + n + " 项正在保存…";
      unsentBox.className = "sheet-unsent pending";
      unsentBox.hidden = false;
    } else {
      unsentBox.hidden = true;
    }
  }
  function version() {
    return document.getElementById("sheet-status").dataset.version;
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
    // display only: the server's figure (exact decimals, rounded once) is the one that counts
    var total = 0, was = saved();
    inputs.forEach(function (i) {
      var row = i.closest(".item-row"), text = norm(i.value);
      var v = Number(text || 0), w = Number(row.dataset.weight), m = Number(row.dataset.max);
      var bad = text !== "" && (isNaN(v) || v < 0 || v > m);
      var points = row.querySelector(".points");
      if (!bad && m > 0) total += v / m * w;
      if (points) points.textContent = text === "" || bad ? "—" : (Math.round(v / m * w * 100 + 1e-9) / 100).toFixed(2);
      row.classList.toggle("invalid", bad);
      row.classList.toggle("filled", !bad && text !== "" && text === norm(was[i.name]));
      row.classList.toggle("pending", !bad && text !== norm(was[i.name]));
      Array.prototype.forEach.call(row.querySelectorAll(".preset"), function (b) {
        b.classList.toggle("on", text !== "" && Number(b.dataset.set) === v);
      });
    });
    document.getElementById("live-total").textContent = (Math.round(total * 100 + 1e-9) / 100).toFixed(2);
  }
  function resend() {
    if (!locked && !conflicted && unsent()) htmx.trigger(form, "resend");
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
    var submit = event.target.closest("#submit-sheet");
    if (submit) {
      if (!navigator.onLine) {
        event.preventDefault();
        window.saixuntong.toast("网络已断开，恢复后再提交。已填写的分数保存在本机，不会丢失。");
        return;
      }
      if (!window.confirm(submit.dataset.confirm)) event.preventDefault();
      else try { store(); } catch (e) {}
    }
  });

  document.body.addEventListener("htmx:sendError", function (event) {
    if (event.detail.elt !== form) return;
    event.stopPropagation();  // the sheet shows its own unsaved notice and retries; no generic toast
    failed = true;
    remember();
  });
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt === form && conflicted) event.preventDefault();  // never overwrite the other device
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== form || !event.detail.xhr || !event.detail.xhr.status) return;
    var status = event.detail.xhr.status;
    if (status === 409) {
      conflicted = true;
      try { localStorage.removeItem(storeKey); } catch (e) {}
    }
    failed = status >= 500;  // a server hiccup is retried like a lost connection; 422 waits for the judge
    liveTotal();
    remember();
    if (status === 200 && unsent()) setTimeout(resend, 50);  // typed while the request was in flight
  });
  window.addEventListener("online", function () { resend(); });
  setInterval(function () { if (failed) resend(); }, 4000);
  liveTotal();
})();
