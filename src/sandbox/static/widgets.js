/* Inside a widget page: tell the embedding page what happened (IN.callback) and how tall the
   widget is (IN.resize), only ever to the origin the widget was verified for. */
(function () {
  "use strict";
  var origin = document.body.getAttribute("data-embed-origin");
  if (!origin || window.parent === window) return;

  function post(message) {
    window.parent.postMessage(message, origin);
  }

  function postHeight() {
    post({ type: "IN.resize", height: Math.ceil(document.documentElement.getBoundingClientRect().height) });
  }

  document.querySelectorAll("script.in-callback").forEach(function (tag) {
    var item = JSON.parse(tag.textContent);
    post({ type: "IN.callback", callback: item.callback, payload: item.payload });
  });
  postHeight();
  if (window.ResizeObserver) new ResizeObserver(postHeight).observe(document.documentElement);
})();
