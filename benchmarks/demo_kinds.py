"""The demo's incident kinds: its titles come from templates ("Queue backlog in {svc}"), so each incident's
kind is its template. Benchmarks that label demo answers right or wrong share this one definition.
"""

from __future__ import annotations

import re

from incident_kit.demo import TITLES

PATTERNS = [(t, re.compile("^" + re.escape(t).replace(re.escape("{svc}"), r"\S+") + "$"))
            for templates in TITLES.values() for t in templates]


def kind(title: str) -> str:
    """The demo template ``title`` was made from (StopIteration for a title no template makes)."""
    return next(template for template, pattern in PATTERNS if pattern.match(title))
