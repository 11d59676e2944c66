"""Make hostile text safe for where it goes: spreadsheets (CSV), XML/HTML, Markdown, terminals, links.

Every string a person typed (titles, names, updates, imported rows) may reach one
of these outputs. Each output has one function here, and every writer of that
output uses it, so the rule lives in one place:

* CSV: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return gets a leading ``'``, so a spreadsheet shows it as text instead of running
  it as a formula (OWASP "CSV Injection"). The full-width forms (``＝＋－＠``) are
  treated the same, because some spreadsheets read them as formulas too. A cell
  that already starts with ``'`` gets one more, so ``unneutralise`` is exact.
* XML and HTML: characters XML 1.0 forbids (C0 controls except tab, newline and
  carriage return; U+FFFE/U+FFFF; lone surrogates) are removed. One ``\\x07`` in a
  title would otherwise make ``feed.xml`` unreadable for every feed reader.
* Documents (the review exports): ``document_text`` removes every control character
  but newline and tab, and what XML forbids. In Markdown, text from the record
  (``markdown_text``) is escaped so any Markdown reader shows it as typed; what people
  wrote as Markdown (``markdown_answer``) keeps its formatting, but ``<`` and ``[`` are
  escaped, so no raw HTML, image, link or autolink survives in any renderer (inside code
  they then show as ``&lt;`` and ``\\[``: safety first). As HTML (``markdown_html``) people's
  Markdown is rendered by markdown-it with raw HTML off, images shown as their
  description and links as their text and address: nothing loads, nothing is live.
* Terminals: escape sequences (CSI ``ESC [``, OSC ``ESC ]`` such as hyperlinks and
  window titles, DCS/APC/PM/SOS strings) and every other C0/C1 control except
  newline and tab are removed, so a title cannot rewrite the screen or the clipboard.
* Email headers: ``header_text`` makes a subject one line, without control characters.
* Links: only ``http://`` and ``https://`` URLs with a host are accepted.
* Files: output folders and files are checked first and written whole or not at all;
  an OSError becomes one sentence that names the path and what to do.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from .errors import IncidentKitError

# -- CSV -----------------------------------------------------------------------
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(text: str) -> str:
    """One CSV text cell made safe to open in a spreadsheet (reversible with ``unneutralise``)."""
    if text[:1] in FORMULA_START or text.startswith("'"):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    return text[1:] if text.startswith("'") else text


_NEEDS_QUOTES = re.compile(r'[",\n\r]')


def csv_cell(value, *, quote_text: bool = False) -> str:
    """One CSV cell: text neutralised and quoted when needed (always, with ``quote_text``).

    ``None`` and NaN/NaT are an empty, unquoted cell; with ``quote_text`` an empty *text*
    is ``""``, so a reader can tell "no value" from "empty text". Booleans are
    ``true``/``false``; numbers are written exactly (``repr``); dates in ISO 8601.
    """
    if value is None or _missing(value):
        return ""
    if hasattr(value, "item") and hasattr(value, "dtype"):  # a NumPy scalar: its plain Python value
        value = value.item()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (dt.datetime, dt.date)):  # pandas' Timestamp is a datetime
        return value.isoformat()
    text = neutralise(str(value))
    if quote_text or _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def _missing(value) -> bool:
    """NaN, pandas' NaT and NA (checked without importing pandas: the CLI must start fast)."""
    if isinstance(value, float):
        return value != value
    return type(value).__name__ in ("NaTType", "NAType")


def csv_lines(header: Sequence[str], rows: Iterable[Sequence], *, quote_text: bool = False) -> Iterator[str]:
    """The CSV document line by line (RFC 4180 quoting, ``\\n`` line ends), every text cell neutralised.

    The one CSV writer: exports, follow-ups and every download in the app go through it.
    """
    yield ",".join(csv_cell(str(h), quote_text=quote_text) for h in header) + "\n"
    for row in rows:
        yield ",".join(csv_cell(v, quote_text=quote_text) for v in row) + "\n"


def csv_text(header: Sequence[str], rows: Iterable[Sequence], *, quote_text: bool = False) -> str:
    return "".join(csv_lines(header, rows, quote_text=quote_text))


def frame_csv(frame) -> str:
    """A DataFrame as a formula-safe CSV, without its index (the downloads in the app use this)."""
    return csv_text([str(c) for c in frame.columns], frame.itertuples(index=False, name=None))


# -- XML / HTML ----------------------------------------------------------------------
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value):
    """``value`` without the characters XML 1.0 forbids; markup-safe strings stay markup-safe.

    Used as the ``finalize`` hook of every Jinja2 environment that writes HTML or XML, so
    each ``{{ ... }}`` is cleaned before it is escaped.
    """
    if not isinstance(value, str):
        return value
    cleaned = _XML_FORBIDDEN.sub("", value)
    if cleaned == value:
        return value
    from markupsafe import Markup  # Jinja2's own; loaded only where a template renders

    return Markup(cleaned) if isinstance(value, Markup) else cleaned


