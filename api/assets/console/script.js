// Keel's tracker: <script defer data-site="kt_…" src="https://keel.example/js/script.js"></script>
// Sends a pageview on load and on single-page-app navigation, and window.keel("name", {props})
// custom events, to Keel's public pixel. No cookies, nothing stored on the device.
(function (w, d) {
  "use strict";
  var s = d.currentScript;
  if (!s || w.keel && w.keel.on) return;
  var site = s.getAttribute("data-site");
  var api = s.getAttribute("data-api") || s.src.split("/js/")[0];
  var url = api + "/api/v1/pixel/track";
  var leaving = false, last = null, queued = (w.keel && w.keel.q) || [];
  function send(type, name, props) {
    var body = JSON.stringify({ tracking_id: site, type: type, name: name || null, url: location.href,
      referrer: d.referrer || null, screen_width: w.innerWidth || null, properties: props || {} });
    // While the page unloads, a beacon is the request that still leaves.
    if (leaving && navigator.sendBeacon && navigator.sendBeacon(url, body)) return;
    try {
      fetch(url, { method: "POST", body: body, keepalive: true, credentials: "omit",
        headers: { "Content-Type": "text/plain" } })["catch"](function () {});
    } catch (e) { /* never break the page */ }
  }
  function pageview() {
    if (location.href === last) return;
    last = location.href;
    send("pageview");
  }
  var push = history.pushState;
  history.pushState = function () { push.apply(this, arguments); pageview(); };
  w.addEventListener("popstate", pageview);
  w.addEventListener("pagehide", function () { leaving = true; });
  w.addEventListener("pageshow", function () { leaving = false; });
  w.keel = function (name, opts) { send("custom", name, opts && opts.props); };
  w.keel.on = true;
  for (var i = 0; i < queued.length; i++) w.keel.apply(null, queued[i]);
  pageview();
})(window, document);
