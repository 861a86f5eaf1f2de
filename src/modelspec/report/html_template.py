"""The compliance report's HTML template: one self-contained page, inline CSS, readable in print."""

from __future__ import annotations

__all__ = ["TEMPLATE"]

_CSS = """
:root { --pass: #1a7f37; --fail: #b3261e; --waived: #8a5a00; --muted: #555; --line: #c8c8c8; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: #111; margin: 0 auto; max-width: 1180px; padding: 24px 28px 48px; }
h1 { font-size: 1.7em; margin: 0 0 4px; }
h2 { font-size: 1.3em; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #111; }
h3 { font-size: 1.1em; margin: 26px 0 6px; }
h4 { font-size: 1em; margin: 16px 0 6px; }
p { margin: 6px 0; }
.meta, .muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; font-weight: 600; }
td.num { text-align: right; white-space: nowrap; }
td.date { white-space: nowrap; }
code { font: 0.92em ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: break-word; }
.status { display: inline-block; min-width: 5.5em; padding: 0 6px; border: 1.5px solid; border-radius: 3px;
  font-weight: 700; text-transform: uppercase; font-size: 0.8em; letter-spacing: 0.03em; text-align: center; }
.status-pass, .status-fresh, .status-documented, .status-active, .status-ok { color: var(--pass); background: #e8f5ec; }
.status-fail, .status-stale, .status-missing, .status-expired, .status-invalid, .status-failed,
.status-subject-missing { color: var(--fail); background: #fdecea; border-style: double; border-width: 3px; }
.status-waived, .status-expires-soon { color: var(--waived); background: #fff4d6; border-style: dashed; }
.summary { display: flex; flex-wrap: wrap; gap: 10px; margin: 14px 0; padding: 0; list-style: none; }
.summary li { border: 1px solid var(--line); padding: 8px 12px; min-width: 150px; }
.summary b { display: block; font-size: 1.35em; }
.model, .policy { border-left: 4px solid #111; padding-left: 14px; margin-top: 22px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 6px 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
nav ol { columns: 2; margin: 6px 0; }
.alert { border: 2px solid var(--fail); padding: 8px 12px; margin: 10px 0; }
@media print {
  body { font-size: 10pt; max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3, h4 { break-after: avoid; }
  .model, .policy { break-inside: avoid-page; }
  tr, li { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  th { background: none; }
  .status { background: none !important; color: #000 !important; }
  a { color: inherit; text-decoration: none; }
}
"""

