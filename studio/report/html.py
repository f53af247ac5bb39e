"""The report as one self-contained HTML page: inline CSS, images as data: URIs, no scripts, no requests.

A Content-Security-Policy forbids loading anything, so the page cannot reach the network even if a work's
title tried to; every text is escaped. The report's JSON rides along in a non-executed data block, and its
fingerprint in a meta tag, so a saved page can be checked against the library later.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from html import escape

from studio import __version__
from studio.core.amounts import ip_text
from studio.core.moments import moment_text
from studio.report.html_style import CSS as _CSS
from studio.report.model import CredentialsVerdict, LineageReport, Node, Problem, PublicationEntry, RoyaltyTable
from studio.report.registrations import explorer_url
from studio.report.serialize import fingerprint, report_dict

FINGERPRINT_META = "remix-studio-report-fingerprint"
DATA_ID = "report-data"
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def render_html(report: LineageReport, graph_png: bytes, thumbnails: Mapping[str, bytes]) -> str:
    """The page; `thumbnails` are small PNGs per work id shown beside each work."""
    digest = fingerprint(report)
    data = json.dumps({**report_dict(report), "fingerprint": digest}, ensure_ascii=False, sort_keys=True)
    # No "<" inside the data block, or a title could end it early; JSON reads \u003c back as "<".
    data = data.replace("<", "\\u003c")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        f'<meta name="{FINGERPRINT_META}" content="{digest}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Lineage report: {_e(report.title)}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        _header(report, digest),
        _problems(report),
        _graph(report, graph_png),
        _works(report, thumbnails),
        _credits(report),
        _duties(report),
        _conditions(report),
        _royalties(report),
        _data_shares(report),
        _recipes(report),
        _credentials(report),
        _notes(report),
        f"<footer>Written by Remix Studio {_e(__version__)}. This page is self-contained: it loads nothing from the "
        "network.</footer>",
        "</main>",
        f'<script type="application/json" id="{DATA_ID}">{data}</script>',
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _yes_no(flag: bool, yes: str = "yes", no: str = "no") -> str:
    return f'<span class="{"ok" if flag else "flag"}">{yes if flag else no}</span>'


def _pill(label: str, flag: bool) -> str:
    return f'<span class="pill {"yes" if flag else "no"}">{_e(label)}: {"yes" if flag else "no"}</span>'


def _percent(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.6f}".rstrip("0").rstrip(".") + "%"


def _header(report: LineageReport, digest: str) -> str:
    subject = report.subject
    by = f" by {_e(subject.creator)}" if subject.creator else ""
    review = ""
    if report.review is not None:
        r = report.review
        state = {"approved": "yes", "rejected": "no", "voided": "no"}.get(r.state, "neutral")
        required = "required" if r.required else "not required"
        review = (
            f'<span class="pill {state}" id="review-state" data-state="{_e(r.state)}">Release review: '
            f"{_e(r.state)} ({required})</span>"
        )
    return (
        "<header>"
        f"<h1>{_e(report.title)}</h1>"
        f'<div class="meta">Lineage &amp; compliance report for work <code id="work-id">{_e(report.work_id)}</code>'
        f"{by} · {_e(subject.license.name)} · written {_e(moment_text(report.generated_at))}<br>"
        f'Report fingerprint <code id="fingerprint">{_e(digest)}</code></div>'
        '<div class="verdicts">'
        + (_verdict_lines(report) or (
            _pill("May be remixed", report.can_remix)
            + _pill("Commercial use", report.can_use_commercially)
            + _pill("May be published on Story", report.can_publish)
        ))
        + review
        + "</div>"
        + (f'<p class="meta">{_e(report.review.explanation)}</p>' if report.review is not None else "")
        + "</header>"
    )


def _verdict_lines(report: LineageReport) -> str:
    """Each answer with its reason; a registered work's IP and explorer page in place of "published: no"."""
    rows = []
    for v in report.verdicts:
        if v.answer == "done" and report.registrations:
            for reg in report.registrations:
                where = (f'<a class="explorer" href="{_e(reg.explorer_url)}">{_e(reg.explorer_url)}</a>'
                         if reg.explorer_url else f"{_e(reg.network)} has no block explorer")
                rows.append(
                    f'<div class="verdict" data-action="publish" data-answer="done"><span class="pill yes">'
                    f'Published as IP <code class="ip-id">{_e(reg.ip_id)}</code> on {_e(reg.network)}</span> '
                    f'<span class="muted">{where}</span></div>'
                )
            continue
        pill = "yes" if v.answer in ("yes", "done") else "no"
        answer = "only if confirmed" if v.answer == "if" else v.answer
        rows.append(
            f'<div class="verdict" data-action="{_e(v.action)}" data-who="{_e(v.who)}" data-answer="{_e(v.answer)}">'
            f'<span class="pill {pill}">{_e(v.label.capitalize())}: {_e(answer)}</span> {_e(v.reason)} '
            f'<span class="code">({_e(v.code)})</span></div>'
        )
    return "".join(rows)


