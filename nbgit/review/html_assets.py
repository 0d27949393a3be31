"""The stylesheet and script inlined into every HTML review page.

Kept as Python strings (no package data to install). The page's
Content-Security-Policy allows exactly these two texts by their SHA-256
hashes, so any other script or style on the page (there should be none) would
not run. The script uses no ``eval``, no ``innerHTML`` and no network.
"""

CSS = r"""
:root{--fg:#1f2328;--muted:#59636e;--bg:#fff;--panel:#f6f8fa;--line:#d1d9e0;--add:#dafbe1;--addw:#aceebb;
--del:#ffebe9;--delw:#ffcecb;--mod:#fff8c5;--accent:#0969da;--cur:#fd8c73}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1400px;margin:0 auto;padding:16px 24px 80px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:17px;margin:0}
code,pre,.src{font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
.muted{color:var(--muted)}
.keys{color:var(--muted);font-size:12px}.keys kbd{border:1px solid var(--line);border-bottom-width:2px;border-radius:4px;padding:0 4px;background:var(--panel)}
table.toc{border-collapse:collapse;margin:12px 0 20px;width:100%}
table.toc th,table.toc td{border:1px solid var(--line);padding:4px 8px;text-align:right}
table.toc th:first-child,table.toc td:first-child,table.toc td.status{text-align:left}
table.toc td.path{word-break:break-all}
section.nb{border:1px solid var(--line);border-radius:8px;margin:20px 0;overflow:hidden}
section.nb>header{background:var(--panel);padding:10px 14px;border-bottom:1px solid var(--line);position:sticky;top:0;z-index:2}
section.nb>header .path{word-break:break-all}
.chips{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0 0;padding:0;list-style:none}
.chips li{border:1px solid var(--line);border-radius:12px;padding:0 8px;font-size:12px;background:var(--bg)}
.chips .add{background:var(--add)}.chips .del{background:var(--del)}.chips .mod{background:var(--mod)}
.status{font-size:12px;border-radius:4px;padding:1px 6px;background:var(--bg);border:1px solid var(--line);margin-left:6px}
.cells{padding:8px 14px}
.error-box{background:var(--del);padding:8px 12px;border-radius:6px}
details.fold{margin:6px 0;border:1px dashed var(--line);border-radius:6px;background:var(--panel)}
details.fold>summary{cursor:pointer;padding:4px 10px;color:var(--muted);font-size:12px}
details.fold[open]>summary{border-bottom:1px dashed var(--line)}
.cell{border:1px solid var(--line);border-radius:6px;margin:10px 0;scroll-margin-top:90px;background:var(--bg)}
.cell.current{outline:3px solid var(--cur);outline-offset:1px}
.cell>header{display:flex;gap:8px;align-items:baseline;flex-wrap:wrap;padding:4px 10px;border-bottom:1px solid var(--line);font-size:12px;background:var(--panel)}
.cell>header .anchor{font-weight:600}
.cell.inserted>header{background:var(--add)}.cell.deleted>header{background:var(--del)}.cell.modified>header{background:var(--mod)}
.cell.unchanged{border-style:dotted}
.kind{text-transform:uppercase;font-size:11px;letter-spacing:.04em}
table.sbs{border-collapse:collapse;width:100%;table-layout:fixed}
table.sbs col.ln{width:3.5em}
table.sbs td{padding:0 6px;vertical-align:top;white-space:pre-wrap;word-break:break-word}
table.sbs td.ln{color:var(--muted);text-align:right;user-select:none;border-right:1px solid var(--line)}
table.sbs td.b-side{border-left:1px solid var(--line)}
td.del{background:var(--del)}td.ins{background:var(--add)}td.void{background:var(--panel)}
del.w{background:var(--delw);text-decoration:none;border-radius:2px}ins.w{background:var(--addw);text-decoration:none;border-radius:2px}
tr.skip td{background:var(--panel);color:var(--muted);text-align:center;cursor:pointer;font-size:12px;padding:2px}
tbody.hidden{display:none}
pre.single{margin:0;padding:6px 10px;white-space:pre-wrap;word-break:break-word}
.pair{display:grid;grid-template-columns:1fr 1fr;border-top:1px solid var(--line)}
.pair>.side{padding:6px 10px;min-width:0;overflow-x:auto}
.pair>.side.b{border-left:1px solid var(--line)}
.pair>.side>.label{font-size:11px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.pair.single-view{grid-template-columns:1fr}.pair.single-view>.side.b{border-left:0}
.pair.single-view.show-a>.side.b,.pair.single-view.show-b>.side.a{display:none}
.md-render{padding:2px 0;overflow-wrap:anywhere}.md-render h1,.md-render h2,.md-render h3,.md-render h4{margin:6px 0;font-size:15px}
.md-render pre{background:var(--panel);padding:6px;border-radius:4px;white-space:pre-wrap}
.md-render blockquote{margin:4px 0;padding-left:10px;border-left:3px solid var(--line);color:var(--muted)}
.md-render .link{color:var(--accent);border-bottom:1px dotted var(--accent)}
.md-render table{border-collapse:collapse;margin:6px 0}.md-render th,.md-render td{border:1px solid var(--line);padding:2px 8px}
.al-left{text-align:left}.al-center{text-align:center}.al-right{text-align:right}
.md-render .math.block,.md-render .math.amsmath,.md-render .math-eqno{overflow-x:auto;margin:6px 0}.md-render .math-eqno{display:flex;align-items:center;justify-content:space-between}.md-render math[display=block]{display:block}
.md-render code.tex{color:var(--muted)}
.md-render img,.output img{max-width:100%;height:auto;background:repeating-conic-gradient(#eee 0 25%,#fff 0 50%) 0 0/16px 16px}
.output{margin:4px 0}.output pre{margin:0;white-space:pre-wrap;word-break:break-word;background:var(--panel);padding:4px 6px;border-radius:4px}
.output pre.stderr{background:#fff1e5}.output pre.error{background:var(--del)}
.output .mime{font-size:11px;color:var(--muted)}
.output iframe{width:100%;height:260px;border:1px solid var(--line);border-radius:4px;background:#fff;resize:vertical}
.toolbar{display:flex;gap:6px;align-items:center;padding:4px 10px;border-top:1px solid var(--line);font-size:12px;color:var(--muted)}
button{font:inherit;font-size:12px;padding:1px 8px;border:1px solid var(--line);border-radius:4px;background:var(--bg);cursor:pointer}
button[aria-pressed=true]{background:var(--mod)}
.note{font-size:12px;color:var(--muted);padding:4px 10px}
.imgcmp,.img-same,.img-added,.img-removed{border-top:1px solid var(--line)}
.img-same>.output,.img-added>.output,.img-removed>.output{padding:6px 10px}
.imgcmp .toolbar{flex-wrap:wrap}.imgcmp input.imgslider{width:160px}.imgcmp input.imgslider[hidden]{display:none}
.imgcmp .imgstage{display:flex;gap:12px;flex-wrap:wrap;padding:6px 10px;align-items:flex-start}
.imgcmp figure{margin:0;min-width:0}.imgcmp figcaption{font-size:11px;color:var(--muted);text-transform:uppercase}
.imgcmp img{display:block;max-width:100%;height:auto;background:repeating-conic-gradient(#eee 0 25%,#fff 0 50%) 0 0/16px 16px}
.imgcmp[data-mode=swipe] .imgstage,.imgcmp[data-mode=onion] .imgstage{display:grid}
.imgcmp[data-mode=swipe] figure,.imgcmp[data-mode=onion] figure{grid-area:1/1}
.imgcmp[data-mode=swipe] figcaption,.imgcmp[data-mode=onion] figcaption{display:none}
.imgcmp canvas.imgdiff{display:none;max-width:100%;image-rendering:pixelated}
.imgcmp[data-mode=diff] figure{display:none}.imgcmp[data-mode=diff] canvas.imgdiff{display:block}
details.rerun>summary{font-style:italic}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--panel:#151b23;--line:#3d444d;
--add:#12361f;--addw:#1f6f3a;--del:#3d1418;--delw:#8e1519;--mod:#3a2f0b;--accent:#4493f8}.output iframe{background:#fff}
.output pre.stderr{background:#3a2a10}}
@media print{tbody.hidden{display:table-row-group}section.nb>header{position:static}}
"""

