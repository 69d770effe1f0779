"""Turns a stored analysis result (the JSON of ``analysis.report.run_report``) into what the
report pages show, in the reader's language: tables, chart geometry, the plain-language
reading and each test's method and limits.

The analyses are pure and speak English (their ``method`` texts and ``insufficient_data``
reasons are kept verbatim in the downloadable JSON). The page says the same things through
translated sentences: known reasons are matched and translated with their numbers; any other
reason is shown as a translated general sentence, never as untranslated text.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from peelian.agency.analysis import wilson_interval
from peelian.stops import charts
from peelian.stops.analysis.schema import RACES

GROUPS = ("black", "hispanic", "white", "asian/pacific islander", "other")
# The open data's small-cell rule (exports.SMALL_CELL_MAX), applied to the per-area cells of
# a published analysis: a count from 1 to 4 in one race x area cell is withheld.
SMALL_CELL_MAX = 4
CELL_LISTS = (("outcome_test", "by_district"), ("threshold_test", "by_geography"))
CSV_HEADER = ["test", "measure", "group", "estimate", "lower", "upper", "n", "note"]


def race_label(race: str) -> str:
    return {
        "black": _("Black"),
        "hispanic": _("Hispanic"),
        "white": _("White"),
        "asian/pacific islander": _("Asian / Pacific Islander"),
        "other": pgettext("race", "Other"),
        "unknown": pgettext("race", "Unknown"),
    }.get(race, race)


def _pct(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    # Django's number_format truncates; round first.
    return f"{number_format(round(value * 100, digits), digits)}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else number_format(round(value, digits), digits)


def _int(value: Any) -> str:
    return "—" if value is None else number_format(round(value), 0, force_grouping=True)


REASONS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"^fewer than (\d+) stops \((\d+)\)$"),
        lambda m: _("fewer than %(min)s stops (%(n)s)") % {"min": m[1], "n": m[2]},
    ),
    (
        re.compile(r"^fewer than (\d+) stops with it recorded$"),
        lambda m: _("fewer than %(min)s stops with this recorded") % {"min": m[1]},
    ),
    (
        re.compile(r"^(\w+) is not recorded$"),
        lambda m: _("this is not recorded in the data"),
    ),
    (
        re.compile(
            r"^only (\d+) black and white stops in the inter-twilight window "
            r"\(the test needs at least ([\d,]+)\)$"
        ),
        lambda m: (
            _(
                "only %(n)s stops of Black and white drivers in the evening hours around dusk; "
                "the test needs at least %(min)s"
            )
            % {"n": m[1], "min": m[2]}
        ),
    ),
    (
        re.compile(
            r"^(\d+) discretionary searches with a recorded result; at least (\d+) are needed$"
        ),
        lambda m: (
            _("%(n)s searches with a recorded result; at least %(min)s are needed")
            % {"n": m[1], "min": m[2]}
        ),
    ),
    (re.compile(r"^no searches recorded$"), lambda m: _("no searches are recorded")),
    (
        re.compile(r"^columns missing: (.+)$"),
        lambda m: _("the data has no column %(cols)s") % {"cols": m[1]},
    ),
    (
        re.compile(r"^benchmark population is zero$"),
        lambda m: _("no residents of this group in the census benchmark"),
    ),
    (
        re.compile(r"^no search found contraband"),
        lambda m: _("no search found contraband, so the threshold cannot be inferred"),
    ),
    (re.compile(r"^a rate is missing$"), lambda m: _("one of the two rates is not available")),
    (
        re.compile(r"^no (benchmark )?population"),
        lambda m: _("no census benchmark of residents by race was given"),
    ),
]


def reason_text(reason: Any) -> str | None:
    if not reason:
        return None
    text = str(reason)
    for pattern, render in REASONS:
        match = pattern.search(text)
        if match:
            return render(match)
    return _(
        "there is not enough usable data for this test (the downloadable results give the details)"
    )


def _rows(
    by_race: dict[str, Any], *, fmt: Callable[[Any], str], n_key: str
) -> list[dict[str, Any]]:
    rows = []
    for race in GROUPS:
        entry = by_race.get(race)
        if not isinstance(entry, dict):
            continue
        insufficient = reason_text(entry.get("insufficient_data"))
        rows.append(
            {
                "race": race,
                "label": race_label(race),
                "insufficient": insufficient,
                "value": fmt(entry.get("estimate")),
                "interval": (
                    _("%(lo)s to %(hi)s") % {"lo": fmt(entry["lower"]), "hi": fmt(entry["upper"])}
                    if entry.get("lower") is not None and entry.get("upper") is not None
                    else None
                ),
                "n": _int(entry.get(n_key)),
                "estimate": entry.get("estimate"),
                "lower": entry.get("lower"),
                "upper": entry.get("upper"),
            }
        )
    return rows


def _chart(
    rows: list[dict[str, Any]], *, scale: float = 1.0, as_percent: bool = True
) -> dict[str, Any]:
    usable = [r for r in rows if not r["insufficient"] and r["estimate"] is not None]
    return charts.interval_chart(
        [
            charts.IntervalRow(
                r["label"],
                r["estimate"] * scale,
                None if r["lower"] is None else r["lower"] * scale,
                None if r["upper"] is None else r["upper"] * scale,
            )
            for r in usable
        ],
        as_percent=as_percent,
    )


def _stop_rate(s: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "insufficient": reason_text(s.get("insufficient_data")),
        "method": _(
            "Stops of each group per 1,000 residents of that group per year: the number of "
            "stops divided by the residents (the census benchmark) times the years the data "
            "covers. The interval is the exact Poisson interval on the count of stops. The "
            "benchmark counts residents, not drivers on the road, which is its main limit."
        ),
    }
    by_race = {race: s[race] for race in RACES if isinstance(s.get(race), dict)}
    out["rows"] = _rows(
        by_race, fmt=lambda v: _num(None if v is None else v * 1000, 1), n_key="n_stops"
    )
    out["chart"] = _chart(out["rows"], scale=1000, as_percent=False)
    out["caption"] = _(
        "Dots are the estimates, lines their 95% intervals. The table below gives the same numbers."
    )
    return out


MEASURES = {
    "search": lambda: _("Share of stops with a search, by race"),
    "frisk": lambda: _("Share of stops with a frisk, by race"),
    "arrest": lambda: _("Share of stops ending in an arrest, by race"),
    "citation": lambda: _("Share of stops ending in a citation, by race"),
}


def _rates(r: dict[str, Any]) -> dict[str, Any]:
    measures = []
    for name, title in MEASURES.items():
        entry = r.get(name) or {}
        if entry.get("insufficient_data"):
            continue
        measures.append(
            {
                "name": name,
                "title": title(),
                "rows": _rows(entry.get("by_race") or {}, fmt=_pct, n_key="n_recorded"),
            }
        )
    return {
        "insufficient": reason_text(r.get("insufficient_data")),
        "measures": measures,
        "method": _(
            "For each group: stops with the outcome divided by stops where the outcome is "
            "recorded, with a 95% Wilson interval. Measures the data does not record are "
            "left out."
        ),
    }


def _vod(v: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "insufficient": reason_text(v.get("insufficient_data")),
        "method": _(
            "Among stops of Black and white drivers in the evening hours when it is light on "
            "some days of the year and dark on others at the same clock time, a logistic "
            "regression of whether the driver is Black on darkness (after civil dusk), with "
            "a natural spline of the time of day (6 degrees of freedom), fitted on the "
            "aggregated counts. Stops between sunset and dusk are left out. Source: Grogger "
            "and Ridgeway (2006); Pierson et al. (2020), Nature Human Behaviour. The "
            "interval is the 95% Wald interval."
        ),
    }
    if out["insufficient"]:
        return out
    odds, lo, hi = v.get("odds_ratio"), v.get("odds_ratio_lower"), v.get("odds_ratio_upper")
    out.update(
        {
            "estimate": _num(v.get("estimate"), 3),
            "std_error": _num(v.get("std_error"), 3),
            "odds_ratio": _num(odds, 2),
            "odds_ratio_interval": _("%(lo)s to %(hi)s") % {"lo": _num(lo, 2), "hi": _num(hi, 2)},
            "n_stops": _int(v.get("n_stops")),
        }
    )
    if lo is not None and hi is not None and odds is not None:
        if hi < 1:
            verdict = _(
                "Fewer Black drivers were stopped when it was dark, when race is harder to "
                "see: the pattern the test treats as evidence of bias against Black drivers."
            )
        elif lo > 1:
            verdict = _(
                "More Black drivers were stopped when it was dark; this test gives no "
                "evidence of bias against Black drivers in who is stopped."
            )
        else:
            verdict = _(
                "The share of Black drivers did not differ clearly between light and dark; "
                "the test finds no clear evidence either way."
            )
        out["reading"] = (
            _(
                "At the same time of day, the odds that a stopped driver was Black were %(or)s "
                "times as high after dark as in daylight (95%% interval %(lo)s to %(hi)s)."
            )
            % {"or": _num(odds, 2), "lo": _num(lo, 2), "hi": _num(hi, 2)}
            + " "
            + verdict
        )
    dst = v.get("dst") or {}
    if dst:
        if dst.get("insufficient_data"):
            out["dst"] = _("not available: %(r)s") % {"r": reason_text(dst["insufficient_data"])}
        elif dst.get("estimate") is not None:
            out["dst"] = _("coefficient %(e)s (95%% interval %(lo)s to %(hi)s), %(n)s stops") % {
                "e": _num(dst.get("estimate"), 3),
                "lo": _num(dst.get("lower"), 3),
                "hi": _num(dst.get("upper"), 3),
                "n": _int(dst.get("n_stops")),
            }
    grid = []
    for g in v.get("robustness") or []:
        df = int(g.get("spline_df") or 0)
        label = ngettext(
            "spline with %(df)s degree of freedom", "spline with %(df)s degrees of freedom", df
        ) % {"df": df}
        if g.get("district_effects"):
            label += ", " + _("within districts")
        grid.append(
            {
                "label": label,
                "insufficient": reason_text(g.get("insufficient_data")),
                "value": _num(g.get("estimate"), 3),
                "interval": _("%(lo)s to %(hi)s")
                % {"lo": _num(g.get("lower"), 3), "hi": _num(g.get("upper"), 3)},
                "n": _int(g.get("n_stops")),
            }
        )
    out["grid"] = grid
    bins = (v.get("chart") or {}).get("bins") or []
    light = [
        (b["minutes_since_dusk"], b["share_black"])
        for b in bins
        if not b["is_dark"] and b.get("share_black") is not None
    ]
    dark = [
        (b["minutes_since_dusk"], b["share_black"])
        for b in bins
        if b["is_dark"] and b.get("share_black") is not None
    ]
    out["chart"] = charts.series_chart([(_("Light"), light), (_("Dark"), dark)])
    out["chart_label"] = _("Share of stopped drivers who were Black, by minutes since dusk")
    out["chart_caption"] = _(
        "Yellow circles: light (before sunset); dark blue squares: dark (after dusk). "
        "Each point is a 10-minute band of minutes since that day's dusk; stops between "
        "sunset and dusk are left out. Not adjusted for the time of day, which the model is."
    )
    chart_rows = []
    for b in bins:
        n, k = int(b.get("n_total") or 0), int(b.get("n_black") or 0)
        lo, hi = wilson_interval(k, n) if n else (None, None)
        chart_rows.append(
            {
                "label": (_("%(m)s min, dark") if b["is_dark"] else _("%(m)s min, light"))
                % {"m": f"{b['minutes_since_dusk']:+d}"},
                "insufficient": None,
                "value": _pct(b.get("share_black")),
                "interval": _("%(lo)s to %(hi)s") % {"lo": _pct(lo), "hi": _pct(hi)} if n else None,
                "n": _int(n),
            }
        )
    out["chart_rows"] = chart_rows
    return out


def _race_section(out: dict[str, Any], by_race: Any, caption: str) -> list[dict[str, Any]]:
    """Rows, chart and caption of a per-race share (hit rates, thresholds) by search."""
    rows = _rows(by_race or {}, fmt=_pct, n_key="n_searches")
    out.update(rows=rows, chart=_chart(rows), caption=caption)
    return rows


def _outcome(o: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "insufficient": reason_text(o.get("insufficient_data")),
        "method": _(
            "The hit rate is the share of discretionary searches that found contraband "
            "(searches incident to arrest and inventory searches are left out), with a 95% "
            "Wilson interval. If one group's searches succeed less often, officers may be "
            "searching that group on less evidence. Source: Knowles, Persico and Todd "
            "(2001); Pierson et al. (2020)."
        ),
    }
    if out["insufficient"]:
        return out
    rows = _race_section(
        out,
        o.get("hit_rate"),
        _(
            "Dots are the hit rates, lines their 95% intervals. The table below gives the "
            "same numbers."
        ),
    )
    by = {r["race"]: r for r in rows if not r["insufficient"]}
    if "white" in by:
        parts = [
            _("searches of %(group)s drivers found contraband %(rate)s of the time")
            % {"group": race_label(race), "rate": by[race]["value"]}
            for race in ("black", "hispanic", "white")
            if race in by
        ]
        out["reading"] = (
            _("Among discretionary searches, %(list)s.") % {"list": "; ".join(parts)}
            + " "
            + _("A lower hit rate for a group suggests its members were searched on less evidence.")
        )
    return out


def _threshold(t: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "insufficient": reason_text(t.get("insufficient_data")),
        "method": _(
            "A Bayesian model of each officer's decision to search: each stopped driver "
            "carries a probability of having contraband, and officers search when it exceeds "
            "a threshold. The model infers each group's threshold from search rates and hit "
            "rates by district; the interval is the 95% posterior interval. Source: Simoiu, "
            "Corbett-Davies and Goel (2017); Pierson, Corbett-Davies and Goel (2018)."
        ),
    }
    if out["insufficient"]:
        return out
    _race_section(
        out,
        t.get("threshold"),
        _(
            "Dots are the inferred thresholds, lines their 95% posterior intervals. The table "
            "below gives the same numbers."
        ),
    )
    diffs = t.get("difference_vs_white") or {}
    parts = []
    for race in ("black", "hispanic"):
        d = diffs.get(race) or {}
        if d.get("probability_lower") is not None:
            parts.append(
                _(
                    "the chance that the bar for %(group)s drivers is lower than for white "
                    "drivers is %(p)s"
                )
                % {"group": race_label(race), "p": _pct(d["probability_lower"], 0)}
            )
    if parts:
        out["reading"] = (
            _("Officers search when the chance of finding contraband exceeds a bar.")
            + " "
            + _("Given the data, %(list)s.") % {"list": "; ".join(parts)}
            + " "
            + _("A lower bar for a group means its members are searched on less evidence.")
        )
    diag = t.get("diagnostics") or {}
    if diag:
        out["diagnostics"] = _(
            "Convergence: largest R-hat %(rhat)s (should be below 1.05), smallest effective "
            "sample size %(ess)s, %(div)s divergent transitions."
        ) % {
            "rhat": _num(diag.get("max_rhat"), 3),
            "ess": _int(diag.get("min_ess_bulk")),
            "div": _int(diag.get("divergences")),
        }
        if diag.get("max_rhat") is not None and diag["max_rhat"] > 1.05:
            out["warning"] = _(
                "The sampler did not converge well (R-hat above 1.05): read these thresholds "
                "with caution."
            )
    return out


QUALITY_LABELS = {
    "unknown_race_code": lambda: _("Race code not recognised"),
    "missing_race": lambda: _("Race not recorded"),
    "impossible_or_unreadable_date": lambda: _("Impossible or unreadable date"),
    "missing_date": lambda: _("Date not recorded"),
    "impossible_or_unreadable_time": lambda: _("Impossible or unreadable time"),
    "contraband_recorded_without_search": lambda: _("Contraband recorded without a search"),
    "coordinates_outside_area": lambda: _("Coordinates outside the agency's area"),
}


def limits() -> list[tuple[str, str]]:
    return [
        (
            _("Stops per resident"),
            _(
                "Residents are not the same as drivers or pedestrians on the road: people "
                "drive through a city they do not live in, and groups differ in how much they "
                "drive. A higher stop rate is a reason to look closer, not proof of bias."
            ),
        ),
        (
            _("Veil of darkness"),
            _(
                "It assumes that who is on the road at a given clock time does not change "
                "between light and dark, except through officers' ability to see race. "
                "Street lighting and headlights weaken the contrast, which makes the test "
                "conservative; it says nothing about stops in broad daylight or late at night."
            ),
        ),
        (
            _("Outcome test"),
            _(
                "Hit rates can differ even without bias, if the groups differ in how likely "
                "those searched are to carry contraband (the problem of infra-marginality); "
                "the threshold test addresses this."
            ),
        ),
        (
            _("Threshold test"),
            _(
                "It rests on a model of how officers decide, and its results depend on that "
                "model; with few searches or few hits the intervals are wide. It treats all "
                "officers in a district alike."
            ),
        ),
        (
            _("All tests"),
            _(
                "They use the race recorded by the officer, which may differ from how people "
                "describe themselves, and only the stops that were recorded."
            ),
        ),
    ]


def report_context(results: dict[str, Any] | None) -> dict[str, Any] | None:
    if not results:
        return None
    meta = results.get("meta") or {}
    quality = (results.get("data_quality") or {}).get("problems") or {}
    ctx: dict[str, Any] = {
        "meta": {
            "rows": meta.get("rows") or 0,
            "date_from": meta.get("first_date") or "—",
            "date_to": meta.get("last_date") or "—",
        },
        "quality": [
            (QUALITY_LABELS[k]() if k in QUALITY_LABELS else k.replace("_", " "), n)
            for k, n in quality.items()
        ],
        "limits": limits(),
    }
    if "stop_rate" in results:
        ctx["stop_rate"] = _stop_rate(results["stop_rate"])
    if "rates" in results:
        ctx["rates"] = _rates(results["rates"])
    if "veil_of_darkness" in results:
        ctx["vod"] = _vod(results["veil_of_darkness"])
    if "outcome_test" in results:
        ctx["outcome"] = _outcome(results["outcome_test"])
    if "threshold_test" in results:
        ctx["threshold"] = _threshold(results["threshold_test"])
    ctx["readings"] = [
        text
        for text in (
            ctx.get("vod", {}).get("reading"),
            ctx.get("outcome", {}).get("reading"),
            ctx.get("threshold", {}).get("reading"),
        )
        if text
    ]
    return ctx


def public_results(results: dict[str, Any]) -> dict[str, Any]:
    """The results as the public may download them: in the per-area cells (race x district),
    every count from 1 to 4 is withheld (null, and named in ``suppressed``), as in the open
    data. City-wide figures are unchanged; the estimates of a withheld cell are kept, since
    the cell's own interval already says how little it rests on."""
    out = copy.deepcopy(results)
    for test, key in CELL_LISTS:
        for cell in (out.get(test) or {}).get(key) or []:
            hidden = []
            for name, value in list(cell.items()):
                if (
                    name.startswith("n_")
                    and isinstance(value, int)
                    and 1 <= value <= SMALL_CELL_MAX
                ):
                    cell[name] = None
                    hidden.append(name)
            if hidden:
                cell["suppressed"] = hidden
    return out