def _problem_rows(problems: Iterable[Problem], titles: Mapping[str, str]) -> str:
    rows = []
    for p in problems:
        work = f"{_e(titles.get(p.work_id, p.work_id))}<br><code>{_e(p.work_id)}</code>" if p.work_id else ""
        rule = f'<div class="rule">{_e(p.rule)}</div>' if p.rule else ""
        rows.append(
            f'<tr class="problem" data-code="{_e(p.code)}" data-severity="{_e(p.severity)}">'
            f'<td class="severity-{_e(p.severity)}">{_e(p.severity)}</td>'
            f'<td><span class="code">{_e(p.code)}</span><div class="muted">stops: {_e(p.scope)}</div></td>'
            f"<td>{_e(p.message)}{rule}</td><td>{work}</td></tr>"
        )
    return "".join(rows)


def _titles(report: LineageReport) -> dict[str, str]:
    return {n.id: n.title for n in report.nodes}


def _problem_table(report: LineageReport, section: str, heading: str, first: str, items: Iterable[Problem]) -> str:
    """A section listing problems or notes: `first` names the first column (severity, kind)."""
    head = "".join(f"<th>{name}</th>" for name in (first, "code", "explanation", "work"))
    return (
        f'<section id="{section}"><h2>{heading}</h2><table><thead><tr>{head}</tr></thead><tbody>'
        + _problem_rows(items, _titles(report))
        + "</tbody></table></section>"
    )


def _problems(report: LineageReport) -> str:
    if not report.problems:
        return '<section id="problems"><h2>Problems found</h2><p class="ok">No problems found.</p></section>'
    return _problem_table(report, "problems", "Problems found", "severity", report.problems)


def _graph(report: LineageReport, graph_png: bytes) -> str:
    count = len(report.nodes) - 1
    return (
        '<section id="graph"><h2>Lineage</h2>'
        f'<p class="muted">{count} ancestor{"s" if count != 1 else ""}; arrows point from a source to the work '
        "made from it, labelled by how it was used.</p>"
        f'<div class="graph"><img id="lineage-graph" alt="Lineage graph of {_e(report.title)}" '
        f'src="data:image/png;base64,{base64.b64encode(graph_png).decode("ascii")}"></div></section>'
    )


def _on_chain(publications: Iterable[PublicationEntry]) -> str:
    rows = list(publications)
    confirmed = [p for p in rows if p.state == "confirmed" and p.ip_id]
    if confirmed:
        return "<br>".join(
            f'<span class="ok">registered</span> on {_e(p.network)} (chain {p.chain_id})<br>'
            f'<code class="ip-id">{_e(p.ip_id)}</code>' + _explorer_link(p)
            for p in confirmed
        )
    pending = [p for p in rows if p.state in ("draft", "sent")]
    if pending:
        return f'<span class="muted">publishing on {_e(pending[-1].network)} ({_e(pending[-1].state)})</span>'
    return '<span class="muted">not published</span>'


def _explorer_link(pub: PublicationEntry) -> str:
    url = explorer_url(pub.network, pub.ip_id or "")
    if url is None:
        return f'<div class="muted">{_e(pub.network)} has no block explorer</div>'
    return f'<div><a class="explorer" href="{_e(url)}">explorer</a></div>'


def _credentials_cell(verdict: CredentialsVerdict | None) -> str:
    if verdict is None:
        return '<span class="muted">not checked</span>'
    if verdict.state == "none":
        return '<span class="muted">none in the file</span>'
    cls = "flag" if verdict.tampered or verdict.state == "invalid" else "ok" if verdict.state == "trusted" else ""
    signer = f"<br>{_e(verdict.signer)}" if verdict.signer else ""
    return f'<span class="{cls}">{_e(verdict.state)}{" (tampered)" if verdict.tampered else ""}</span>{signer}'


def _img(png: bytes | None, alt: str) -> str:
    if png is None:
        return ""
    return f'<img class="thumb" alt="{_e(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'