JS = r"""
(function () {
  "use strict";
  var changes = Array.prototype.slice.call(document.querySelectorAll(".cell.change"));
  var notebooks = Array.prototype.slice.call(document.querySelectorAll("section.nb"));
  var current = -1;
  function openParents(el) {
    for (var p = el.parentElement; p; p = p.parentElement) {
      if (p.tagName === "DETAILS") { p.open = true; }
    }
  }
  function go(list, i, mark) {
    if (!list.length) { return; }
    i = Math.max(0, Math.min(list.length - 1, i));
    var el = list[i];
    openParents(el);
    if (mark) {
      changes.forEach(function (c) { c.classList.remove("current"); });
      el.classList.add("current");
      current = i;
    }
    el.scrollIntoView({block: "start"});
    if (el.id && history.replaceState) { history.replaceState(null, "", "#" + el.id); }
  }
  function nearestNotebook(step) {
    var y = window.scrollY, idx = step > 0 ? notebooks.length - 1 : 0;
    for (var k = 0; k < notebooks.length; k++) {
      var top = notebooks[k].getBoundingClientRect().top + y;
      if (step > 0 && top > y + 5) { return k; }
      if (step < 0 && top < y - 5) { idx = k; }
    }
    return idx;
  }
  function flip(pair, btn) {
    if (!pair.classList.contains("single-view")) {
      pair.classList.add("single-view", "show-b");
    } else if (pair.classList.contains("show-b")) {
      pair.classList.remove("show-b"); pair.classList.add("show-a");
    } else {
      pair.classList.remove("single-view", "show-a");
    }
    var state = pair.classList.contains("show-a") ? "before" : pair.classList.contains("show-b") ? "after" : "side by side";
    if (btn) { btn.setAttribute("aria-pressed", String(pair.classList.contains("single-view"))); btn.textContent = "flip: " + state; }
  }
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (!(t instanceof Element)) { return; }
    var skip = t.closest("tr.skip");
    if (skip) {
      var body = skip.parentElement.nextElementSibling;
      if (body && body.tagName === "TBODY") { body.classList.toggle("hidden"); }
      return;
    }
    var btn = t.closest("button.flip");
    if (btn) {
      var pair = document.getElementById(btn.getAttribute("data-target"));
      if (pair) { flip(pair, btn); }
    }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var tag = ev.target && ev.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA") { return; }
    if (ev.key === "j") { go(changes, current + 1, true); }
    else if (ev.key === "k") { go(changes, current < 0 ? 0 : current - 1, true); }
    else if (ev.key === "n") { go(notebooks, nearestNotebook(1), false); }
    else if (ev.key === "p") { go(notebooks, nearestNotebook(-1), false); }
    else if (ev.key === "t" && current >= 0) {
      var b = changes[current].querySelector("button.flip");
      if (b) { b.click(); }
    } else { return; }
    ev.preventDefault();
  });
  if (location.hash) {
    var target = document.getElementById(location.hash.slice(1));
    if (target) {
      openParents(target);
      var k = changes.indexOf(target);
      if (k >= 0) { current = k; target.classList.add("current"); }
      target.scrollIntoView({block: "start"});
    }
  }
  // picture comparison: side by side, swipe, onion skin, pixel difference (nbgit.review.images)
  function imgApply(box) {
    var mode = box.getAttribute("data-mode");
    var slider = box.querySelector("input.imgslider");
    var after = box.querySelector("figure.after img");
    var v = Number(slider.value);
    slider.hidden = !(mode === "swipe" || mode === "onion");
    if (after) {
      after.style.clipPath = mode === "swipe" ? "inset(0 0 0 " + v + "%)" : "";
      after.style.opacity = mode === "onion" ? String(v / 100) : "";
    }
  }
  function imgPixels(img, w, h) {
    var c = document.createElement("canvas");
    c.width = w; c.height = h;
    var ctx = c.getContext("2d");
    ctx.drawImage(img, 0, 0);
    return ctx.getImageData(0, 0, w, h).data;
  }
  function imgDiff(box) {
    var canvas = box.querySelector("canvas.imgdiff");
    var note = box.querySelector(".imgdiffnote");
    var a = box.querySelector("figure.before img"), b = box.querySelector("figure.after img");
    if (!canvas || canvas.getAttribute("data-differing") !== null || !a || !b) { return; }
    var w = Math.max(a.naturalWidth, b.naturalWidth), h = Math.max(a.naturalHeight, b.naturalHeight);
    if (!w || !h) { note.textContent = "pictures not loaded yet"; return; }
    try {
      var pa = imgPixels(a, w, h), pb = imgPixels(b, w, h);
      canvas.width = w; canvas.height = h;
      var ctx = canvas.getContext("2d"), img = ctx.createImageData(w, h), d = img.data, n = 0;
      for (var i = 0; i < d.length; i += 4) {
        var delta = Math.abs(pa[i] - pb[i]) + Math.abs(pa[i + 1] - pb[i + 1]) + Math.abs(pa[i + 2] - pb[i + 2]) + Math.abs(pa[i + 3] - pb[i + 3]);
        if (delta) {
          n++; d[i] = 255; d[i + 1] = 0; d[i + 2] = 160; d[i + 3] = 255;
        } else {
          var g = 255 - (255 - (pa[i] + pa[i + 1] + pa[i + 2]) / 3) * (pa[i + 3] / 255) * 0.3;
          d[i] = d[i + 1] = d[i + 2] = g; d[i + 3] = 255;
        }
      }
      ctx.putImageData(img, 0, 0);
      canvas.setAttribute("data-differing", String(n));
      note.textContent = n + " of " + (w * h) + " pixels differ (" + (100 * n / (w * h)).toFixed(2) + "%)";
    } catch (e) {
      note.textContent = "no pixel difference for these pictures";
    }
  }
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    var btn = t instanceof Element ? t.closest("button.imgmode") : null;
    if (!btn) { return; }
    var box = btn.closest(".imgcmp"), mode = btn.getAttribute("data-mode");
    box.setAttribute("data-mode", mode);
    Array.prototype.forEach.call(box.querySelectorAll("button.imgmode"), function (b) {
      b.setAttribute("aria-pressed", String(b === btn));
    });
    imgApply(box);
    if (mode === "diff") { imgDiff(box); }
  });
  document.addEventListener("input", function (ev) {
    var t = ev.target;
    if (t instanceof Element && t.classList.contains("imgslider")) { imgApply(t.closest(".imgcmp")); }
  });
  document.documentElement.setAttribute("data-ready", String(changes.length));
})();
"""
