"""The page of ``nbgit mergetool``: a merged notebook's conflicts, each with one-click choices.

The page is rendered here, on the server, from untrusted notebook content, with
the review page's renderers (:func:`nbgit.review.html.esc`,
:func:`~nbgit.review.html.markdown_to_html`,
:func:`~nbgit.review.html.render_output`): every notebook string is escaped
for where it goes, element ids come from indices, ``text/html`` outputs go
into script-less sandboxed frames. The script is ours alone, allowed by its
hash in the Content-Security-Policy; it builds no HTML from notebook strings
(previews and editors use ``textContent``/``value``). The side texts the
script needs travel in a JSON data block whose ``<`` are escaped.

Only conflicting cells are rendered up front. Runs of cells without a conflict
are folded; their content is fetched from the server when a fold is opened, so
a notebook of thousands of cells opens as fast as one of ten.
"""

from __future__ import annotations

import json
import re

from nbgit.merge.notebook import DELETED, ONE_SIDED, SOURCE
from nbgit.merge.resolve import NOTE, RECORD, Block, MarkerBlock, split_source
from nbgit.merge.values import MISSING
from nbgit.review.highlight import css as highlight_css
from nbgit.review.highlight import highlight_html, notebook_language
from nbgit.review.html import _sha256, esc, markdown_to_html, render_output

#: How a cell relates to the base, for folded cells (see :func:`cell_origins`).
UNCHANGED, CHANGED_OURS, CHANGED_THEIRS, CHANGED_BOTH, NEW_OURS, NEW_THEIRS = (
    "unchanged", "changed in ours", "changed in theirs", "changed on both sides", "new in ours", "new in theirs",
)

CHOICE_LABELS = {
    "ours": "ours", "theirs": "theirs", "both": "both (ours first)", "both-reversed": "both (theirs first)",
    "base": "base", "edit": "edit…", "keep": "keep the cell", "delete": "delete the cell",
    "clear": "keep outputs cleared",
}

CSS = r"""
:root{--fg:#1f2328;--muted:#59636e;--bg:#fff;--panel:#f6f8fa;--line:#d1d9e0;--ours:#ddf4ff;--theirs:#fbefff;
--base:#f6f8fa;--done:#dafbe1;--todo:#fff8c5;--accent:#0969da;--cur:#fd8c73;--bad:#ffebe9}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
header.top{position:sticky;top:0;z-index:5;background:var(--panel);border-bottom:1px solid var(--line);padding:8px 20px;display:flex;gap:14px;align-items:center;flex-wrap:wrap}
header.top h1{font-size:16px;margin:0;word-break:break-all}
header.top .counter{font-weight:600;padding:2px 10px;border-radius:12px;background:var(--todo)}
header.top .counter.zero{background:var(--done)}
header.top .status{color:var(--muted);font-size:12px}
main{max-width:1500px;margin:0 auto;padding:12px 20px 80px}
code,pre,.src,textarea{font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{margin:0;white-space:pre-wrap;word-break:break-word}
.keys{color:var(--muted);font-size:12px}.keys kbd{border:1px solid var(--line);border-bottom-width:2px;border-radius:4px;padding:0 4px;background:var(--panel)}
.note{color:var(--muted);font-size:12px;margin:4px 0}
button{font:inherit;font-size:12px;padding:3px 10px;border:1px solid var(--line);border-radius:6px;background:var(--bg);cursor:pointer}
button:hover{border-color:var(--accent)}
button.primary{background:#1f883d;color:#fff;border-color:#1a7f37}
button.chosen{background:var(--accent);color:#fff;border-color:var(--accent)}
.cell{border:1px solid var(--line);border-radius:6px;margin:10px 0;background:var(--bg)}
.cell>.head{display:flex;gap:8px;align-items:baseline;padding:4px 10px;border-bottom:1px solid var(--line);font-size:12px;background:var(--panel)}
.cell>.body{padding:6px 10px}
.plain{padding:2px 0}
.conflict{border:2px solid var(--cur);border-radius:6px;margin:8px 0;scroll-margin-top:70px}
.conflict.settled{border-color:#1a7f37}
.conflict.current{outline:3px solid var(--accent);outline-offset:2px}
.conflict>.bar{display:flex;gap:6px;flex-wrap:wrap;align-items:center;padding:6px 8px;background:var(--todo)}
.conflict.settled>.bar{background:var(--done)}
.conflict>.bar .what{font-weight:600;margin-right:8px}
.sides{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:0;border-top:1px solid var(--line)}
.side{padding:6px 8px;border-right:1px solid var(--line);min-width:0;overflow:auto;max-height:480px}
.side:last-child{border-right:none}
.side.ours{background:var(--ours)}.side.theirs{background:var(--theirs)}.side.base{background:var(--base)}
.side .label{font-size:11px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;margin-bottom:4px}
.side .absent{color:var(--muted);font-style:italic}
.result{border-top:1px solid var(--line);padding:6px 8px;display:none}
.conflict.settled .result{display:block}
.result .label{font-size:11px;color:var(--muted)}
textarea{width:100%;min-height:120px;display:none;margin-top:6px}
.conflict.editing textarea{display:block}
.conflict .error{color:#cf222e;font-size:12px}
details.fold{margin:6px 0;border:1px dashed var(--line);border-radius:6px;background:var(--panel)}
details.fold>summary{cursor:pointer;padding:4px 10px;color:var(--muted);font-size:12px}
details.fold .cells{padding:0 10px}
.badge{font-size:11px;border-radius:10px;padding:0 6px;border:1px solid var(--line);background:var(--bg)}
.badge.ours{background:var(--ours)}.badge.theirs{background:var(--theirs)}.badge.both{background:var(--todo)}
.md-render{padding:0 4px}.md-render img{max-width:100%}
.output{margin:4px 0}.output img{max-width:100%}.output iframe{width:100%;min-height:120px;border:1px solid var(--line);background:#fff}
.output pre.stderr{background:var(--bad)}.output pre.error{background:var(--bad)}.mime{font-size:11px;color:var(--muted)}
.banner{padding:8px 12px;border-radius:6px;margin:8px 0;background:var(--todo)}
.banner.ok{background:var(--done)}.banner.bad{background:var(--bad)}
table{border-collapse:collapse}td,th{border:1px solid var(--line);padding:2px 6px}
"""

