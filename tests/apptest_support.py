"""Helpers for the Streamlit AppTest suites (tests/test_app_*.py)."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "app.py"
VIEWS = "incident_kit/ui/views/"
TIMEOUT = 60  # AppTest's 3 s default is too tight for a cold import on a shared 2-core machine


def sign_in(at: AppTest, user: str, *, verified: bool = True) -> AppTest:
    """Who uses the app: signed in through OIDC as ``user`` (verified), or with ``verified=False`` a typed name.

    A typed name is not believed for admin rights or private incidents (unless the install trusts typed
    names), so tests about pages sign in; tests about typed names say ``verified=False``.
    """
    if verified:
        at.user = {"is_logged_in": True, "email": user, "name": user}
    else:
        at.session_state["display_name"] = user
    return at


def start(user: str | None = "ana", *, verified: bool = True, page: str | None = None,
          ref: str | None = None) -> AppTest:
    """Run the app as ``user`` (see ``sign_in``; None: nobody yet) and open ``page`` (a view name)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if user:
        sign_in(at, user, verified=verified)
    at.run()
    if page:
        goto(at, page, ref=ref)
    return at


def goto(at: AppTest, page: str, *, ref: str | None = None) -> AppTest:
    at.switch_page(VIEWS + page + ".py")
    at.query_params.clear()
    if ref:
        at.query_params["ref"] = ref
    return at.run()


def plain(markdown: str) -> str:
    """Markdown source as a person reads it: user text is escaped before display (backslashes, and an
    invisible joiner, U+2060 or U+200D, that keeps "http://" and "www." from becoming links); undo both."""
    return re.sub(r"\\(.)", r"\1", str(markdown)).replace("\u2060", "").replace("\u200d", "")


def texts(at: AppTest) -> str:
    """Everything a person can read on the page, as one string (for 'appears anywhere' checks)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success",
                 "code", "text"):
        parts += [plain(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label}: {m.value}" for m in at.metric]
    for frame in [*at.dataframe, *at.table]:  # grids and plain tables alike
        value = frame.value
        data = getattr(value, "data", value)  # a Styler carries its frame in .data
        parts.append(data.to_csv())
    parts += [b.label for b in at.button]
    return "\n".join(parts)


def assert_no_traceback(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def button(at: AppTest, label: str):
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r}; buttons: {[b.label for b in at.button]}"
    return matches[0]


def submit(at: AppTest, label: str):
    matches = [b for b in at.form_submit_button if b.label == label] if hasattr(at, "form_submit_button") else []
    if not matches:
        matches = [b for b in at.button if b.label == label]
    assert matches, f"no submit button {label!r}"
    return matches[0]


def widget(widgets, label: str):
    matches = [w for w in widgets if w.label == label]
    assert matches, f"no widget {label!r}; have: {[w.label for w in widgets]}"
    return matches[0]
