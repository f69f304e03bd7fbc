/*
 * accueil — chat widget loader.
 *
 * One tag on any page adds the "Une question ?" button and the chat panel:
 *
 *   <script src="https://ACCUEIL-SERVER/widget/accueil.js"
 *           data-site="prefecture-guyane" defer></script>
 *
 * data-site   the site id (a file of faq/sites/): its addresses, hours and
 *             contact fill the answers. Optional.
 * data-label  the button's text (default « Une question ? »). Optional.
 * data-open   "true" to open the panel when the page loads. Optional.
 *
 * The panel is an iframe served by the accueil server (/widget/frame.html),
 * so the host page's styles and the panel's never mix, and the panel talks
 * to its own server with no CORS set-up. The button lives in a shadow root
 * for the same reason. Nothing here reads or writes the host page beyond
 * the one element it appends to <body>.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__accueilWidget) return;
  window.__accueilWidget = true;

  var src = new URL(script.src, location.href);
  var origin = src.origin;
  var site = script.getAttribute("data-site") || "";
  var label = script.getAttribute("data-label") || "Une question ?";
  var openAtLoad = script.getAttribute("data-open") === "true";
  var KEY = "accueil-widget-open";

  var CSS =
    ":host{all:initial}" +
    ".launcher{position:fixed;right:1rem;bottom:1rem;z-index:2147483000;display:inline-flex;align-items:center;gap:.5rem;" +
    "min-height:3rem;padding:.75rem 1.25rem;border:0;border-radius:0;background:#000091;color:#fff;" +
    "font:700 1rem/1.5 Marianne,arial,sans-serif;cursor:pointer;box-shadow:0 6px 18px rgba(0,0,18,.16)}" +
    ".launcher:hover{background:#1212ff}.launcher:active{background:#2323ff}" +
    ".launcher:focus-visible{outline:2px solid #0a76f6;outline-offset:2px}" +
    ".launcher svg{width:1.5rem;height:1.5rem;fill:currentColor;flex:none}" +
    ".panel{position:fixed;right:1rem;bottom:5rem;z-index:2147483001;width:26rem;max-width:calc(100vw - 2rem);" +
    "height:40rem;max-height:calc(100vh - 6rem);background:#fff;box-shadow:0 6px 18px rgba(0,0,18,.16);border:1px solid #ddd}" +
    ".panel[hidden]{display:none}" +
    ".panel iframe{width:100%;height:100%;border:0;display:block}" +
    "@media (max-width:30em),(max-height:36em){.panel{inset:0;width:auto;height:auto;max-width:none;max-height:none;border:0}" +
    ".open .launcher{display:none}}" +
    "@media print{.launcher,.panel{display:none}}";

  // The DSFR « chat-3-line » icon (web/vendor/dsfr/icons/communication/),
  // inlined so the button costs no request.
  var ICON_PATH =
    "M12 2c5.523 0 10 4.477 10 10s-4.477 10-10 10a9.956 9.956 0 0 1-4.709-1.176L2 22l1.176-5.291A9.956 9.956 0 0 1 2 12C2 6.477 6.477 2 12 2Zm0 2a8 8 0 0 0-8 8c0 1.334.325 2.618.94 3.766l.349.653-.655 2.947 2.947-.655.653.35A7.955 7.955 0 0 0 12 20a8 8 0 0 0 0-16Z";

  function icon() {
    var NS = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(NS, "path");
    path.setAttribute("d", ICON_PATH);
    svg.appendChild(path);
    return svg;
  }

  var host = document.createElement("div");
  host.id = "accueil-widget";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === "function") {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    var style = document.createElement("style");
    style.textContent = CSS;
    root.appendChild(style);
  }

  var wrap = document.createElement("div");
  var button = document.createElement("button");
  button.type = "button";
  button.className = "launcher";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "accueil-panel");
  button.appendChild(icon());
  button.appendChild(document.createTextNode(label));

  var panel = document.createElement("div");
  panel.id = "accueil-panel";
  panel.className = "panel";
  panel.hidden = true;

  wrap.appendChild(panel);
  wrap.appendChild(button);
  root.appendChild(wrap);

  var frame = null;
  var ready = false;
  var open = false;

  function post(message) {
    if (frame && frame.contentWindow && ready) {
      frame.contentWindow.postMessage(Object.assign({ accueil: 1 }, message), origin);
    }
  }

  function makeFrame() {
    frame = document.createElement("iframe");
    var url = new URL("/widget/frame.html", origin);
    if (site) url.searchParams.set("site", site);
    url.searchParams.set("embedded", "1");
    frame.src = url.href;
    frame.title = "Assistant en ligne : posez votre question";
    frame.setAttribute("allow", "clipboard-write");
    panel.appendChild(frame);
  }

  function setOpen(value, focus) {
    open = value;
    panel.hidden = !open;
    wrap.className = open ? "open" : "";
    button.setAttribute("aria-expanded", String(open));
    try {
      sessionStorage.setItem(KEY, open ? "1" : "0");
    } catch (e) {
      /* storage refused: the panel just won't reopen on the next page */
    }
    if (open) {
      if (!frame) makeFrame();
      if (focus) {
        frame.focus();
        post({ type: "focus" });
      }
    } else if (focus) {
      button.focus();
    }
  }

  button.addEventListener("click", function () {
    setOpen(!open, true);
  });

  window.addEventListener("message", function (event) {
    if (!frame || event.source !== frame.contentWindow || event.origin !== origin) return;
    var data = event.data || {};
    if (!data.accueil) return;
    if (data.type === "ready") {
      ready = true;
      if (open) post({ type: "focus" });
    } else if (data.type === "close") {
      setOpen(false, true);
    }
  });

  function mount() {
    document.body.appendChild(host);
    var remembered = false;
    try {
      remembered = sessionStorage.getItem(KEY) === "1";
    } catch (e) {
      remembered = false;
    }
    if (openAtLoad || remembered) setOpen(true, false);
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