JS = r"""
(function(){
'use strict';
var model=JSON.parse(document.querySelector('script#nbgit-model').textContent);
var token=model.token;
var blocks=Array.prototype.slice.call(document.querySelectorAll('.conflict'));
var byKey={};model.blocks.forEach(function(b){byKey[b.key]=b;});
var choices={};var current=-1;
var counter=document.getElementById('counter');var status=document.getElementById('status');
function left(){return model.blocks.length-Object.keys(choices).length;}
function updateCounter(){var n=left();counter.textContent=n+(n===1?' conflict left':' conflicts left');
 counter.className='counter'+(n===0?' zero':'');}
function textOf(b,choice){
 if(choice==='ours')return b.ours;if(choice==='theirs')return b.theirs;if(choice==='base')return b.base;
 if(choice==='both')return b.ours+b.theirs;if(choice==='both-reversed')return b.theirs+b.ours;
 if(choice==='keep')return b.ours;if(choice==='delete')return '(the cell is deleted)';
 if(choice==='clear')return '(outputs stay cleared: re-run the cell)';return '';}
function asText(v){if(v===undefined||v===null)return '(absent)';return typeof v==='string'?v:JSON.stringify(v,null,1);}
function choose(el,choice){
 var key=el.getAttribute('data-key');var b=byKey[key];var ta=el.querySelector('textarea');
 el.querySelectorAll('button[data-choice]').forEach(function(x){x.classList.toggle('chosen',x.getAttribute('data-choice')===choice);});
 var res=el.querySelector('.result pre');
 if(choice==='edit'){
  el.classList.add('editing');
  if(!ta.value){var seed=choices[key]?textOf(b,choices[key][0]):b.ours;ta.value=b.kind==='record'?asText(b.ours===undefined?'':b.ours):(seed||'');}
  ta.focus();choices[key]=['edit',ta.value];res.textContent=ta.value;
 }else{
  el.classList.remove('editing');choices[key]=[choice,null];res.textContent=b.kind==='record'&&choice!=='clear'?asText(b[choice]):textOf(b,choice);
 }
 el.classList.add('settled');updateCounter();status.textContent='';
}
blocks.forEach(function(el,i){
 el.addEventListener('click',function(ev){var t=ev.target;if(t&&t.getAttribute&&t.getAttribute('data-choice')){choose(el,t.getAttribute('data-choice'));}select(i,false);});
 var ta=el.querySelector('textarea');
 ta.addEventListener('input',function(){var key=el.getAttribute('data-key');choices[key]=['edit',ta.value];el.querySelector('.result pre').textContent=ta.value;});
});
function select(i,scroll){if(!blocks.length)return;if(current>=0&&blocks[current])blocks[current].classList.remove('current');
 current=(i+blocks.length)%blocks.length;blocks[current].classList.add('current');if(scroll)blocks[current].scrollIntoView({block:'center'});}
function offered(el,c){return !!el.querySelector('button[data-choice="'+c+'"]');}
document.addEventListener('keydown',function(ev){
 var t=ev.target;if(t&&(t.tagName==='TEXTAREA'||t.tagName==='INPUT'))return;
 if(ev.ctrlKey&&(ev.key==='s'||ev.key==='S')){ev.preventDefault();save();return;}
 if(ev.ctrlKey||ev.metaKey||ev.altKey)return;
 var k=ev.key;
 if(k==='j'||k==='n'){select(current+1,true);ev.preventDefault();return;}
 if(k==='k'||k==='p'){select(current-1,true);ev.preventDefault();return;}
 if(current<0)return;var el=blocks[current];
 var map={o:['ours','keep'],t:['theirs','delete'],b:['both'],B:['both-reversed'],a:['base'],e:['edit']};
 var opts=map[k];if(!opts)return;
 for(var m=0;m<opts.length;m++){if(offered(el,opts[m])){choose(el,opts[m]);ev.preventDefault();return;}}
});
function post(path,body){return fetch(path,{method:'POST',headers:{'Content-Type':'application/json','X-Nbgit-Token':token},body:JSON.stringify(body),credentials:'omit',cache:'no-store'});}
function save(){
 status.textContent='saving…';
 post('/save',{choices:choices}).then(function(r){return r.json().then(function(j){return [r.ok,j];});}).then(function(res){
  var j=res[1];
  if(!res[0]){status.textContent='not saved: '+(j.error||'error');return;}
  if(j.done){document.body.classList.add('finished');status.textContent=j.message;
   document.getElementById('final').textContent=j.message;document.getElementById('final').className='banner ok';
   leaving=true;return;}
  leaving=true;window.location.reload();
 }).catch(function(e){status.textContent='not saved: '+e;});
}
var leaving=false;
document.getElementById('save').addEventListener('click',save);
document.getElementById('quit').addEventListener('click',function(){leaving=true;post('/quit',{}).then(function(){
 document.getElementById('final').textContent='Closed without saving: the file is as it was before this save.';
 document.getElementById('final').className='banner bad';});});
document.querySelectorAll('details.fold').forEach(function(d){d.addEventListener('toggle',function(){
 if(!d.open||d.getAttribute('data-loaded'))return;d.setAttribute('data-loaded','1');
 var box=d.querySelector('.cells');box.textContent='loading…';
 fetch('/cells?from='+d.getAttribute('data-from')+'&to='+d.getAttribute('data-to'),{headers:{'X-Nbgit-Token':token},credentials:'omit'})
 .then(function(r){return r.text();}).then(function(h){box.textContent='';box.insertAdjacentHTML('beforeend',h);});
});});
window.addEventListener('pagehide',function(){if(!leaving){navigator.sendBeacon('/closed?token='+encodeURIComponent(token));}});
updateCounter();if(blocks.length)select(0,false);
})();
"""


