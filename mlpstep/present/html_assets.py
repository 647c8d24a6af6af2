"""The HTML page's stylesheet and script, inline in every page (it requests nothing)."""

CSS = """
:root{--fg:#1b1f24;--bg:#fff;--muted:#5b6570;--line:#d5dae0;--cell:#f6f8fa;--accent:#0b63c4;--tip:#1b1f24;--tipfg:#fff}
@media (prefers-color-scheme: dark){:root{--fg:#e6e9ec;--bg:#111418;--muted:#9aa5b1;--line:#343b44;
--cell:#1a1f26;--accent:#5aa9ff;--tip:#e6e9ec;--tipfg:#111418}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:72rem;padding:0 1rem 4rem;font:15px/1.45 system-ui,sans-serif;color:var(--fg);
background:var(--bg)}
header h1{font:600 1.25rem ui-monospace,monospace;margin:1rem 0 .2rem;overflow-wrap:anywhere}
header p{margin:0;color:var(--muted)}
nav{position:sticky;top:0;z-index:2;background:var(--bg);padding:.5rem 0;border-bottom:1px solid var(--line);
display:flex;flex-wrap:wrap;gap:.35rem;align-items:center}
nav button{font:inherit;color:var(--fg);background:var(--cell);border:1px solid var(--line);border-radius:.4rem;
padding:.3rem .7rem;min-height:2.2rem;cursor:pointer}
nav button[aria-pressed=true]{background:var(--accent);color:var(--bg);border-color:var(--accent)}
nav output{color:var(--muted);margin-left:.4rem}
section{margin-top:1.2rem;display:flex;flex-wrap:wrap;column-gap:1.5rem;align-items:flex-start}
section>p{margin:.3rem 0}
h2{flex-basis:100%;font-size:1.1rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
figure{margin:.4rem 0 .8rem;max-width:100%;padding:.3rem .5rem;border-radius:.4rem;transition:opacity .2s}
figure.diagram svg{max-width:100%;height:auto}
figcaption{margin-bottom:.3rem}
figcaption .shape{color:var(--muted);font-size:.85em;margin-left:.4rem}
math{font-size:1.1em}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font:13px ui-monospace,monospace}
th{color:var(--muted);font-weight:400;padding:.1rem .4rem}
td{background:var(--cell);border:1px solid var(--line);padding:.15rem .5rem;text-align:right;white-space:nowrap}
td.elided{text-align:center;color:var(--muted)}
td.kink{text-decoration:underline dotted}
[data-formula]{cursor:help}
[data-formula]:hover,[data-formula]:focus{outline:2px solid var(--accent);outline-offset:-2px}
.line{font-family:ui-monospace,monospace;display:inline-block;padding:.1rem .3rem}
.note{color:var(--muted);font-size:.85em}
body.stepping [data-stage]:not(.in-play){opacity:.35}
text.in-play{font-weight:bold;fill:var(--accent)}
.in-play{box-shadow:inset 3px 0 0 var(--accent);background:color-mix(in srgb,var(--accent) 8%,transparent)}
#tip{position:absolute;z-index:3;max-width:min(36rem,94vw);background:var(--tip);color:var(--tipfg);
padding:.35rem .55rem;border-radius:.35rem;font:13px/1.35 ui-monospace,monospace;pointer-events:none;
overflow-wrap:anywhere}
svg.curve{max-width:100%;height:auto;color:var(--accent)}
svg.curve text{fill:var(--muted);font:11px system-ui,sans-serif}
@media (max-width:600px){body{padding:0 .5rem 3rem;font-size:14px}table{font-size:12px}}
@media print{nav,#tip{display:none!important}body{max-width:none;color:#000;background:#fff}
body.stepping [data-stage]{opacity:1}figure{break-inside:avoid}td{background:none}.scroll{overflow:visible}}
"""

JS = """
(function () {
  var tip = document.getElementById("tip");
  function show(el) {
    tip.textContent = el.getAttribute("data-formula");
    tip.hidden = false;
    var r = el.getBoundingClientRect(), width = document.documentElement.clientWidth;
    tip.style.top = (window.scrollY + r.bottom + 6) + "px";
    tip.style.left = (window.scrollX + Math.max(4, Math.min(r.left, width - tip.offsetWidth - 4))) + "px";
    el.setAttribute("aria-describedby", "tip");
  }
  function hide() { tip.hidden = true; }
  function cell(e) { return e.target.closest ? e.target.closest("[data-formula]") : null; }
  document.addEventListener("pointerover", function (e) { var el = cell(e); if (el) show(el); });
  document.addEventListener("pointerout", function (e) {
    var el = cell(e); if (el && el !== document.activeElement) hide();
  });
  document.addEventListener("focusin", function (e) { var el = cell(e); if (el) show(el); });
  document.addEventListener("focusout", hide);
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });

  var buttons = Array.prototype.slice.call(document.querySelectorAll("nav button[data-go]"));
  var said = document.querySelector("nav output"), at = -1;
  function go(k) {
    at = k;
    var stage = k < 0 ? "" : buttons[k].getAttribute("data-go");
    buttons.forEach(function (b, i) { b.setAttribute("aria-pressed", String(i === k)); });
    document.body.classList.toggle("stepping", k >= 0);
    var first = null;
    document.querySelectorAll("[data-stage]").forEach(function (el) {
      var on = el.getAttribute("data-stage") === stage;
      el.classList.toggle("in-play", on);
      if (on && !first) first = el;
    });
    said.textContent = k < 0 ? "" : "in play: " + stage;
    if (first && first.scrollIntoView) first.scrollIntoView({block: "nearest"});
  }
  buttons.forEach(function (b, i) { b.addEventListener("click", function () { go(at === i ? -1 : i); }); });
  document.getElementById("prev").addEventListener("click", function () { go(at <= 0 ? buttons.length - 1 : at - 1); });
  document.getElementById("next").addEventListener("click", function () { go((at + 1) % buttons.length); });
  document.querySelector("nav").addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight") { go((at + 1) % buttons.length); buttons[at].focus(); }
    if (e.key === "ArrowLeft") { go(at <= 0 ? buttons.length - 1 : at - 1); buttons[at].focus(); }
  });
})();
"""
