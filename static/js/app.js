// 赛训通: the little glue htmx leaves to us. Pages work without it.
(function () {
  "use strict";
  // Network failures and errors nobody rendered for us still reach the user, in Chinese.
  function toast(message) {
    var box = document.createElement("div");
    box.className = "toast";
    box.setAttribute("role", "alert");
    box.textContent = message;
    document.body.appendChild(box);
    setTimeout(function () { box.remove(); }, 6000);
  }
  window.saixuntong = { toast: toast };
  // The behaviour inline on…= handlers used to carry: the CSP allows no inline script.
  // data-ask on a form or submit button asks first (capture phase: before htmx sees the submit).
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    if (target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
      return;
    }
    var button = target.closest("button[data-ask], input[type=submit][data-ask]");
    if (button && !window.confirm(button.getAttribute("data-ask"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-ask") &&
        !window.confirm(form.getAttribute("data-ask"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // data-autosubmit on a field: submitting its form when it changes (a filter select).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof Element && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.requestSubmit();
    }
  });
  document.addEventListener("htmx:sendError", function () {
    toast("网络连接中断，操作未发送。请检查网络后重试。");
  });
})();

// ---------------------------------------------------------------- errors reach the screen (guards)
// One rule for the whole portal, with its server half in app/web/errors.py:
// - 2xx/3xx and every 4xx are swapped: a 4xx body is the error fragment the server rendered for
//   what the user acted on (a verdict, a form with its errors, or an alert box it retargets next to
//   the element that sent the request), so the message always replaces or sits beside that element;
// - a 5xx is swapped only when our error handler rendered it (header X-Error-Page); anything else
//   (a proxy's 502 page) becomes a toast;
// - an alert box placed beside an element is replaced by the next answer to that element;
// - a form marked data-result="#id" empties that result as soon as its input changes, so a check
//   page never shows an earlier result next to a different code.
(function () {
  "use strict";
  if (!window.htmx) return;
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "4..", swap: true },
    { code: "...", swap: false, error: true },
  ];

  function clearAlerts(elt) {
    while (elt && elt.previousElementSibling && elt.previousElementSibling.hasAttribute("data-htmx-error")) {
      elt.previousElementSibling.remove();
    }
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail, xhr = detail.xhr;
    var rendered = xhr.getResponseHeader("X-Error-Page") === "1";
    if (xhr.status >= 500 && rendered) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
    if (detail.shouldSwap && rendered && xhr.getResponseHeader("HX-Reswap") === "beforebegin") {
      clearAlerts(detail.target);
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 200 && xhr.status < 400) clearAlerts(event.detail.elt);
  });

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.getResponseHeader("X-Error-Page") === "1") return;
    toast("操作未完成（" + xhr.status + "），请稍后重试。");
  });

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-result]");
    var result = form && document.querySelector(form.getAttribute("data-result"));
    if (result) result.innerHTML = "";
  });

  function toast(message) { window.saixuntong.toast(message); }
})();
