"""What each Insights figure says, in one line a support lead reads: pure functions from a frame to words.

"Half were declared within 10 min (likely between 8 min and 12 min); 9 in 10 within 1 h." Shares are said
as "N in 10", durations as "1 h 20 min" (``clock.human_duration``), counts with their right plural. No
method name (the interval, the curve, the limits) appears here: the page explains those once, in
"How this is worked out". Each function takes the frame the chart draws and returns one sentence, or ""
when there is nothing to say (the page then shows its "no data" note instead).
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from ..clock import human_duration
from .resampling import EXACT_ABOVE, RESAMPLES

# What half of the incidents (or gaps) did within the median, per response measure.
WORKED_OUT = "How this is worked out"  # the one place method names (p90, bootstrap, ...) may appear

DONE = {"time_to_declare": "were declared", "time_to_first_update": "had a first update",
        "update_gap": "of the gaps between updates were", "time_to_resolve": "were resolved",
        "impact_duration": "had their impact over"}
# Depth names as the rest of the app says them (``review.models.DEPTH_LABELS``), plural for "most were ..."
_DEPTHS = {"none": "no review", "note": "short notes", "standard": "standard reviews", "workshop": "full workshops"}


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """'1 incident', '3 incidents', '2 follow-ups' (``nouns`` for an irregular plural)."""
    n = int(n)
    return f"{n:,} {noun if n == 1 else nouns or noun + 's'}"


def in_ten(share) -> str:
    """A share in words people use: 'all', 'nearly all', '9 in 10', 'fewer than 1 in 10', 'none'."""
    if share is None or pd.isna(share):
        return "—"
    share = float(share)
    if share >= 1:
        return "all"
    if share <= 0:
        return "none"
    tenths = int(math.floor(share * 10 + 0.5))
    if tenths >= 10:
        return "nearly all"
    if tenths == 0:
        return "fewer than 1 in 10"
    return f"{tenths} in 10"


def took(minutes) -> str:
    """Minutes as people say them: '45 s', '10 min', '1 h 20 min', '2 d 3 h'; '—' when unknown."""
    if minutes is None or pd.isna(minutes):
        return "—"
    return human_duration(dt.timedelta(minutes=float(minutes)))


def days(value) -> str:
    """Days as people say them: 'under a day', '1 day', '12 days'."""
    if value is None or pd.isna(value):
        return "—"
    if value < 1:
        return "under a day"
    return plural(int(round(float(value))), "day")


def span(low, high) -> str:
    """Two durations in minutes as a range: '8–12 min', '1 h 4 min – 1 h 35 min'; '—' when unknown."""
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return "—"
    a, b = took(low), took(high)
    if a == b:
        return a
    a_num, _, a_unit = a.partition(" ")
    b_num, _, b_unit = b.partition(" ")
    if a_unit == b_unit and " " not in a_unit:  # one unit each ("8 min", "12 min"): say it once
        return f"{a_num}–{b_num} {a_unit}"
    return f"{a} – {b}"


def _likely(low, high, unit=took) -> str:
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return ""
    a, b = unit(low), unit(high)
    return "" if a == b else f" (likely between {a} and {b})"


def response(summary: pd.DataFrame, metric: str) -> str:
    """'Half were declared within 10 min (likely between 8 min and 12 min); 9 in 10 within 1 h.'"""
    # The row by its position in a plain list of the (five) names, then a cell per column. A row taken as a
    # Series (``iloc[0]``) built an Arrow-backed label index on every call, and comparing the Arrow column
    # runs a pyarrow kernel that gives up the GIL, so on a busy app the page waited behind the message sending.
    names = summary["metric"].tolist()
    if metric not in names:
        return ""
    at = names.index(metric)

    def cell(column: str):
        return summary[column].iat[at] if column in summary.columns else None

    if not cell("n") or pd.isna(cell("median")):
        return ""
    return (f"Half {DONE[metric]} within {took(cell('median'))}{_likely(cell('median_low'), cell('median_high'))}; "
            f"9 in 10 within {took(cell('p90'))}.")


def comparison(table: pd.DataFrame, split) -> str:
    """What the before/after comparison can say: which measures changed, or that none clearly did."""
    if table.empty or not (table["n_before"].sum() and table["n_after"].sum()):
        return ""
    when = f"{pd.Timestamp(split):%-d %b %Y}"
    changed = [f"{r.label.lower()} got {r.verdict} since {when} (half within {took(r.median_after)}, "
               f"was {took(r.median_before)})" for r in table.itertuples() if r.verdict in ("shorter", "longer")]
    if changed:
        text = "; ".join(changed)
        return text[0].upper() + text[1:] + ". The other measures show no clear change."
    if (table["verdict"] == "not enough data").all():
        return "Too few incidents on one side of the date to tell whether anything changed."
    return (f"No clear change since {when}: the differences are within what chance alone gives with this "
            "many incidents.")


def gaps(histogram: pd.DataFrame) -> str:
    """'7 in 10 gaps between updates were within the promised interval.'"""
    total = int(histogram["gaps"].sum()) if len(histogram) else 0
    if not total:
        return ""
    kept = int(histogram.loc[histogram["within_cadence"].astype(bool), "gaps"].sum())
    return f"{in_ten(kept / total).capitalize()} gaps between updates were within the promised interval."


def cadence(adherence: pd.DataFrame) -> str:
    """'Gaps within the promised interval: Minor 9 in 10, Critical 6 in 10.'"""
    if adherence.empty:
        return ""
    rows = adherence.sort_values("severity_rank") if "severity_rank" in adherence else adherence
    return "Gaps within the promised interval: " + ", ".join(
        f"{r.severity} {in_ten(r.share)}" for r in rows.itertuples()) + "."


def done_by_due(summary: pd.DataFrame) -> str:
    """'Of the 120 follow-ups due so far, 6 in 10 were done by their due date.'"""
    due = int(summary["due"].sum()) if len(summary) else 0
    if not due:
        return "No follow-up has reached its due date yet." if len(summary) else ""
    return (f"Of the {plural(due, 'follow-up')} due so far, {in_ten(summary['done_by_due'].sum() / due)} "
            "were done by their due date.")


def done_by_due_per_group(summary: pd.DataFrame) -> str:
    """'Done by the due date: Minor 7 in 10, Major 5 in 10.'"""
    due = summary[summary["due"] > 0] if len(summary) else summary
    if due.empty:
        return ""
    return "Done by the due date: " + ", ".join(f"{r.group} {in_ten(r.completion_rate_by_due)}"
                                                 for r in due.itertuples()) + "."


def open_follow_ups(histogram: pd.DataFrame) -> str:
    """'37 follow-ups are open; 12 of them are overdue.'"""
    total = int(histogram["follow_ups"].sum()) if len(histogram) else 0
    if not total:
        return ""
    overdue = int(histogram.loc[histogram["overdue"].fillna(False).astype(bool), "follow_ups"].sum())
    verb = "is" if total == 1 else "are"
    late = "none is overdue" if not overdue else f"{overdue:,} of them {'is' if overdue == 1 else 'are'} overdue"
    return f"{plural(total, 'follow-up')} {verb} open; {late}."


def halves(box: pd.DataFrame, category: str, *, lead: str, names: dict | None = None) -> str:
    """'Half of the done follow-ups were done within: Minor 12 days, Major 8 days.' (a five-number summary
    per category; ``lead`` says what half did, ``names`` how to call a category)."""
    if box.empty:
        return ""
    return f"{lead}: " + ", ".join(f"{(names or {}).get(c, c)} {days(m)}"
                                   for c, m in zip(box[category], box["median"])) + "."


def follow_up_completion(figures: dict | None) -> str:
    """'Follow-ups: 6 in 10 done within 30 days, 8 in 10 within 90 days; half within 21 days.'"""
    if not figures:
        return ""
    within = [(int(k.removeprefix("km_done_within_").removesuffix("_days")), v) for k, v in figures.items()
              if k.startswith("km_done_within_") and v is not None]
    parts = [f"{in_ten(v)} done within {d} days" if n == 0 else f"{in_ten(v)} within {d} days"
             for n, (d, v) in enumerate(within)]
    median = figures.get("km_median_days_to_complete")
    half = f"half within {days(median)}" if median is not None else "fewer than half done so far"
    return "Follow-ups: " + ", ".join(parts) + ("; " if parts else "") + half + "."


def _month(month: str) -> str:
    return f"{pd.Timestamp(month + '-01'):%b %Y}"


def _in(month: str, today) -> str:
    """'in Nov 2026', or 'so far in Dec 2026' for the month ``today`` is in (not over yet)."""
    running = today is not None and f"{pd.Timestamp(today):%Y-%m}" == month
    return f"{'so far ' if running else ''}in {_month(month)}"


def declarations(frame: pd.DataFrame, today=None) -> str:
    """'14 incidents declared in Nov 2026, against 9 a month on average.' (``today``: the month under way
    says "so far in"; the average is over the months before it, which are complete)."""
    if frame.empty:
        return ""
    ordered = frame.sort_values("month")
    last = ordered.iloc[-1]
    before = ordered.iloc[:-1]["declarations"]
    text = f"{plural(last['declarations'], 'incident')} declared {_in(last['month'], today)}"
    return text + (f", against {before.mean():.0f} a month on average before." if len(before) else ".")


def declaration_shares(frame: pd.DataFrame, today=None) -> str:
    """'In Nov 2026, 3 in 10 declarations were outside engineering and 5 in 10 at the lowest severity.'"""
    counted = frame[frame["declarations"] > 0] if len(frame) else frame
    if counted.empty:
        return ""
    last = counted.sort_values("month").iloc[-1]
    when = _in(last["month"], today)
    return (f"{when[0].upper()}{when[1:]}, {in_ten(last['non_engineering_share'])} declarations were outside "
            f"engineering and {in_ten(last['lowest_severity_share'])} at the lowest severity.")


def usual_range(xmr: pd.DataFrame) -> str:
    """'Declarations per month stayed within their usual range.' or which months were above or below it."""
    if xmr.empty:
        return ""
    outside = [f"{_month(r.month)} ({r.declarations}, {'above' if r.signal == 'above' else 'below'})"
               for r in xmr.itertuples() if r.signal]
    if not outside:
        return "Declarations per month stayed within their usual range."
    return "Outside the usual range, worth a conversation: " + ", ".join(outside) + "."


def review_depths(mix: pd.DataFrame) -> str:
    """'Most reviews were short notes (5 in 10); full workshops were 1 in 10.'"""
    if mix.empty:
        return ""
    top = mix.sort_values(["share", "reviews"], ascending=False).iloc[0]
    text = f"The most common choice: {_DEPTHS.get(top['depth'], top['depth'])} ({in_ten(top['share'])} reviews)"
    workshops = mix[mix["depth"] == "workshop"]
    if len(workshops) and top["depth"] != "workshop":
        text += f"; full workshops: {in_ten(workshops['share'].iat[0])}"
    return text + "."


def themes(frame: pd.DataFrame, shown: int = 3) -> str:
    """'Came up most: database (25 incidents), config drift (20 incidents).'"""
    if frame.empty:
        return ""
    top = frame.sort_values("incidents", ascending=False, kind="stable").head(shown)
    return "Came up most: " + ", ".join(f"{r.theme} ({plural(r.incidents, 'incident')})"
                                        for r in top.itertuples()) + "."


def recurring(groups: pd.DataFrame) -> str:
    """'35 groups of incidents that read alike; the biggest, "Database failover", holds 25 incidents.'"""
    if groups.empty:
        return ""
    count = groups["group"].nunique()
    first = groups[groups["group"] == groups["group"].min()]
    return (f"{plural(count, 'group')} of incidents that read alike; the biggest, “{first['name'].iat[0]}”, "
            f"holds {plural(len(first), 'incident')}.")


def scope(incidents: int, live: int, excluded: int) -> str:
    """The Insights headline: how many incidents the window holds and how many response times count.

    Markdown with the numbers in bold (numbers only: nothing a person typed)."""
    live_ones = "live one" if int(live) == 1 else "live ones"
    if not int(excluded):
        left = "none is left out"
    else:
        left = (f"**{int(excluded):,}** declared after the fact or as a test "
                f"{'is' if int(excluded) == 1 else 'are'} left out")
    return (f"**{int(incidents):,}** {'incident' if int(incidents) == 1 else 'incidents'} declared in this "
            f"window. Response times count the **{int(live):,}** {live_ones}; {left}.")


# "How this is worked out": the methods behind each Insights tab's figures, named once (Markdown).
METHODS = {
    "Communication": f"""
