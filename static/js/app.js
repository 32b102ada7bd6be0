// 赛训通: the little glue htmx leaves to us. Pages work without it.
(function () {
  "use strict";
  // Errors htmx does not swap (403, 404, 429, 500…) still reach the user, in Chinese.
  function toast(message) {
    var box = document.createElement("div");
    box.className = "toast";
    box.setAttribute("role", "alert");
    box.textContent = message;
    document.body.appendChild(box);
    setTimeout(function () { box.remove(); }, 6000);
  }
  window.saixuntong = { toast: toast };
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var text = (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0 ? xhr.responseText : "";
    toast(text || ("操作未完成（" + xhr.status + "）。"));
  });
  document.addEventListener("htmx:sendError", function () {
    toast("网络连接中断，操作未发送。请检查网络后重试。");
  });
})();