def _works(report: LineageReport, thumbnails: Mapping[str, bytes]) -> str:
    rows = []
    for node in report.nodes:
        lic = node.license
        how = "this work" if node is report.subject else f"generation {node.generation} · {_e(node.relation)}"
        flags = "".join(f'<div class="flag">{_e(f.code)}</div>' for f in node.flags)
        commercial = _yes_no(lic.commercial_use, "allowed", "not allowed")
        rev = f"<br>remixes pay {_percent(lic.rev_share_percent)}" if lic.rev_share_percent is not None else ""
        rows.append(
            f'<tr class="work{" subject" if node is report.subject else ""}" data-work-id="{_e(node.id)}">'
            f"<td>{_img(thumbnails.get(node.id), node.title)}</td>"
            f'<td><strong>{_e(node.title)}</strong><br><code>{_e(node.id)}</code><div class="muted">{_e(node.kind)}, '
            f"{_e(node.origin)}</div></td>"
            f"<td>{_e(node.creator or 'unknown')}</td><td>{how}</td>"
            f'<td><a class="license" href="{_e(lic.legal_url)}">{_e(lic.name)}</a>'
            f'<div class="code">{_e(lic.id)}</div>{rev}</td>'
            f"<td>{commercial}</td><td>{_on_chain(node.publications)}</td>"
            f"<td>{_credentials_cell(node.credentials)}</td><td>{flags}</td></tr>"
        )
    return (
        '<section id="works"><h2>Works in this lineage</h2><table><thead><tr><th></th><th>work</th><th>creator</th>'
        "<th>place</th><th>license</th><th>commercial use</th><th>on Story</th><th>Content Credentials</th>"
        "<th>flags</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></section>"
    )


def _credits(report: LineageReport) -> str:
    if not report.credits:
        return '<section id="credits"><h2>Required credits</h2><p class="muted">No credit is required.</p></section>'
    items = "".join(
        f'<li data-work-id="{_e(c.work_id)}"><span class="credit">{_e(c.text)}</span>'
        f' <span class="muted">(required for {_e(c.required_for)})</span></li>'
        for c in report.credits
    )
    block = "\n".join(c.text for c in report.credits)
    return (
        '<section id="credits"><h2>Required credits</h2><p>Paste these lines wherever the work is shared:</p>'
        f'<pre class="credit-block">{_e(block)}</pre><ul class="credits">{items}</ul></section>'
    )


def _conditions(report: LineageReport) -> str:
    """The conditions the creator confirms (a revenue threshold), with the license's own text linked."""
    if not report.conditions:
        return ""
    rows = "".join(
        f'<li data-condition="{_e(c.id)}" data-confirmed="{"yes" if c.confirmed else "no"}">'
        f'{_e(c.statement)} — {_e(c.license_name)}, <a href="{_e(c.legal_url)}">{_e(c.legal_url)}</a>: '
        f'<b>{"confirmed" if c.confirmed else "not confirmed"}</b> for {_e(c.applies_to)} use</li>'
        for c in report.conditions
    )
    return f'<section id="conditions"><h2>Conditions you confirm</h2><ul class="conditions">{rows}</ul></section>'


def _duties(report: LineageReport) -> str:
    if not report.duties:
        body = '<p class="muted">No obligations travel with this work.</p>'
    else:
        body = (
            '<ul class="duties">'
            + "".join(
                f'<li data-code="{_e(d.code)}" data-work-id="{_e(d.work_id)}">{_e(d.text)}</li>' for d in report.duties
            )
            + "</ul>"
        )
    return f'<section id="obligations"><h2>Obligations</h2>{body}</section>'