- **Half within** is the median: half of the incidents took at most that long. **9 in 10 within** is the
  90th percentile (p90), read with linear interpolation between the two nearest incidents.
- **Likely between** is the 95% confidence interval of the median: the bootstrap percentile interval (the
  middle 95% of the medians of resamples of your own durations), computed exactly from the binomial order
  statistics, which is what resampling approaches. The update gap has none: its figures are counted in the
  database.
- **How long things take** draws each measure's cumulative distribution (percentiles 0, 2 … 100) on a
  symmetric log axis, where 1 min, 10 min and 1 h are equally far apart.
- **Are we getting faster?** compares the medians before and after the date, each with its 95% bootstrap
  interval ({RESAMPLES:,} resamples with a fixed seed, so the same data always gives the same range; exact
  above {EXACT_ABOVE:,} values); when the two intervals overlap it says no detectable change. The smallest
  change we could see is the smallest drop in the median that, simulated by resampling your durations at
  these two sample sizes, would be detected in at least 8 of 10 comparisons (80% power).
- Update gaps run between consecutive updates, up to the update that resolves the incident, and are compared
  with the severity's promised update interval.
""",
    "Follow-ups": """
- **Done by the due date** counts follow-ups whose due date has passed; won't-do ones are left out.
- **Time to complete**: the box runs from the 25th to the 75th percentile, the white tick is the median.
- **How soon follow-ups get done** is a Kaplan–Meier estimate: a follow-up still open is counted as not done
  for as long as it has been open (a censored observation) rather than as never done, and a won't-do one
  until it was closed. The share done within 30, 60 and 90 days and the median days are read off that curve;
  a share past the oldest follow-up is unknown and not shown.
""",
    "Declaring": """
- **Declaring: routine or a signal?** is an XmR (process-behaviour) chart. The dotted line is the average
  month; the dashed lines are the natural process limits, the average ± 2.66 × the average change from one
  month to the next (the moving range). A month outside them is a signal; months inside are routine variation.
  Months with no declaration count as 0.
""",
    "Reviews": """
- **Review depth** is the share of reviewed incidents at each depth; **days to publish** is drawn as a box
  from the 25th to the 75th percentile with the median as the white tick.
- **Themes** are tags and contributing factors, counted in distinct incidents (two or more).
""",
}