TEMPLATE = (
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Compliance report: {{ r.project }}</title>
<style>"""
    + _CSS
    + """</style>
</head>
<body>
{%- macro status(word) -%}
<span class="status status-{{ word | replace(' ', '-') }}">{{ word }}</span>
{%- endmacro %}
{%- macro results_table(rows, by_model) -%}
<table>
<thead><tr>{% if by_model %}<th scope="col">Policy / rule</th><th scope="col">Resource</th>{% else %}<th scope="col">Resource</th><th scope="col">Rule</th>{% endif %}
<th scope="col">Enforcement</th><th scope="col">Outcome</th><th scope="col">Detail</th></tr></thead>
<tbody>
{%- for row in rows %}
<tr>{% if by_model %}<td><code>{{ row.policy }} / {{ row.rule }}</code></td><td><code>{{ row.resource }}</code></td>
{%- else %}<td><code>{{ row.resource }}</code></td><td><code>{{ row.rule }}</code></td>{% endif %}
<td>{{ row.enforcement }}</td><td>{{ status(row.outcome) }}</td>
<td>{{ row.detail }}{% if row.outcome == 'waived' %}<br><span class="muted">Waived by <code>{{ row.waiver }}</code>,
approved by <b>{{ row.approved_by }}</b> until {{ row.expires }}: {{ row.justification }}</span>{% endif %}</td></tr>
{%- endfor %}
</tbody>
</table>
{%- endmacro %}
<header>
<h1>Compliance report: {{ r.project }}</h1>
<p class="meta">Generated {{ r.generated_at }}. Waiver expiry is counted from {{ r.today }}.</p>
</header>
{%- if r.error_count %}
<p class="alert"><b>The specs have {{ r.error_count }} error{{ 's' if r.error_count != 1 }}.</b>
Findings that block plan and apply are marked FAIL below; run <code>modelspec validate</code> for every detail.</p>
{%- endif %}
<ul class="summary">
<li><b>{{ r.models | length }}</b> models</li>
<li><b>{{ r.policies | length }}</b> policies</li>
<li><b>{{ r.outcomes.get('pass', 0) }}</b> rule checks pass</li>
<li><b>{{ r.outcomes.get('fail', 0) }}</b> rule checks fail</li>
<li><b>{{ r.outcomes.get('waived', 0) }}</b> rule checks waived</li>
<li><b>{{ r.approvals | selectattr('status', 'ne', 'fresh') | list | length }}</b> stale approvals</li>
</ul>
<nav aria-label="Contents"><ol>
<li><a href="#models">Model inventory</a></li><li><a href="#policies">Policies</a></li>
<li><a href="#waivers">Waivers</a></li><li><a href="#approvals">Approvals</a></li>
<li><a href="#audit">Audit history</a></li>
</ol></nav>

<section id="models">
<h2>Model inventory</h2>
<table>
<thead><tr><th scope="col">Model</th><th scope="col">Owner</th><th scope="col">Version</th>
<th scope="col">Risk tier</th><th scope="col">Intended use</th><th scope="col">Human oversight</th>
<th scope="col">Deployed to</th></tr></thead>
<tbody>
{%- for m in r.models %}
<tr><td><a href="#{{ m.address }}"><code>{{ m.name }}</code></a></td><td>{{ m.owner }}</td>
<td>{{ m.version }}{% if m.applied_version and m.applied_version != m.version %}<br><span class="muted">applied: {{ m.applied_version }}</span>{% elif not m.applied_version %}<br><span class="muted">not applied yet</span>{% endif %}</td>
<td>{{ m.risk_tier }}{% if m.personal_data %}<br><span class="muted">personal data</span>{% endif %}</td>
<td>{{ m.intended_use or 'not documented' }}</td><td>{{ m.human_oversight or 'not documented' }}</td>
<td>{% for d in m.deployments %}{{ d.target }}{% if d.protected %} (protected){% endif %}: {{ 'version ' ~ d.applied_version if d.applied_version else 'not applied yet' }}{% if not loop.last %}<br>{% endif %}{% else %}not deployed{% endfor %}</td></tr>
{%- endfor %}
</tbody>
</table>
{%- for m in r.models %}
<article class="model" id="{{ m.address }}">
<h3>Model <code>{{ m.name }}</code> {{ m.version }}, risk tier {{ m.risk_tier }}</h3>
<dl class="facts"><dt>Owner</dt><dd>{{ m.owner }}</dd>
{%- for d in m.deployments %}<dt>Deployment</dt><dd><code>{{ d.name }}</code> on {{ d.target }}{% if d.protected %} (protected){% endif %}, {{ d.mode }}: {{ 'applied version ' ~ d.applied_version if d.applied_version else 'not applied yet' }}</dd>{% endfor %}
</dl>
<h4>Rules that apply</h4>
{%- if m.results %}{{ results_table(m.results, true) }}{% else %}<p>No policy selects this model or its deployments.</p>{% endif %}
<h4>Approvals</h4>
{%- if m.approvals %}
<ul>{% for a in m.approvals %}<li>{{ status(a.status) }} {{ a.role }} approval by <b>{{ a.approved_by }}</b> on {{ a.date }}{% if a.status == 'stale' %}: the model changed since, so it counts for nothing{% endif %}</li>{% endfor %}</ul>
{%- else %}<p>No approvals.</p>{% endif %}
{%- if m.annex %}
<h4>EU AI Act Annex IV technical documentation</h4>
<table>
<thead><tr><th scope="col">Documentation</th><th scope="col">Annex IV point</th><th scope="col">Status</th><th scope="col">From the specs</th></tr></thead>
<tbody>
{%- for item in m.annex %}
<tr><td>{{ item.topic }}</td><td>{{ item.annex_point }}</td><td>{{ status('documented' if item.documented else 'missing') }}</td><td>{{ item.detail }}</td></tr>
{%- endfor %}
</tbody>
</table>
{%- endif %}
</article>
{%- endfor %}
</section>

<section id="policies">
<h2>Policies</h2>
{%- for p in r.policies %}
<article class="policy" id="policy.{{ p.name }}">
<h3>{{ p.name }}</h3>
<p><b>{{ p.enforcement }}</b>, owned by {{ p.owner }}. {{ p.description }}</p>
<p>Applies to {{ p.scope }}. It requires:</p>
<ul>{% for id, text in p.rules %}<li><code>{{ id }}</code>: {{ text }}</li>{% endfor %}</ul>
{%- if p.results %}{{ results_table(p.results, false) }}{% else %}<p>It selects no resource.</p>{% endif %}
</article>
{%- else %}
<p>No policies.</p>
{%- endfor %}
</section>

<section id="waivers">
<h2>Waivers</h2>
{%- if r.waivers %}
<table>
<thead><tr><th scope="col">Waiver</th><th scope="col">Policy and rule</th><th scope="col">Resources</th>
<th scope="col">Approved by</th><th scope="col">Expires</th><th scope="col">Days to expiry</th>
<th scope="col">Status</th><th scope="col">Justification</th></tr></thead>
<tbody>
{%- for w in r.waivers %}
<tr><td><code>{{ w.name }}</code></td><td>{{ w.policy }} / {{ w.rule }}</td><td>{{ w.resources | join(', ') }}</td>
<td><b>{{ w.approved_by }}</b></td><td class="date">{{ w.expires }}</td>
<td class="num">{{ w.days_left if w.days_left >= 0 else 'expired ' ~ (0 - w.days_left) ~ ' days ago' }}</td>
<td>{{ status(w.status) }}</td><td>{{ w.justification }}</td></tr>
{%- endfor %}
</tbody>
</table>
{%- else %}<p>No waivers.</p>{% endif %}
</section>

<section id="approvals">
<h2>Approvals</h2>
{%- if r.approvals %}
<table>
<thead><tr><th scope="col">Subject</th><th scope="col">Role</th><th scope="col">Approved by</th>
<th scope="col">Date</th><th scope="col">Status</th></tr></thead>
<tbody>
{%- for a in r.approvals %}
<tr><td><code>{{ a.subject }}</code></td><td>{{ a.role }}</td><td>{{ a.approved_by }}</td><td class="date">{{ a.date }}</td><td>{{ status(a.status) }}</td></tr>
{%- endfor %}
</tbody>
</table>
<p class="muted">An approval is pinned to the digest of its subject's spec: once the subject changes it is stale and counts for nothing.</p>
{%- else %}<p>No approvals.</p>{% endif %}
</section>

<section id="audit">
<h2>Audit history</h2>
{%- if r.audit %}
<table>
<thead><tr><th scope="col">Time (UTC)</th><th scope="col">User</th><th scope="col">Command</th>
<th scope="col">Result</th><th scope="col">Changes</th><th scope="col">Overrides</th><th scope="col">Commit</th></tr></thead>
<tbody>
{%- for e in r.audit %}
<tr><td>{{ e.time }}</td><td>{{ e.user }}</td><td>{{ e.command }}</td><td>{{ status(e.status) if e.status else '' }}</td>
<td>{{ e.summary }}</td><td>{{ e.overrides | join('; ') if e.overrides else 'none' }}</td><td><code>{{ e.git_commit }}</code></td></tr>
{%- endfor %}
</tbody>
</table>
{%- else %}<p>Nothing has been applied yet.</p>{% endif %}
</section>
</body>
</html>
"""
)
