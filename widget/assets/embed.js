/*! book-widget embed.js: turns each <div data-widget-topic="slug"> into the
 * widget. Inline (the default): the HTML fragment in a shadow root of the div
 * itself, so links leave from the blog post and no style crosses either way.
 * data-mode="iframe": an iframe kept fitted to its content by postMessage.
 * The div's own content is the fallback: it stays in the page and shows
 * again whenever the widget cannot be shown. No cookies, no storage.
 * data-store="auto": the visitor's store, picked here (URLs stay cacheable). */
(function () {
  "use strict";
  var me = document.currentScript;
  var src = me && me.src;
  if (!src || !Element.prototype.attachShadow) return;
  var origin = new URL(src, location.href).origin;
  // Box heights per layout and width class (where each begins: classes)
  // for 1..10 items, and what a language adds: generated from
  // widget/embed.py, which decides them.
  var HEIGHTS = /*HEIGHTS*/{};
  var LAYOUTS = ["list", "grid", "compact"];
  var STORES = /*STORES*/{};
  var frames = [];

  function attr(box, name, fallback) {
    return box.getAttribute("data-" + name) || fallback;
  }

  // Reserve the box's height now, for pages whose snippet does not (the
  // recommended one does, in its HTML): the page then never jumps.
  function reserve(box, layout, count, lang) {
    var style = getComputedStyle(box);
    var width = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    var table = HEIGHTS.boxes[LAYOUTS.indexOf(layout) >= 0 ? layout : "list"];
    var n = count >= 1 && count <= 10 ? count : 10;
    var c = HEIGHTS.classes.length - 1;
    while (width < HEIGHTS.classes[c]) c--;
    var height = table[c][n - 1] +
      (HEIGHTS.extra[lang.toLowerCase().split(/[-_]/)[0]] || 0);
    if (box.getBoundingClientRect().height < height) box.style.minHeight = height + "px";
    return height;
  }

  // The blogger's fallback comes back, in the same space (nothing moves).
  function fallback(box) {
    if (box.shadowRoot) box.shadowRoot.innerHTML = "<slot></slot>";
  }

  function warn(slug, response) {
    var warning = response.headers.get("Widget-Warning");
    if (warning && window.console) console.warn("book widget " + slug + ": " + warning);
  }

  function inline(box, slug, url) {
    fetch(url, {credentials: "omit"}).then(function (response) {
      warn(slug, response);
      if (!response.ok) throw new Error(response.status);
      return response.text();
    }).then(function (html) {
      var template = new DOMParser().parseFromString(html, "text/html")
        .querySelector("template[shadowrootmode]");
      var content = template && template.content;
      if (!content || !content.querySelector(".bw") ||
          content.querySelector("[data-state=gone], script:not([data-bw-beacons])")) throw new Error("gone");
      box.attachShadow({mode: "open"}).appendChild(document.importNode(content, true));
      box.style.minHeight = "";
      // A box that counts clicks names its beacon script; a parsed copy
      // does not run, so it is loaded once for the page.
      if (content.querySelector("script[data-bw-beacons]")) beacons();
    }).catch(function () {});  // the fallback never left
  }

  var beaconsLoaded = false;
  function beacons() {
    if (!beaconsLoaded) {
      beaconsLoaded = true;
      var script = document.createElement("script");
      script.src = origin + "/beacons.js";
      script.async = true;
      (document.head || document.documentElement).appendChild(script);
    }
    // Boxes mounted after it ran: it looks again.
    document.dispatchEvent(new Event("bw:mounted"));
  }

  function framed(box, slug, url, height) {
    var frame = document.createElement("iframe");
    var entry = {frame: frame, box: box, heard: false};
    frame.src = url;
    frame.title = attr(box, "title", "Popular books: " + slug);
    frame.setAttribute("loading", "lazy");
    frame.style.cssText = "display:block;width:100%;border:0;margin:0;padding:0;height:" + height + "px";
    // A frame that never reports is an error page (a blocked origin, no
    // network): the fallback is better than the browser's grey box.
    frame.addEventListener("load", function () {
      setTimeout(function () { if (!entry.heard) fallback(box); }, 3000);
    });
    box.attachShadow({mode: "open"}).appendChild(frame);
    box.style.minHeight = "";
    frames.push(entry);
  }

  // Time zone, then language regions ("" is the default store).
  function visitorStore() {
    var S = STORES, found = [], langs = navigator.languages || [];
    try { found.push(S.zones[Intl.DateTimeFormat().resolvedOptions().timeZone]); } catch (e) {}
    for (var i = 0; i < langs.length; i++) found.push((/^[a-z]+-([a-z]{2})$/i.exec(langs[i]) || [])[1]);
    for (var j = 0; j < found.length; j++) {
      var c = (found[j] || "").toLowerCase(), key = S.countries[c] || c;
      if (key === S.default) return "";
      if (key && S.langs[key]) return key;
    }
    return "";
  }

  function mount(box) {
    var slug = box.getAttribute("data-widget-topic") || "";
    if (box.shadowRoot || box.getAttribute("data-widget-mounted") ||
        !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug)) return;
    box.setAttribute("data-widget-mounted", "1");
    var layout = attr(box, "layout", "list");
    var count = parseInt(attr(box, "count", "10"), 10);
    var store = attr(box, "store", ""), auto = store === "auto";
    if (auto) store = visitorStore();
    var storeLang = STORES.langs[store];  // auto: the visitor's language
    var lang = (auto && storeLang) || attr(box, "lang", storeLang || "en");
    var query = "?count=" + encodeURIComponent(attr(box, "count", "10")) +
      "&layout=" + encodeURIComponent(layout) +
      "&theme=" + encodeURIComponent(attr(box, "theme", "light")) +
      "&lang=" + encodeURIComponent(lang) +
      (store ? "&store=" + encodeURIComponent(store) : "");
    var height = reserve(box, layout, count, lang);
    if (attr(box, "mode", "inline") === "iframe") {
      framed(box, slug, origin + "/widget/" + slug + query, height);
    } else {
      inline(box, slug, origin + "/widget/" + slug + "/fragment" + query);
    }
  }

  function scan() {
    var boxes = document.querySelectorAll("div[data-widget-topic]");
    for (var i = 0; i < boxes.length; i++) mount(boxes[i]);
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.type !== "bw:height") return;
    for (var i = 0; i < frames.length; i++) {
      var entry = frames[i];
      if (entry.frame.contentWindow !== event.source) continue;
      entry.heard = true;
      if (data.gone) {
        entry.box.style.minHeight = entry.frame.getBoundingClientRect().height + "px";
        fallback(entry.box);
      } else if (typeof data.height === "number" && data.height > 0) {
        entry.frame.style.height = Math.min(Math.ceil(data.height), 20000) + "px";
      }
    }
  });

  scan();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
})();