def _royalty_table(table: RoyaltyTable, report: LineageReport) -> str:
    name = table.policy.upper()
    if table.error is not None:
        return f'<h3>{name}</h3><p class="flag" data-policy="{_e(table.policy)}">{_e(table.error)}</p>'
    rows = "".join(
        f'<tr><td><code>{_e(s.work_id)}</code></td><td>{_e(s.title)}</td><td class="num">{s.depth}</td>'
        f'<td class="num share" data-work-id="{_e(s.work_id)}" data-percent="{s.percent!r}">{_percent(s.percent)}</td>'
        "</tr>"
        for s in table.shares
    )
    rows += (
        f'<tr class="subject"><td><code>{_e(report.work_id)}</code></td><td>{_e(report.title)} (creator keeps)</td>'
        f'<td class="num">0</td><td class="num share creator" data-work-id="{_e(report.work_id)}" '
        f'data-percent="{table.creator_percent!r}">{_percent(table.creator_percent)}</td></tr>'
    )
    return (
        f"<h3>{name}: royalty stack {_percent(table.stack_percent)}</h3>"
        f'<table class="royalty" data-policy="{_e(table.policy)}"><thead><tr><th>id</th><th>work</th>'
        f"<th>depth</th><th>share of revenue</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _royalties(report: LineageReport) -> str:
    tables = "".join(_royalty_table(t, report) for t in report.royalties)
    return (
        '<section id="royalties"><h2>Royalty split on Story</h2><p class="muted">LAP pays every ancestor its '
        "percentage of all revenue, once for each path that leads to it; LRP pays each parent its percentage and "
        "lets it pass shares on.</p>"
        f"{tables}</section>"
    )


def _data_shares(report: LineageReport) -> str:
    if not report.data_shares:
        return ""
    blocks = []
    for share in report.data_shares:
        rows = "".join(
            f"<tr><td>{_e(c.creator)}</td><td>{c.works}</td><td>{_e(_ip(c.wei))}</td></tr>" for c in share.creators
        ) or '<tr><td colspan="3">no member of the set is on Story yet</td></tr>'
        ip = f' (group IP <code class="ip-id">{_e(share.group_ip)}</code>)' if share.group_ip else ""
        blocks.append(
            f"<h3>{_e(share.group_title)} on {_e(share.network)}</h3><p>The training set's group{ip} receives "
            f"{_e(_percent(share.percent))} of what this work earns, shared evenly by its {share.members} members "
            f"on Story: of every 1 IP paid to this work, {_e(_ip(share.due_wei))}.</p>"
            "<table><thead><tr><th>creator</th><th>works in the group</th><th>per 1 IP</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    return ('<section id="data"><h2>What the data\'s creators receive</h2><p class="muted">Revenue paid to this work '
            "flows through the model to the training set's group on Story, whose pool pays its members evenly; "
            "the set's other works are credited in its metadata.</p>" + "".join(blocks) + "</section>")


def _ip(wei: int) -> str:
    return ip_text(wei)


_RECIPE_FIELDS = (
    ("model", "model"),
    ("loras", "LoRAs"),
    ("prompt", "prompt"),
    ("negative_prompt", "negative prompt"),
    ("seed", "seed"),
    ("steps", "steps"),
    ("guidance", "guidance"),
    ("strength", "strength"),
    ("width", "width"),
    ("height", "height"),
    ("scheduler", "scheduler"),
    ("mode", "mode"),
    ("software", "software"),
)


def _recipe_value(key: str, value: object) -> str:
    if key == "loras" and isinstance(value, list):
        return ", ".join(
            f"{_e(lora.get('name') or lora.get('id'))} ({_e(lora.get('weight', 1.0))})"
            for lora in value
            if isinstance(lora, dict)
        )
    return _e(value)


def _recipe(node: Node) -> str:
    recipe = node.recipe or {}
    items = "".join(
        f"<dt>{label}</dt><dd>{_recipe_value(key, recipe[key])}</dd>"
        for key, label in _RECIPE_FIELDS
        if recipe.get(key) not in (None, "")
    )
    extra = recipe.get("extra")
    if isinstance(extra, dict) and extra:
        items += "<dt>other</dt><dd>" + _e(json.dumps(extra, ensure_ascii=False, sort_keys=True)) + "</dd>"
    heading = f"<h3>{_e(node.title)} <code>{_e(node.id)}</code></h3>"
    return f'{heading}<dl class="recipe" data-work-id="{_e(node.id)}">{items}</dl>'


def _recipes(report: LineageReport) -> str:
    made = [n for n in report.nodes if n.recipe]
    body = "".join(_recipe(n) for n in made) or '<p class="muted">No work in this lineage records a recipe.</p>'
    return f'<section id="recipes"><h2>Recipes</h2>{body}</section>'


def _credentials(report: LineageReport) -> str:
    checked = [n for n in report.nodes if n.credentials is not None]
    if not checked:
        body = '<p class="muted">No work in this lineage had its Content Credentials checked.</p>'
    else:
        body = (
            "<ul>"
            + "".join(
                f'<li data-work-id="{_e(n.id)}"><strong>{_e(n.title)}</strong>: {_e(n.credentials.summary)} '
                f'<span class="muted">({_e(n.credentials.source)}, '
                f'{_e(moment_text(n.credentials.checked_at))})</span></li>'
                for n in checked
                if n.credentials is not None
            )
            + "</ul>"
        )
    return f'<section id="content-credentials"><h2>Content Credentials</h2>{body}</section>'


def _notes(report: LineageReport) -> str:
    return _problem_table(report, "notes", "Notes", "kind", report.notes) if report.notes else ""
