"""Measure the extractor on the labelled corpus (tests/corpus/*/NNN_name.{html,txt} + NNN_name.json).

Scoring follows DESIGN.md: precision and recall count facts with value true against facts labelled true;
a stated "no" is scored on its own (negations); payment keys are tri-state and scored where either the
label or the extractor says something; a price is found when its amount appears, exact when amount,
unit and package size all match.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from parsers.extract import extract_page
from parsers.hours import same_hours
from parsers.vocab import CARE_KEYS, PAYMENT_KEYS

KINDS = ("routes", "services", "conditions")
BARS = {"routes": (0.95, 0.90), "conditions": (0.95, 0.90)}  # (precision, recall)
PAYMENT_BAR = 0.90
PRICE_RECALL_BAR = 0.90
CARE_LISTS = ("disciplines", "board_certified", "languages", "states_served")


@dataclass
class Counts:
    tp: int = 0
    fp: list[str] = field(default_factory=list)
    fn: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + len(self.fp)) if self.tp + len(self.fp) else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + len(self.fn)) if self.tp + len(self.fn) else 1.0


@dataclass
class Report:
    cases: int = 0
    facts: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    negations: Counts = field(default_factory=Counts)
    payment: dict[str, list[tuple[str, bool]]] = field(default_factory=lambda: defaultdict(list))
    payers: Counts = field(default_factory=Counts)
    prices_found: list[bool] = field(default_factory=list)
    prices_exact: list[bool] = field(default_factory=list)
    price_misses: list[str] = field(default_factory=list)
    price_extra: list[str] = field(default_factory=list)
    # What a patient checks before calling: scored on the cases labelled for it (a "care" key in the labels).
    care_cases: int = 0
    care: dict[str, list[tuple[str, bool]]] = field(default_factory=lambda: defaultdict(list))
    care_lists: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    hours: list[tuple[str, bool]] = field(default_factory=list)
    page_dates: list[tuple[str, bool]] = field(default_factory=list)
    unmapped: Counts = field(default_factory=Counts)

    def care_accuracy(self, key: str) -> float:
        results = self.care.get(key, [])
        return sum(ok for _, ok in results) / len(results) if results else 1.0

    def payment_accuracy(self, key: str) -> float:
        results = self.payment.get(key, [])
        return sum(ok for _, ok in results) / len(results) if results else 1.0

    @property
    def price_recall(self) -> float:
        return sum(self.prices_found) / len(self.prices_found) if self.prices_found else 1.0

    @property
    def price_exact(self) -> float:
        return sum(self.prices_exact) / len(self.prices_exact) if self.prices_exact else 1.0

    def failures(self) -> list[str]:
        """Which bars of the extraction issue this run misses (empty when all are met)."""
        out = []
        for kind, (p_bar, r_bar) in BARS.items():
            counts = self.facts[kind]
            if counts.precision < p_bar or counts.recall < r_bar:
                out.append(f"{kind}: precision {counts.precision:.2f} (bar {p_bar}), recall {counts.recall:.2f} "
                           f"(bar {r_bar})")
        for key in PAYMENT_KEYS:
            if self.payment_accuracy(key) < PAYMENT_BAR:
                out.append(f"payment {key}: accuracy {self.payment_accuracy(key):.2f} (bar {PAYMENT_BAR})")
        if self.price_recall < PRICE_RECALL_BAR:
            out.append(f"prices: recall {self.price_recall:.2f} (bar {PRICE_RECALL_BAR})")
        return out


def corpus_cases(root: Path) -> list[tuple[Path, Path]]:
    cases = []
    for label in sorted(root.glob("*/*.json")):
        page = next((p for p in (label.with_suffix(".html"), label.with_suffix(".txt")) if p.exists()), None)
        if page:
            cases.append((page, label))
    return cases


def evaluate(root: Path) -> Report:
    report = Report()
    for page, label_file in corpus_cases(root):
        label = json.loads(label_file.read_text())
        result = extract_page(page.read_text(encoding="utf-8"), url=_url_for(page.stem, label.get("page_type")))
        report.cases += 1
        _score_facts(report, page.stem, label, result)
        _score_payment(report, page.stem, label, result.payment)
        _score_prices(report, page.stem, label.get("prices", []), result.prices)
        if "care" in label:
            _score_care(report, page.stem, label, result)
    return report


URL_PATHS = {"home": "", "landing": "ketamine-clinic-near-me/", "other": "page/"}


def _url_for(stem: str, page_type: str | None) -> str:
    """A URL of the kind the page would have on a real site (crawled pages always have one; the corpus keeps
    the page's kind in its labels): /pricing/..., /blog/..., or the home page."""
    path = URL_PATHS.get(page_type or "other", f"{page_type}/")
    return f"https://clinic.example/{path}{'' if page_type == 'home' else stem}"


def _score_facts(report: Report, case: str, label: dict, result) -> None:
    for kind in KINDS:
        want = label.get(kind, {})
        got = {f.key: f.value for f in getattr(result, kind)}
        counts = report.facts[kind]
        for key, value in want.items():
            if value and got.get(key) is True:
                counts.tp += 1
            elif value:
                counts.fn.append(f"{case}: {key} (got {got.get(key)})")
            elif got.get(key) is False:
                report.negations.tp += 1
            else:
                report.negations.fn.append(f"{case}: {key} stated as not offered (got {got.get(key)})")
        for key, value in got.items():
            if value and want.get(key) is not True:
                counts.fp.append(f"{case}: {key} (label {want.get(key)})")
            elif not value and want.get(key) is not False:
                report.negations.fp.append(f"{case}: {key}=false (label {want.get(key)})")


def _score_payment(report: Report, case: str, label: dict, payment) -> None:
    want = label.get("payment", {})
    for key in PAYMENT_KEYS:
        got = getattr(payment, key)
        if key in want or got is not None:
            ok = want.get(key) == got
            report.payment[key].append((f"{case}: {key} label {want.get(key)} got {got}", ok))
    want_payers, got_payers = set(label.get("payers", [])), set(payment.payers)
    report.payers.tp += len(want_payers & got_payers)
    report.payers.fn += [f"{case}: {p}" for p in sorted(want_payers - got_payers)]
    report.payers.fp += [f"{case}: {p}" for p in sorted(got_payers - want_payers)]


def _score_care(report: Report, case: str, label: dict, result) -> None:
    """Tri-state keys judged where the label or the extractor says something (like payment); lists by item;
    hours by the week they describe; the page's own date exactly; unmapped texts by their kind and value."""
    report.care_cases += 1
    care, want = result.care, label.get("care") or {}
    for key in CARE_KEYS:
        got = getattr(care, key)
        if key in want or got is not None:
            report.care[key].append((f"{case}: {key} label {want.get(key)} got {got}", want.get(key) == got))
    for kind in CARE_LISTS:
        wanted, got = set(label.get(kind) or []), set(getattr(care, kind))
        counts = report.care_lists[kind]
        counts.tp += len(wanted & got)
        counts.fn += [f"{case}: {item}" for item in sorted(wanted - got)]
        counts.fp += [f"{case}: {item}" for item in sorted(got - wanted)]
    if label.get("opening_hours") or care.opening_hours:
        ok = same_hours(label.get("opening_hours"), care.opening_hours)
        report.hours.append((f"{case}: label {label.get('opening_hours')!r} got {care.opening_hours!r}", ok))
    wanted_date = (label.get("page_date") or {}).get("date")
    got_date = result.page_date.date if result.page_date else None
    if wanted_date or got_date:
        report.page_dates.append((f"{case}: label {wanted_date} got {got_date}", wanted_date == got_date))
    wanted_unmapped = {u.split(":", 1)[0] + ":" + u.split(":", 1)[1][:40].lower() for u in label.get("unmapped", [])}
    got_unmapped = {u.split(":", 1)[0] + ":" + u.split(":", 1)[1][:40].lower() for u in care.unmapped}
    report.unmapped.tp += len(wanted_unmapped & got_unmapped)
    report.unmapped.fn += [f"{case}: {u}" for u in sorted(wanted_unmapped - got_unmapped)]
    report.unmapped.fp += [f"{case}: {u}" for u in sorted(got_unmapped - wanted_unmapped)]


def _score_prices(report: Report, case: str, want: list[dict], got: list) -> None:
    got_keys = {(p.amount_usd, p.unit, p.sessions) for p in got}
    got_amounts = {p.amount_usd for p in got}
    for price in want:
        amount = float(price["amount_usd"])
        key = (amount, price["unit"], price.get("sessions"))
        report.prices_found.append(amount in got_amounts)
        report.prices_exact.append(key in got_keys)
        if key not in got_keys:
            report.price_misses.append(f"{case}: {key}" + ("" if amount in got_amounts else " (amount not found)"))
    want_amounts = {float(p["amount_usd"]) for p in want}
    report.price_extra += [f"{case}: {(p.amount_usd, p.unit, p.sessions)} <- {p.evidence[:90]}" for p in got
                           if p.amount_usd not in want_amounts]


def format_report(report: Report, show_misses: bool = True) -> str:
    header = f"{'facts':12} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}"
    lines = [f"{report.cases} labelled pages", "", header]
    for kind in KINDS:
        c = report.facts[kind]
        lines.append(f"{kind:12} {c.precision:9.2f} {c.recall:7.2f} {c.tp:4} {len(c.fp):4} {len(c.fn):4}")
    n = report.negations
    lines.append(f"{'negations':12} {n.precision:9.2f} {n.recall:7.2f} {n.tp:4} {len(n.fp):4} {len(n.fn):4}")
    p = report.payers
    lines.append(f"{'payers':12} {p.precision:9.2f} {p.recall:7.2f} {p.tp:4} {len(p.fp):4} {len(p.fn):4}")
    lines += ["", f"{'payment key':18} {'accuracy':>8} {'judged':>7}"]
    for key in PAYMENT_KEYS:
        lines.append(f"{key:18} {report.payment_accuracy(key):8.2f} {len(report.payment.get(key, [])):7}")
    lines += ["", f"prices: recall {report.price_recall:.2f}, exact {report.price_exact:.2f} "
              f"({len(report.prices_found)} labelled, {len(report.price_extra)} extra amounts)"]
    lines += _care_lines(report)
    failures = report.failures()
    lines += ["", "bar: all met" if not failures else "bar missed: " + "; ".join(failures)]
    if show_misses:
        lines += ["", "misses:"]
        for kind in KINDS:
            counts = report.facts[kind]
            lines += [f"  {kind} FP {m}" for m in counts.fp] + [f"  {kind} FN {m}" for m in counts.fn]
        lines += [f"  negation FP {m}" for m in report.negations.fp] + [f"  negation FN {m}" for m in report.negations.fn]
        lines += [f"  payment {text}" for key in PAYMENT_KEYS
                  for text, ok in report.payment.get(key, []) if not ok]
        lines += [f"  payer FP {m}" for m in report.payers.fp] + [f"  payer FN {m}" for m in report.payers.fn]
        lines += [f"  price FN {m}" for m in report.price_misses] + [f"  price FP {m}" for m in report.price_extra]
        lines += [f"  care {text}" for key in CARE_KEYS for text, ok in report.care.get(key, []) if not ok]
        for kind in CARE_LISTS:
            counts = report.care_lists[kind]
            lines += [f"  {kind} FP {m}" for m in counts.fp] + [f"  {kind} FN {m}" for m in counts.fn]
        lines += [f"  hours {text}" for text, ok in report.hours if not ok]
        lines += [f"  page date {text}" for text, ok in report.page_dates if not ok]
        lines += [f"  unmapped FP {m}" for m in report.unmapped.fp] + [f"  unmapped FN {m}" for m in report.unmapped.fn]
    return "\n".join(lines)


def _care_lines(report: Report) -> list[str]:
    if not report.care_cases:
        return []
    share = lambda results: sum(ok for _, ok in results) / len(results) if results else 1.0  # noqa: E731
    lines = ["", f"care facts ({report.care_cases} pages labelled for them)", f"{'care key':22} {'accuracy':>8} "
             f"{'judged':>7}"]
    lines += [f"{key:22} {report.care_accuracy(key):8.2f} {len(report.care.get(key, [])):7}" for key in CARE_KEYS]
    lines += ["", f"{'care list':16} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}"]
    for kind in (*CARE_LISTS, "unmapped"):
        c = report.unmapped if kind == "unmapped" else report.care_lists[kind]
        lines.append(f"{kind:16} {c.precision:9.2f} {c.recall:7.2f} {c.tp:4} {len(c.fp):4} {len(c.fn):4}")
    lines += [f"opening hours: {share(report.hours):.2f} of {len(report.hours)} judged; "
              f"page dates: {share(report.page_dates):.2f} of {len(report.page_dates)} judged"]
    return lines
