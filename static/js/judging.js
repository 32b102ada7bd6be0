// The judge's scoring sheet (R-SCORE-2): quick buttons, live total, and nothing lost offline.
// The server's figure is authoritative; the live total here is only for the eye.
(function () {
  "use strict";
  var form = document.getElementById("sheet-form");
  if (!form) return;
  var locked = form.dataset.locked === "true";
  var storeKey = "saixuntong:sheet:" + form.dataset.sheetKey;
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-item]"));
  var unsentBox = document.getElementById("sheet-unsent");
  var failed = false;

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
    if (n && failed) {
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
  function remember() {
    if (locked) return;
    try {
      if (unsent()) localStorage.setItem(storeKey, JSON.stringify(current()));
      else localStorage.removeItem(storeKey);
    } catch (e) { /* private mode: the page notice still tells the judge */ }
    showUnsent();
  }
  function liveTotal() {
    // hundredths of a point, summed as integers where possible; display only
    var total = 0;
    inputs.forEach(function (i) {
      var row = i.closest(".item-row");
      var v = Number(norm(i.value) || 0), w = Number(row.dataset.weight), m = Number(row.dataset.max);
      if (!isNaN(v) && m > 0) total += v / m * w;
    });
    document.getElementById("live-total").textContent = (Math.round(total * 100 + 1e-9) / 100).toFixed(2);
  }
  function resend() {
    if (!locked && unsent()) htmx.trigger(form, "resend");
  }

  if (locked) {
    try { localStorage.removeItem(storeKey); } catch (e) {}
    return;
  }

  // After a reload (or a crash), values that never reached the server come back and are resent.
  try {
    var stored = JSON.parse(localStorage.getItem(storeKey) || "null");
    if (stored) {
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
      else try { localStorage.setItem(storeKey, JSON.stringify(current())); } catch (e) {}
    }
  });

  document.body.addEventListener("htmx:sendError", function (event) {
    if (event.detail.elt !== form) return;
    failed = true;
    remember();
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== form || !event.detail.xhr || !event.detail.xhr.status) return;
    if (event.detail.successful) failed = false;
    remember();
    if (event.detail.successful && unsent()) setTimeout(resend, 50);  // typed while the request was in flight
  });
  window.addEventListener("online", function () { resend(); });
  setInterval(function () { if (failed) resend(); }, 4000);
  liveTotal();
})();
