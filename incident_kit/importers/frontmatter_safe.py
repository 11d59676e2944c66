"""A document's frontmatter, read so that a hostile header costs a fraction of a second and one sentence.

``python-frontmatter`` finds and splits the header; its YAML is loaded by ``SafeLoader`` with two changes:
an alias (``*name``) is refused, because aliases nest copies of copies (a 486-byte "billion laughs"
header grew to 1 GB and never finished), and timestamps stay text, so the importer reads them with its own
zone rules instead of PyYAML turning "0000-01-01" into a crash. The header is capped at
``FRONTMATTER_MAX`` characters, which bounds parse time and memory: without aliases YAML grows linearly.
"""

from __future__ import annotations

import frontmatter
import yaml
from frontmatter.default_handlers import JSONHandler, TOMLHandler, YAMLHandler

# A postmortem header holds about ten short fields (well under 2 KB in every real one); 16 KB is generous,
# and pure-Python YAML parses it in under half a second whatever its shape (on the shared 2-core machine:
# 0.17 s for a 16 KB flow list, 0.35 s for nesting deep enough to hit the recursion limit; 64 KB took 1 s).
FRONTMATTER_MAX = 16 * 1024
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class AliasRefused(yaml.YAMLError):
    def __init__(self, anchor: str, mark):
        super().__init__(anchor)
        self.anchor = anchor
        self.problem_mark = mark


class _Loader(yaml.SafeLoader):
    """``SafeLoader`` without aliases and without implicit timestamps (they stay strings)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise AliasRefused(event.anchor, event.start_mark)
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class TooLong(ValueError):
    pass


class _YAML(YAMLHandler):
    def load(self, fm: str, **kwargs):
        if len(fm) > FRONTMATTER_MAX:
            raise TooLong(len(fm))
        return yaml.load(fm, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


HANDLERS = [h for h in (_YAML(), JSONHandler(), TOMLHandler() if TOMLHandler else None) if h is not None]


def split(text: str) -> tuple[dict, str, str | None]:
    """(metadata, body, problem): the header's fields (keys lower-cased), the text after it, and why the header
    could not be used (then the metadata is empty and the body is the whole text)."""
    handler = frontmatter.detect_format(text, HANDLERS)
    try:
        meta, body = frontmatter.parse(text, handler=handler)
    except AliasRefused as exc:
        return {}, text, (f"its frontmatter uses the YAML alias *{str(exc.anchor)[:40]}{_line(exc)}; aliases "
                          "are not read (they can expand without end): write the value out in full")
    except TooLong as exc:
        return {}, text, (f"its frontmatter is {int(str(exc)):,} characters long; the limit is "
                          f"{FRONTMATTER_MAX:,}: keep the header to the document's short fields")
    except yaml.YAMLError as exc:
        return {}, text, f"its frontmatter is not valid YAML{_line(exc)}; fix the block between the --- lines"
    except (ValueError, TypeError, OverflowError, RecursionError):
        # JSON or TOML syntax, a 5,000-digit number (int() refuses it), an explicit !!timestamp that is no date,
        # nesting deeper than Python's recursion limit
        return {}, text, "its frontmatter cannot be read; fix the block between the --- lines"
    return {str(k).lower(): v for k, v in meta.items()}, body, None


def _line(exc) -> str:
    mark = getattr(exc, "problem_mark", None)
    # The header starts on the line of the opening --- (its text begins with that line's newline), so its
    # 0-based line numbers are the document's 1-based ones minus one.
    return f" at line {mark.line + 1}" if mark else ""