def flat_rows(results: dict[str, Any]) -> list[list[Any]]:
    """Every estimate as one CSV row (English identifiers; the JSON has the methods)."""
    rows: list[list[Any]] = []

    def add(test: str, measure: str, group: str, entry: dict[str, Any], n_key: str) -> None:
        rows.append(
            [
                test,
                measure,
                group,
                entry.get("estimate"),
                entry.get("lower"),
                entry.get("upper"),
                entry.get(n_key),
                entry.get("insufficient_data") or "",
            ]
        )

    stop_rate = results.get("stop_rate") or {}
    for race in RACES:
        if isinstance(stop_rate.get(race), dict):
            add("stop_rate", "stops_per_resident_year", race, stop_rate[race], "n_stops")
    for name in MEASURES:
        for race, e in (
            ((results.get("rates") or {}).get(name) or {}).get("by_race") or {}
        ).items():
            add("rates", f"{name}_rate", race, e, "n_recorded")
    v = results.get("veil_of_darkness") or {}
    if v:
        add("veil_of_darkness", "dark_coefficient", "black_vs_white", v, "n_stops")
    for race, e in ((results.get("outcome_test") or {}).get("hit_rate") or {}).items():
        add("outcome_test", "hit_rate", race, e, "n_searches")
    for race, e in ((results.get("threshold_test") or {}).get("threshold") or {}).items():
        add("threshold_test", "threshold", race, e, "n_searches")
    return rows
