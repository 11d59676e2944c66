"""The guided review form: one question per section, what the record knows rendered beside it.

Answers save by themselves when the writer leaves a box (``on_change``), and on
"Save answers" with a visible confirmation; what was typed stays in the box while
the page reruns. The record (key times, roles, severity history, timeline,
impacts) is drawn as tables and escaped text, never as Markdown to edit; timeline
entries can be picked and quoted into an answer. Not listed in ``PANELS``: the
Reviews page calls ``render_form``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from incident_kit.errors import IncidentKitError
from incident_kit.incident.timeline import ROLE_LABELS
from incident_kit.review import prefill as record
from incident_kit.review.models import FACT_TITLES, ReviewStatus
from incident_kit.ui import display

_SAVED = "_review_saved"    # (ref, "14:05", [question, ...]) after the last save
_PROBLEM = "_review_problem"  # one sentence when a save was refused


def widget_key(ref: str, section: str) -> str:
    return f"review_{ref}_{section}"


# -- the record, rendered --------------------------------------------------------------
def _table(rows: list[dict], key: str) -> None:  # noqa: ARG001 (key: one per fact, kept for callers)
    """A fact as a plain table: every cell in full, wrapped (a grid would cut the timeline's "What" off)."""
    if rows:
        st.table(pd.DataFrame(rows), hide_index=True)


def _fact(name: str, facts: record.Prefill, tz, key: str) -> None:
    inc = facts.incident
    if name == "overview":
        at = {k.label: k.value for k in facts.key_times}
        lasted = next((d.value for d in facts.durations if d.start == "Started" and d.end == "Resolved"), None)
        line = (f"**{display.text(inc.title)}** ({display.text(inc.severity)}) started "
                f"{display.date_time(at['Started'], tz)}")
        if at.get("Resolved"):
            line += f"; resolved after {display.duration(lasted)} of impact"
        st.markdown(line + ".")
        if (inc.summary or "").strip():
            st.markdown(display.block(inc.summary))
    elif name == "key_times":
        _table([{"Moment": k.label, "When": display.date_time(k.value, tz)} for k in facts.key_times], key)
    elif name == "durations":
        _table([{"Between": d.label, "How long": display.duration(d.value)
                 if d.value is None or d.value >= dt.timedelta(0) else "—"} for d in facts.durations], key)
    elif name == "roles":
        if facts.roles:
            _table([{"Role": ROLE_LABELS.get(r.role, r.role).capitalize(), "Person": r.person,
                     "From": display.date_time(r.start, tz), "Until": display.date_time(r.end, tz) if r.end
                     else "the end"} for r in facts.roles], key)
        else:
            st.caption(f"No roles were assigned; {display.text(inc.declared_by)} declared the incident.")
    elif name == "severity":
        _table([{"When": display.date_time(s.occurred_at, tz),
                 "Severity": f"{s.previous} → {s.severity}" if s.previous else f"{s.severity} (declared)",
                 "By": s.actor, "Why": s.reason or ""} for s in facts.severity_history], key)
    elif name == "impacts":
        if not facts.impacts:
            st.caption("No impact was reported with the updates.")
        for i in facts.impacts:
            st.markdown(f":gray[{display.date_time(i.posted_at, tz)} · {display.text(i.author)}] "
                        f"{display.text(i.text)}")
    elif name == "timeline":
        _table([{"When": display.date_time(e.occurred_at, tz), "Who": e.actor,
                 "What": e.text + (f" ({display.AUDIENCE_LABELS.get(e.audience, e.audience).lower()} update)"
                                   if e.audience else "")} for e in facts.timeline], key)
    elif name == "participants":
        st.markdown(", ".join(display.text(p) for p in facts.participants) or "Nobody named yet.")


def _facts(spec, facts: record.Prefill, tz, ref: str) -> None:
    with st.container(border=True):
        st.caption(":material/history_edu: From the record")
        for name in spec.facts:
            st.markdown(f"**{FACT_TITLES[name]}**")
            _fact(name, facts, tz, key=f"fact_{ref}_{spec.key}_{name}")


# -- saving -----------------------------------------------------------------------------------
def _save(kit, ref: str, user, specs, saved: dict[str, str], *, confirm: bool = False) -> None:
    """Save every answer that differs from what is stored; one confirmation for all of them."""
    done, problem = [], None
    for spec in specs:
        text = st.session_state.get(widget_key(ref, spec.key))
        if text is None or text.strip() == (saved.get(spec.key) or "").strip():
            continue
        try:
            kit.edit_review_section(ref, spec.key, text, by=user)
        except IncidentKitError as exc:
            problem = exc.in_app
            continue
        saved[spec.key] = text.strip()
        st.session_state[f"{widget_key(ref, spec.key)}_base"] = text.strip()
        done.append(spec.ask)
    if done or confirm:
        st.session_state[_SAVED] = (ref, display.clock(dt.datetime.now(dt.timezone.utc), _tz()), done)
    if problem:
        st.session_state[_PROBLEM] = problem


def _catch_up(kit, ref: str, user, specs, saved: dict[str, str]) -> None:
    """Save text kept in a box whose change never reached the server as its own run (the person left
    the page straight from the box). Someone else's newer answer is never overwritten silently."""
    for spec in specs:
        key = widget_key(ref, spec.key)
        typed, base = st.session_state.get(key), st.session_state.get(f"{key}_base")
        stored = (saved.get(spec.key) or "").strip()
        if typed is None or typed.strip() == stored:
            st.session_state[f"{key}_base"] = saved.get(spec.key, "")
            continue
        if base is not None and base.strip() != stored:
            st.warning(f"Someone else changed the answer to “{display.text(spec.ask)}” while you were away. Your "
                       "text is kept in the box: press “Save answers” to replace theirs, or copy what you need "
                       "first.", icon=":material/group:")
            continue
        _save(kit, ref, user, [spec], saved)
        st.session_state[f"{key}_base"] = saved.get(spec.key, "")


def _tz():
    try:
        from incident_kit.ui.context import browser_tz

        return browser_tz()
    except Exception:  # outside a session
        return dt.timezone.utc


def _quote(kit, ref: str, user, spec, facts: record.Prefill, saved: dict[str, str]) -> None:
    picked = st.session_state.get(f"{widget_key(ref, spec.key)}_pick") or []
    if not picked:
        return
    lines = [record.quote(facts.timeline[i]) for i in picked]
    key = widget_key(ref, spec.key)
    current = (st.session_state.get(key) or "").rstrip()
    st.session_state[key] = (current + "\n\n" if current else "") + "\n".join(lines) + "\n\n"
    st.session_state[f"{key}_pick"] = []
    _save(kit, ref, user, [spec], saved)


# -- the form -----------------------------------------------------------------------------------
def render_form(kit, review, facts: record.Prefill, user, tz, hints) -> None:
    ref = review.incident
    editable = review.status in (ReviewStatus.DRAFT, ReviewStatus.IN_REVIEW)
    specs = [spec for spec, _ in review.visible_sections]
    saved = dict(review.sections)
    if editable:
        _catch_up(kit, ref, user, specs, saved)
    problem = st.session_state.pop(_PROBLEM, None)
    if problem:
        st.error(display.text(problem), icon=":material/error:")  # the sentence may quote what was typed
    last = st.session_state.pop(_SAVED, None)  # shown once, right after the save it confirms
    if editable:
        if last and last[0] == ref:
            which = f": {', '.join(display.text(q) for q in last[2])}" if last[2] else ""
            st.success(f"All answers saved at {last[1]}{which}", icon=":material/cloud_done:")
        else:
            st.caption(":material/cloud_done: Answers save by themselves when you leave a box. "
                       "You can also press “Save answers” at any time.")
    for n, spec in enumerate(specs, start=1):
        st.markdown(f"#### {n}. {spec.ask}")
        st.caption(spec.prompt)
        key = widget_key(ref, spec.key)
        body = saved.get(spec.key, "")
        if spec.facts:
            left, right = st.columns([3, 2], gap="medium")
        else:
            left, right = st.container(), None
        with left:
            if editable:
                if key not in st.session_state:
                    st.session_state[key] = body
                    st.session_state[f"{key}_base"] = body
                # persist_state="session": what was typed stays in the box across page switches, even when
                # the switch reached the server before the box's own change (then _catch_up saves it).
                st.text_area(spec.ask, key=key, height=200, placeholder=spec.prompt, label_visibility="collapsed",
                             on_change=_save, args=(kit, ref, user, [spec], saved), persist_state="session")
                if "timeline" in spec.facts and facts.timeline:
                    options = list(range(len(facts.timeline)))
                    st.multiselect(
                        "Quote moments from the timeline", options, key=f"{key}_pick",
                        format_func=lambda i: f"{display.clock(facts.timeline[i].occurred_at, tz)} · "
                                              f"{facts.timeline[i].actor} · {facts.timeline[i].text[:80]}",
                        placeholder="Pick one or more moments")
                    st.button("Quote in my answer", key=f"{key}_quote", icon=":material/format_quote:",
                              on_click=_quote, args=(kit, ref, user, spec, facts, saved))
            else:
                st.markdown(display.block(body) if body.strip() else "_Not written._")
            for i, item in enumerate(h for h in hints if h.section == spec.key):
                hint = item.hint
                st.warning(display.text(hint.message), icon=":material/lightbulb:")
                # Under the hint, not in a narrow column beside it, so its label is never cut to "Dism…".
                if st.button("Dismiss this hint", key=f"{key}_dismiss_{i}", type="tertiary", icon=":material/close:"):
                    try:
                        kit.dismiss_review_hint(ref, spec.key, hint.key, by=user)
                    except IncidentKitError as exc:
                        st.session_state[_PROBLEM] = exc.in_app
                    st.rerun()
        if right is not None:
            with right:
                _facts(spec, facts, tz, ref)
    if editable and st.button("Save answers", type="primary", icon=":material/save:", key=f"review_{ref}_save"):
        _save(kit, ref, user, specs, saved, confirm=True)
        st.rerun()
