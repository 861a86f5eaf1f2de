"""Spec text as inert Markdown: every value a Markdown renderer interpolates goes through here.

The plan and the diff are posted as pull-request comments, the report and the
model cards end up on GitHub, in wikis and on doc sites, and all of them are
printed to CI logs on the way. A spec string must render as the text it is,
so each function below returns text that

- pings nobody and links nothing: `@` before a name, `#` before a number and
  `GH-` get a zero-width space (`@&#8203;org/admins`), which is how Renovate
  and Dependabot keep GitHub from turning release notes into mentions and
  cross-references (a backslash is no use: GitHub finds mentions in the
  rendered text, after escapes are gone); `://` and `www.` get one too, so
  GitHub's autolinker sees no URL; `[`, `]` are escaped, so no link or image;
- carries no HTML: outside code spans `&`, `<`, `>` become entities, which every Markdown
  dialect understands (Python-Markdown, used by MkDocs and Backstage, has no
  backslash escape for `<`); braces and `$` too, so a Jinja- or
  Liquid-based doc site sees no template and GitHub no math;
- keeps its place: `|` is escaped, line breaks become a space or `<br>`, a
  heading, list or quote marker at the start is escaped, and a backtick can
  neither open a code span nor close one (code spans take a longer fence);
- renders so under GitHub's own renderer, cmark-gfm (tests/test_markdown_gfm.py
  checks the HTML it makes of hostile values).
- is safe in a log: control characters show as escapes (see safetext) and no
  line can become a CI workflow command.
"""

from __future__ import annotations

import html as _html
import re

from modelspec.safetext import HASH_COMMAND, visible

__all__ = ["code", "html", "text"]

ZWSP = "&#8203;"  # zero-width space, as an entity so the Markdown source shows it
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "{": "&#123;", "}": "&#125;", "$": "&#36;"}
_PUNCTUATION = re.compile(r"([\\`*_\[\]|~])")
# A block marker counts only at the start of a line; a value may start one.
_BLOCK_START = re.compile(r"^(\s*)([#+=-]|:(?=:)|\d{1,9}(?=[.)](\s|$)))")
# Where GitHub would ping, cross-reference or autolink, the zero-width space goes.
# (`&#` starts the entities escaping made, which are no issue numbers.)
_LINKING = re.compile(r"@(?=\w)|(?<!&)#(?=\d)|GH(?=-\d)|www(?=\.)|(?=://)", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def text(value: str, *, breaks: bool = False) -> str:
    """value as inert inline Markdown, on one line of the source and safe in a table cell.

    Line breaks collapse into single spaces (with all other runs of white
    space), or, with breaks, become `<br>` so a multi-line value keeps its lines.
    """
    escaped = "".join(_ENTITIES.get(ch, ch) for ch in visible(value, keep="\t\n\r"))
    escaped = _PUNCTUATION.sub(r"\\\1", escaped)
    escaped = _BLOCK_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), escaped)
    escaped = _unlinked(escaped)
    if breaks:
        return "<br>".join(_LINE_BREAK.split(escaped))
    return " ".join(escaped.split())


def code(value: str, *, in_table: bool) -> str:
    """value as an inline code span: shown literally, on one line; in_table escapes `|` too.

    Code spans take no backslash escapes and no entities (GitHub would show
    `&lt;` as written), so the text goes in as it is and CommonMark's rules keep
    it whole: the fence is one backtick longer than the longest run inside, and
    a value that starts or ends with a backtick, or starts and ends with a
    space, is padded with one space on each side, which the renderer strips
    again. Inside code nothing is HTML, a mention or a link. In a table cell a
    `|` is written `\\|`, which GFM's table reads as a `|` of the cell, even in
    code. A line break becomes a space (as CommonMark does in code anyway, but
    the span must stay on its line); a `##[` gets a zero-width space, so no CI
    log reads a workflow command.
    """
    body = _LINE_BREAK.sub(" ", visible(value, keep="\t\n\r"))
    body = HASH_COMMAND.sub("\u200b#", body)
    if in_table:
        body = body.replace("|", "\\|")
    runs = [len(run) for run in re.findall(r"`+", body)]
    fence = "`" * (max(runs, default=0) + 1)
    if not body:
        return "` `"  # an empty span is no span: two backticks would show as text
    edges = body[:1] + body[-1:]
    if "`" in edges or (edges == "  " and body.strip(" ")):
        body = f" {body} "
    return f"{fence}{body}{fence}"


def html(value: str) -> str:
    """value as text inside raw HTML (a `<summary>`): entities, one line, no mention or link."""
    escaped = _html.escape(" ".join(visible(value, keep="\t\n\r").split()), quote=True)
    return HASH_COMMAND.sub("&#35;", _unlinked(escaped))


def _escape_marker(marker: str) -> str:
    return marker + "\\" if marker.isdigit() else "\\" + marker


def _unlinked(escaped: str) -> str:
    return _LINKING.sub(r"\g<0>" + ZWSP, escaped)
