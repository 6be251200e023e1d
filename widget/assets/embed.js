/*! book-widget embed.js: turns each <div data-widget-topic="slug"> into an
 * iframe sized for its layout before it loads, then keeps the iframe fitted
 * to its content through postMessage. No cookies, no storage, no requests
 * but the iframes themselves. */
(function () {
  "use strict";
  var me = document.currentScript;
  var src = me && me.src;
  if (!src) return;
  var origin = new URL(src, location.href).origin;
  var frames = [];
  var pick = function (value, allowed, fallback) {
    return allowed.indexOf(value) >= 0 ? value : fallback;
  };

  // The widget's CSS gives every block a fixed height per layout and width
  // (two width classes, split at 640 px), so this formula is its height
  // before it loads: the host page never jumps. Keep it in step with
  // templates/widget/_style.css; the browser tests compare the two.
  // French and Spanish disclosures take one line more than the others.
  var LONG_DISCLOSURE = {fr: 1, es: 1};

  function reserve(layout, count, width, lang) {
    var inner = width - 26, wide = inner >= 614;
    var h = 26 + (wide ? 22 : 40) + 8;
    if (layout === "grid") {
      // Columns of at least 120 px and 18% (at most five: two rows of five).
      var cols = Math.max(1, Math.floor((inner + 12) / (Math.max(120, inner * 0.18) + 12)));
      var rows = Math.ceil(count / cols);
      h += rows * 198 + (rows - 1) * 12;
    } else {
      h += count * (layout === "compact" ? (wide ? 27 : 45) : 89);
    }
    if (layout !== "compact") h += 8 + (wide ? 16 : 32);
    var disclosure = (wide ? 16 : 48) + (LONG_DISCLOSURE[lang] ? 16 : 0);
    return h + 8 + disclosure + 4 + (wide ? 16 : 32);
  }

  function mount(box) {
    var slug = box.getAttribute("data-widget-topic") || "";
    if (box.getAttribute("data-widget-mounted") || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug)) return;
    box.setAttribute("data-widget-mounted", "1");
    var count = parseInt(box.getAttribute("data-count") || "10", 10);
    if (!(count >= 1 && count <= 10)) count = 10;
    var layout = pick(box.getAttribute("data-layout"), ["list", "grid", "compact"], "list");
    var theme = pick(box.getAttribute("data-theme"), ["light", "dark", "auto"], "light");
    var lang = box.getAttribute("data-lang") || "";
    var query = "?count=" + count + "&layout=" + layout + "&theme=" + theme +
      (lang ? "&lang=" + encodeURIComponent(lang) : "");
    var frame = document.createElement("iframe");
    frame.src = origin + "/widget/" + slug + query;
    frame.title = box.getAttribute("data-title") || "Popular books: " + slug;
    frame.setAttribute("loading", "lazy");
    frame.style.cssText = "display:block;width:100%;border:0;margin:0;padding:0;height:" +
      reserve(layout, count, box.getBoundingClientRect().width || 320, lang) + "px";
    box.textContent = "";  // the blogger's fallback link, if any
    box.appendChild(frame);
    frames.push(frame);
  }

  function scan() {
    var boxes = document.querySelectorAll("div[data-widget-topic]");
    for (var i = 0; i < boxes.length; i++) mount(boxes[i]);
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.type !== "bw:height") return;
    if (typeof data.height !== "number" || !(data.height > 0)) return;
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frames[i].style.height = Math.min(Math.ceil(data.height), 20000) + "px";
      }
    }
  });

  scan();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
})();