def page_css() -> str:
    """The page's one stylesheet: ours, then the Pygments colours (hashed together for the CSP)."""
    return CSS + highlight_css()


def content_security_policy(header: bool = False) -> str:
    """Nothing but the page's own style and script, data: images, and requests back to this server.

    ``header``: the HTTP header's form, which also forbids framing the page (a ``<meta>`` cannot).
    """
    policy = (
        "default-src 'none'; "
        f"script-src 'sha256-{_sha256(JS)}'; "
        f"style-src 'sha256-{_sha256(page_css())}'; "
        "img-src data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'"
    )
    return policy + "; frame-ancestors 'none'" if header else policy


def render_page(nb: dict, blocks: list[Block], *, title: str, token: str, origins: list[str] | None = None,
                base_cells: dict[int, dict] | None = None, banner: str = "") -> str:
    """The whole page for notebook ``nb`` (nbformat 4) and its conflict ``blocks``."""
    cells = nb.get("cells") if isinstance(nb.get("cells"), list) else []
    lang = notebook_language(nb)
    by_cell: dict[int | None, list[Block]] = {}
    for b in blocks:
        by_cell.setdefault(b.cell, []).append(b)
    model = {"token": token, "blocks": [_block_model(b) for b in blocks]}
    out = [
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        f'<meta http-equiv="Content-Security-Policy" content="{esc(content_security_policy())}">\n',
        '<meta name="referrer" content="no-referrer">\n',
        f"<title>Resolve: {esc(title)}</title>\n<style>{page_css()}</style>\n</head>\n<body>\n",
        f'<header class="top"><h1>Resolve <code>{esc(title)}</code></h1>'
        f'<span id="counter" class="counter">{len(blocks)} conflicts left</span>'
        '<button type="button" id="save" class="primary">Save</button>'
        '<button type="button" id="quit">Close without saving</button>'
        '<span id="status" class="status" role="status"></span></header>\n<main>\n',
        '<p class="keys">Keys: <kbd>j</kbd>/<kbd>n</kbd> next conflict · <kbd>k</kbd>/<kbd>p</kbd> previous · '
        '<kbd>o</kbd> ours (keep) · <kbd>t</kbd> theirs (delete) · <kbd>b</kbd>/<kbd>B</kbd> both · <kbd>a</kbd> base · '
        '<kbd>e</kbd> edit · <kbd>Ctrl</kbd>+<kbd>S</kbd> save. Saving with conflicts left writes what is settled '
        'and keeps the rest; with none left the file is staged.</p>\n',
        '<div id="final" role="status"></div>\n',
    ]
    if banner:
        out.append(f'<p class="banner">{esc(banner)}</p>\n')
    if not blocks:
        out.append('<p class="banner ok">No conflict left in this notebook. Save to stage it.</p>\n')
    for b in by_cell.get(None, []):
        out.append(_conflict(b, None, lang))
    run_start = None
    for index, cell in enumerate(cells):
        if index in by_cell:
            if run_start is not None:
                out.append(_fold(run_start, index, origins))
                run_start = None
            out.append(_conflict_cell(cell, index, by_cell[index], (base_cells or {}).get(index), lang))
        elif run_start is None:
            run_start = index
    if run_start is not None:
        out.append(_fold(run_start, len(cells), origins))
    data = json.dumps(model, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    out.append(f'</main>\n<script type="application/json" id="nbgit-model">{data}</script>\n<script>{JS}</script>\n</body>\n</html>\n')
    return "".join(out)


def render_cells(nb: dict, start: int, end: int, origins: list[str] | None = None,
                 base_cells: dict[int, dict] | None = None) -> str:
    """Cells ``start`` to ``end`` (exclusive) as HTML, for an opened fold."""
    cells = nb.get("cells") if isinstance(nb.get("cells"), list) else []
    lang = notebook_language(nb)
    parts = []
    for index in range(max(0, start), min(end, len(cells))):
        origin = origins[index] if origins and index < len(origins) else ""
        parts.append(_plain_cell(cells[index], index, origin, (base_cells or {}).get(index), lang))
    return "".join(parts)


def _block_model(b: Block) -> dict:
    def value(v):
        return None if v is MISSING else v

    return {"key": b.key, "kind": b.kind, "ours": value(b.ours), "theirs": value(b.theirs), "base": value(b.base)}


def _fold(start: int, end: int, origins: list[str] | None) -> str:
    n = end - start
    changed = sum(1 for o in (origins or [])[start:end] if o != UNCHANGED)
    what = f"cell {start + 1}" if n == 1 else f"cells {start + 1}–{end}"
    note = f"; {changed} changed on one side or the other" if origins and changed else ""
    return (f'<details class="fold" data-from="{start}" data-to="{end}"><summary>{what}: '
            f'{n} without conflicts{note}</summary><div class="cells"></div></details>\n')


def _cell_type(cell) -> str:
    t = cell.get("cell_type") if isinstance(cell, dict) else None
    return t if isinstance(t, str) else "?"


def _text(src) -> str:
    if isinstance(src, list):
        return "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else ""


def _render_source(text: str, cell_type: str, language: str | None = None) -> str:
    if cell_type == "markdown":
        return f'<div class="md-render">{markdown_to_html(text)}</div>'
    colored = highlight_html(text, language) if cell_type == "code" else None
    return f'<pre class="src hl">{colored if colored is not None else esc(text)}</pre>'


def _plain_cell(cell, index: int, origin: str, base_cell, lang: str | None) -> str:
    kind = _cell_type(cell)
    badge = ""
    if origin and origin != UNCHANGED:
        cls = "ours" if "ours" in origin else "theirs" if "theirs" in origin else "both"
        badge = f' <span class="badge {cls}">{esc(origin)}</span>'
    body = _render_source(_text(cell.get("source") if isinstance(cell, dict) else ""), kind, lang)
    outputs = cell.get("outputs") if isinstance(cell, dict) else None
    if isinstance(outputs, list) and outputs:
        body += "".join(render_output(o) for o in outputs if isinstance(o, dict))
    if base_cell is not None and origin not in ("", UNCHANGED):
        body += (f'<details><summary class="note">base version</summary>'
                 f'{_render_source(_text(base_cell.get("source")), _cell_type(base_cell), lang)}</details>')
    return (f'<div class="cell"><div class="head"><b>cell {index + 1}</b> <span>{esc(kind)}</span>{badge}</div>'
            f'<div class="body">{body}</div></div>\n')


def _conflict_cell(cell, index: int, blocks: list[Block], base_cell, lang: str | None) -> str:
    kind = _cell_type(cell)
    parts = [f'<div class="cell" id="cell-{index}"><div class="head"><b>cell {index + 1}</b> <span>{esc(kind)}</span></div><div class="body">']
    note = next((b for b in blocks if b.kind in (DELETED, ONE_SIDED, NOTE)), None)
    source_blocks = iter(b for b in blocks if b.kind == SOURCE)
    text = _text(cell.get("source"))
    if note is not None:
        parts.append(_conflict(note, kind, lang, base_cell))
        text = text.partition("\n")[2]
    for piece in split_source(text):
        if isinstance(piece, MarkerBlock):
            block = next(source_blocks, None)
            if block is not None:
                parts.append(_conflict(block, kind, lang))
        elif piece.strip() and note is None:
            parts.append(f'<div class="plain">{_render_source(piece, kind if kind != "markdown" else "raw", lang)}</div>')
    for b in blocks:
        if b.kind == RECORD:
            parts.append(_conflict(b, kind, lang))
    parts.append("</div></div>\n")
    return "".join(parts)


def _conflict(b: Block, cell_type: str | None, lang: str | None, base_cell=None) -> str:
    where = "notebook" if b.cell is None else f"cell {b.cell + 1}"
    title = {SOURCE: "conflicting lines", DELETED: "deleted on one side, edited on the other",
             ONE_SIDED: "on one side only", NOTE: "nbgit's note on this cell", RECORD: f"{b.path or 'record'}"}.get(b.kind, b.kind)
    buttons = "".join(
        f'<button type="button" data-choice="{esc(c)}">{esc(CHOICE_LABELS.get(c, c))}</button>' for c in b.choices
    )
    sides = _sides(b, cell_type, lang, base_cell)
    return (
        f'<section class="conflict" data-key="{esc(b.key)}"><div class="bar"><span class="what">{esc(where)}: {esc(title)}</span>'
        f'{buttons}</div>'
        + (f'<p class="note">{esc(b.detail)}</p>' if b.kind in (DELETED, ONE_SIDED, NOTE) else "")
        + f'{sides}<textarea spellcheck="false" aria-label="hand-written result"></textarea>'
        f'<div class="result"><div class="label">result</div><pre></pre></div></section>\n'
    )


def _sides(b: Block, cell_type: str | None, lang: str | None, base_cell=None) -> str:
    cols = []
    if b.kind == SOURCE:
        labels = b.labels
        for side in ("base", "ours", "theirs"):
            value = getattr(b, side)
            if value is MISSING:
                continue
            label = labels.get(side, side)
            cols.append(_side(side, side if label == side else f"{side} ({label})", _render_source(value, cell_type or "code", lang)))
    elif b.kind in (DELETED, ONE_SIDED, NOTE):
        # base | the side that kept (and edited) the cell | the side without it
        if isinstance(base_cell, dict):
            cols.append(_side("base", "base", _render_source(_text(base_cell.get("source")), _cell_type(base_cell), lang)))
        elif b.kind == DELETED:
            cols.append(_side("base", "base", '<span class="absent">(base version not known)</span>'))
        cols.append(_side("ours", "the cell as kept", _render_source(b.ours or "", cell_type or "code", lang)))
        if b.kind in (DELETED, ONE_SIDED):
            cols.append(_side("theirs", "the other side", f'<span class="absent">({esc(b.detail)})</span>'))
    else:
        for side, name in (("base", "base"), ("ours", "ours"), ("theirs", "theirs")):
            value = getattr(b, side)
            if side == "base" and "base" not in b.choices:
                continue
            cols.append(_side(side, name, _record_value(value)))
    return f'<div class="sides">{"".join(cols)}</div>'


def _side(cls: str, label: str, body: str) -> str:
    return f'<div class="side {cls}"><div class="label">{esc(label)}</div>{body}</div>'


def _record_value(value) -> str:
    if value is MISSING:
        return '<span class="absent">(absent)</span>'
    if isinstance(value, list) and value and all(isinstance(o, dict) and "output_type" in o for o in value):
        return "".join(render_output(o) for o in value)
    text = value if isinstance(value, str) else json.dumps(value, indent=1, ensure_ascii=False)
    return f"<pre>{esc(text)}</pre>"


def cell_origins(base: dict | None, local: dict | None, remote: dict | None, merged: dict) -> tuple[list[str], dict[int, dict]]:
    """For each merged cell, how it relates to the base (a label), and the base cell where it has one.

    Cells are followed with nbgit's one cell matcher (:func:`nbgit.diff.match.match_cells`).
    """
    from nbgit.diff.match import match_cells

    mc = merged.get("cells") if isinstance(merged.get("cells"), list) else []
    if base is None or local is None or remote is None:
        return [], {}

    def cells(nb):
        c = nb.get("cells")
        return c if isinstance(c, list) else []

    bc, lc, rc = cells(base), cells(local), cells(remote)
    # a cell nbgit kept with a note line (delete/modify, one side only) is matched without it
    to_base = {i: k for k, i in match_cells(bc, [_without_note(c) for c in mc])}
    lsrc = {_text(c.get("source")) for c in lc if isinstance(c, dict)}
    rsrc = {_text(c.get("source")) for c in rc if isinstance(c, dict)}
    origins, base_cells = [], {}
    for i, cell in enumerate(mc):
        src = _text(cell.get("source")) if isinstance(cell, dict) else ""
        k = to_base.get(i)
        if k is not None:
            base_cells[i] = bc[k]
            if _text(bc[k].get("source")) == src:
                origins.append(UNCHANGED)
                continue
            in_l, in_r = src in lsrc, src in rsrc
            origins.append(CHANGED_BOTH if in_l == in_r else CHANGED_OURS if in_l else CHANGED_THEIRS)
        else:
            origins.append(NEW_OURS if src in lsrc else NEW_THEIRS if src in rsrc else CHANGED_BOTH)
    return origins, base_cells


def _without_note(cell):
    if not isinstance(cell, dict):
        return cell
    text = _text(cell.get("source"))
    if not _NOTE_LINE.match(text):
        return cell
    return {**cell, "source": text.partition("\n")[2]}


_NOTE_LINE = re.compile(r"<{3,} nbgit: ")


__all__ = ["render_page", "render_cells", "cell_origins", "content_security_policy", "page_css", "CSS", "JS"]