# -- documents and Markdown -------------------------------------------------------
def document_text(value):
    """``value`` without control characters (newline and tab kept) or what XML forbids.

    The ``finalize`` hook of the review exports' Jinja2 environments; markup-safe strings
    stay markup-safe. A Windows line end becomes a newline.
    """
    if not isinstance(value, str):
        return value
    cleaned = _XML_FORBIDDEN.sub("", _CONTROL.sub("", value.replace("\r\n", "\n")))
    if cleaned == value:
        return value
    from markupsafe import Markup

    return Markup(cleaned) if isinstance(value, Markup) else cleaned


# Marks with a meaning anywhere in a line: escape, code, emphasis, links and images, strikethrough.
_MD_INLINE = re.compile(r"([\\`*_\[\]~])")
# HTML, autolinks and table cells: as entities (a "\\<" is not an escape in every Markdown, and an
# entity never splits a table cell).
_MD_ENTITIES = {"<": "&lt;", ">": "&gt;", "|": "&#124;"}
_MD_ENTITY_CHARS = re.compile("[<>|]")
_MD_AMPERSAND = re.compile(r"&(?=#?[0-9A-Za-z]+;)")  # "&lt;" typed as text stays those four characters
# Marks that only mean something at the start of a line: headings, lists, setext underlines.
_MD_LINE_START = re.compile(r"^([ \t]*)([-+=#]|\d+(?=[.)]))", re.M)


def markdown_text(value) -> str:
    """Plain text (a title, a name, an update) as Markdown that every reader shows exactly as typed.

    Control characters are removed; nothing in it can become HTML, a link, an image or formatting.
    """
    if value is None:
        return ""
    text = document_text(str(value))
    text = _MD_AMPERSAND.sub("&amp;", text)
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_ENTITY_CHARS.sub(lambda m: _MD_ENTITIES[m.group()], text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2)[0].isdigit()
                                                      else "\\" + m.group(2)), text)


# A "<" (HTML, autolinks) or "[" (links, images, their definitions), and the backslashes before it:
# those are doubled so each stays a backslash and cannot cancel the escape added after them.
_MD_LIVE = re.compile(r"(\\*)([<\[])")


def markdown_answer(value) -> str:
    """Markdown people wrote, for a Markdown file: formatting kept; raw HTML, images and links made text.

    Control characters are removed. Every ``<`` becomes ``&lt;`` and every ``[`` ``\\[``, code
    included: a renderer without fenced code (or with raw HTML on) gets nothing to run or load.
    """
    if value is None:
        return ""
    text = document_text(str(value))
    return _MD_LIVE.sub(lambda m: m.group(1) * 2 + ("&lt;" if m.group(2) == "<" else "\\["), text)


_markdown_renderer = None


def _renderer():
    """markdown-it, CommonMark with tables and raw HTML off; images and links drawn as plain text."""
    global _markdown_renderer
    if _markdown_renderer is None:
        from markdown_it import MarkdownIt  # loaded only where a document is rendered
        from markdown_it.common.utils import escapeHtml

        md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

        def image(self, tokens, idx, options, env):  # the description only: a remote image is a tracking pixel
            return escapeHtml(self.renderInlineAsText(tokens[idx].children or [], options, env))

        def link_open(self, tokens, idx, options, env):
            env.setdefault("links", []).append(tokens[idx])
            return ""

        def link_close(self, tokens, idx, options, env):  # the text, then the address as text
            opened = env["links"].pop()
            return "" if opened.markup == "autolink" else escapeHtml(f" ({opened.attrs.get('href', '')})")

        md.add_render_rule("image", image)
        md.add_render_rule("link_open", link_open)
        md.add_render_rule("link_close", link_close)
        _markdown_renderer = md
    return _markdown_renderer


def markdown_html(value) -> str:
    """Markdown (people's, or ``markdown_text`` of the record) as HTML in which nothing loads or links.

    Raw HTML shows as text; an image as its description; a link as its text and its address.
    """
    return _renderer().render(document_text(str(value or "")), {})


# -- terminals -----------------------------------------------------------------------
# ECMA-48: CSI = ESC [ params final; OSC/DCS/SOS/PM/APC = ESC ]/P/X/^/_ ... terminated by BEL or ST
# (ESC \ or the C1 byte 0x9c); two-byte escapes ESC + one char. Their C1 (8-bit) forms too. An
# unterminated string ends at the line's end, so one bad title cannot swallow the lines after it.
_TERMINAL_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"           # CSI (colours, cursor moves)
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"                                 # other escapes (ESC c resets the screen)
)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_text(text: str) -> str:
    """``text`` with terminal escape sequences and control characters removed (newline and tab kept).

    A carriage return (which moves the cursor back and lets a line hide what came before
    it) is dropped, except in a Windows line end, which becomes a newline.
    """
    if not isinstance(text, str):
        text = str(text)
    text = text.replace("\r\n", "\n")
    return _CONTROL.sub("", _TERMINAL_SEQUENCE.sub("", text))


