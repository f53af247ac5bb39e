"""The report page's stylesheet, inlined because the page's content policy loads nothing from elsewhere."""

from __future__ import annotations

CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; margin: 0;
  background: #f6f6f3; color: #212529; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; border-bottom: 2px solid #d8d8d2; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
.meta { color: #5f656e; font-size: 13px; }
.meta code { font-size: 12px; }
.verdicts { display: flex; gap: 10px; flex-wrap: wrap; margin: 14px 0 4px; }
.verdict { flex-basis: 100%; font-size: 14px; }
.pill { border-radius: 999px; padding: 4px 12px; font-weight: 600; font-size: 13px; }
.yes { background: #dcefe2; color: #1b5e33; }
.no { background: #f8dcdc; color: #8e1c1c; }
.neutral { background: #e6e8ec; color: #343a40; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13.5px; }
th, td { border: 1px solid #deded8; padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #efefea; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.subject td { background: #eef4fd; }
.severity-block { color: #8e1c1c; font-weight: 700; }
.severity-warn { color: #8a5a00; font-weight: 700; }
.code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
.rule { color: #5f656e; font-size: 12px; }
.graph { background: #fff; border: 1px solid #deded8; padding: 8px; overflow-x: auto; }
.graph img { max-width: 100%; height: auto; display: block; margin: 0 auto; }
img.thumb { width: 56px; height: 56px; object-fit: contain; background: #ececef; display: block; }
.credits li, .duties li { margin: 4px 0; }
pre.credit-block { background: #fff; border: 1px solid #deded8; padding: 10px; white-space: pre-wrap; }
dl.recipe { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; background: #fff;
  border: 1px solid #deded8; padding: 10px; margin: 0; }
dl.recipe dt { color: #5f656e; }
dl.recipe dd { margin: 0; overflow-wrap: anywhere; }
.flag { color: #8e1c1c; font-weight: 600; }
.ok { color: #1b5e33; }
.muted { color: #5f656e; }
footer { margin-top: 40px; color: #5f656e; font-size: 12px; }
"""