_C1 = re.compile("[\x80-\x9f]")


def terminal_json(text: str) -> str:
    """JSON text that a terminal shows without acting on it; it parses to the same data.

    ``json.dumps`` already writes C0 controls (ESC included) as ``\\u00XX``; with
    ``ensure_ascii=False`` it writes C1 controls raw (0x9b starts a CSI on some
    terminals), so those are escaped too. They can only occur inside strings.
    """
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# -- email headers -------------------------------------------------------------------
_HEADER_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u0085]+")
HEADER_MAX = 200  # a subject longer than this is cut: mail clients show about 80 characters anyway


def header_text(text, *, limit: int = HEADER_MAX) -> str:
    """One line for an email header (a subject): every control character and line break becomes one space,
    so a title holding ``\r\nBcc: someone`` can never start a header of its own."""
    line = " ".join(_HEADER_BREAK.sub(" ", str(text)).split())
    return line if len(line) <= limit else line[:limit - 1] + "…"


# -- links ---------------------------------------------------------------------------
def http_url(url: str, *, what: str = "The URL") -> str:
    """``url`` if it is an http(s) URL with a host; otherwise one sentence saying what to give instead."""
    text = str(url).strip()
    try:
        parts = urlsplit(text)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an unbalanced "[" in the host
        ok = False
    if not ok or any(ch.isspace() or ord(ch) < 32 for ch in text):
        shown = terminal_text(text)[:80]
        raise IncidentKitError(f"{what} must start with http:// or https:// and name a host "
                               f"(e.g. https://status.example.com); got '{shown}'.")
    return text


# -- files -------------------------------------------------------------------------
_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


def os_error_sentence(exc: OSError, path=None, *, action: str = "write") -> str:
    """One sentence a person can act on, for an OSError met while reading or writing ``path``."""
    where = str(path if path is not None else (exc.filename or "the file"))
    code = exc.errno
    if code in _FULL:
        return (f"Cannot {action} {where}: the disk is full (or the file is over its size limit); "
                "free some space and try again.")
    if code == errno.ENOENT:
        parent = Path(where).parent
        return f"Cannot {action} {where}: the folder {parent} does not exist; create it or choose another path."
    if code == errno.ENOTDIR:
        return f"Cannot {action} {where}: part of that path is a file, not a folder; choose another path."
    if code == errno.EISDIR:
        return f"Cannot {action} {where}: it is a folder; give a file name."
    if code in (errno.EACCES, errno.EPERM):
        return f"Cannot {action} {where}: permission denied; choose a path you may {action}."
    if code == errno.EROFS:
        return f"Cannot {action} {where}: the disk is read-only; choose another path."
    return f"Cannot {action} {where}: {exc.strerror or exc}."


def output_dir(path, *, what: str) -> Path:
    """The folder ``path`` (created with its parents if missing) for writing ``what`` into."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise IncidentKitError(f"{out} is a file; give a directory for {what}.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IncidentKitError(os_error_sentence(exc, out, action="create")) from None
    return out


def write_file(path, text: str, *, public: bool = False) -> Path:
    """Write ``text`` to ``path`` whole or not at all: readers see the old file or the new one.

    The folder must exist (a typo in it should not silently create a tree); every
    failure (missing folder, a file in the way, disk full) is one sentence. The file is
    readable by its owner only (it may hold private incidents) unless ``public`` (0644,
    for a web server).
    """
    target = Path(path)
    if target.is_symlink():
        target = target.resolve()  # replace the file the link points to, not the link
    parent = target.parent
    if target.is_dir():
        raise IncidentKitError(f"{target} is a folder; give a file name to write to.")
    if target.exists() and not target.is_file():  # /dev/stdout, a pipe: write through, never replace it
        try:
            with open(target, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        except OSError as exc:
            raise IncidentKitError(os_error_sentence(exc, target)) from None
        return target
    if not parent.is_dir():
        why = ("is a file or lies under one, not a folder" if parent.exists() or _under_a_file(parent)
               else "does not exist")
        raise IncidentKitError(f"Cannot write {target}: the folder {parent} {why}; choose a folder that exists.")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        if public:
            os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        raise IncidentKitError(os_error_sentence(exc, target)) from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    return target


def _under_a_file(path: Path) -> bool:
    return any(p.exists() and not p.is_dir() for p in path.parents)
