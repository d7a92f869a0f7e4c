"""Measure the extractor on the labelled corpus (tests/corpus/*/NNN_name.{html,txt} + NNN_name.json).

Scoring (docs/extraction.md, "Reading make eval"): precision and recall count facts with value true against
facts labelled true; a stated "no" is scored on its own (negations); payment keys are tri-state and scored where
either the label or the extractor says something; a price is found when its amount appears, exact when amount,
unit and package size all match.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from clinics.flatten import flatten_html
from parsers.extract import extract_page
from parsers.facts import Care
from parsers.hours import same_hours
from parsers.kinds import CARE_KEYS, PAYMENT_KEYS

KINDS = ("routes", "services", "conditions")
# (precision, recall), held by every set on its own, not only pooled
BARS = {"routes": (0.95, 0.90), "conditions": (0.95, 0.90), "services": (0.90, 0.85), "negations": (0.90, 0.75)}
PAYMENT_BAR = 0.90
CARE_BAR = 0.90
PRICE_RECALL_BAR = 0.90
NON_PRICES_BAR = 3  # amounts taken for prices that are not, per set
CARE_LISTS = tuple(Care.LISTS.values())


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
    def payment_overall(self) -> float:
        results = [ok for key in PAYMENT_KEYS for _, ok in self.payment.get(key, [])]
        return sum(results) / len(results) if results else 1.0

    @property
    def care_overall(self) -> float:
        results = [ok for key in CARE_KEYS for _, ok in self.care.get(key, [])]
        return sum(results) / len(results) if results else 1.0

    @property
    def price_recall(self) -> float:
        return sum(self.prices_found) / len(self.prices_found) if self.prices_found else 1.0

    @property
    def price_exact(self) -> float:
        return sum(self.prices_exact) / len(self.prices_exact) if self.prices_exact else 1.0

    def failures(self) -> list[str]:
        """Which bars this group misses (empty when all are met); figures are compared unrounded."""
        out = []
        for kind, (p_bar, r_bar) in BARS.items():
            counts = self.negations if kind == "negations" else self.facts[kind]
            if counts.precision < p_bar or counts.recall < r_bar:
                out.append(f"{kind}: precision {counts.precision:.3f} (bar {p_bar}), recall {counts.recall:.3f} "
                           f"(bar {r_bar})")
        for key in PAYMENT_KEYS:
            if self.payment_accuracy(key) < PAYMENT_BAR:
                out.append(f"payment {key}: accuracy {self.payment_accuracy(key):.3f} (bar {PAYMENT_BAR})")
        for key in CARE_KEYS:
            if self.care_accuracy(key) < CARE_BAR:
                out.append(f"care {key}: accuracy {self.care_accuracy(key):.3f} (bar {CARE_BAR})")
        if self.price_recall < PRICE_RECALL_BAR:
            out.append(f"prices: recall {self.price_recall:.3f} (bar {PRICE_RECALL_BAR})")
        if len(self.price_extra) > NON_PRICES_BAR:
            out.append(f"non-prices taken: {len(self.price_extra)} (bar {NON_PRICES_BAR})")
        return out


SEALED = "sealed"  # sets held back from tuning ("sealed", "sealed-2"...): their figures are printed, their misses not


def is_sealed(name: str) -> bool:
    """A set, or a group of it ("sealed as text"), that is never tuned on."""
    return name.startswith(SEALED)


@dataclass(frozen=True)
class Case:
    """One page scored once: a labelled page as written, or an HTML page in its flattened text form."""

    set_name: str
    page: Path
    label_file: Path
    flattened: bool = False

    @property
    def name(self) -> str:
        return f"{self.page.stem} (text)" if self.flattened else self.page.stem

    @property
    def group(self) -> str:
        """The row it is reported in: its set, and "<set> as text" for flattened HTML pages."""
        return f"{self.set_name} as text" if self.flattened else self.set_name

    def content(self) -> str:
        raw = self.page.read_text(encoding="utf-8")
        return flatten_html(raw) if self.flattened else raw


def corpus_cases(root: Path) -> list[Case]:
    """Every labelled page under root, by set (its folder); an HTML page whose label has "text_form": true is
    also scored as the plain text a reader copies out of a browser."""
    cases = []
    for label in sorted(root.glob("*/*.json")):
        page = next((p for p in (label.with_suffix(".html"), label.with_suffix(".txt")) if p.exists()), None)
        if not page:
            continue
        cases.append(Case(label.parent.name, page, label))
        if page.suffix == ".html" and json.loads(label.read_text()).get("text_form"):
            cases.append(Case(label.parent.name, page, label, flattened=True))
    return cases


@dataclass
class Evaluation:
    """Reports by group (each set, and each set's flattened pages), so no set hides behind another."""

    groups: dict[str, Report] = field(default_factory=dict)
    tuned: Report = field(default_factory=Report)  # every group but the sealed ones, pooled, for the detail

    @property
    def cases(self) -> int:
        return sum(r.cases for r in self.groups.values())

    def failures(self, include_sealed: bool = False) -> list[str]:
        return [f"{group}: {miss}" for group, report in self.groups.items()
                if include_sealed or not is_sealed(group) for miss in report.failures()]


def evaluate(root: Path) -> Evaluation:
    evaluation = Evaluation()
    for case in corpus_cases(root):
        label = json.loads(case.label_file.read_text())
        report = evaluation.groups.setdefault(case.group, Report())
        result = extract_page(case.content(), url=label.get("url"))
        score_case(report, case.name, label, result)
        if not is_sealed(case.set_name):
            score_case(evaluation.tuned, f"{case.group}/{case.name}", label, result)
    evaluation.groups = dict(sorted(evaluation.groups.items(), key=lambda kv: (is_sealed(kv[0]), kv[0])))
    return evaluation


def score_case(report: Report, name: str, label: dict, result) -> None:
    """Score one page's extraction against its labels. The page's URL is the one it would really have on its
    site (the label's "url"), never one made from its labelled page type, so no label leaks into the input."""
    report.cases += 1
    _score_facts(report, name, label, result)
    _score_payment(report, name, label, result.payment)
    _score_prices(report, name, label.get("prices", []), result.prices)
    if "care" in label:
        _score_care(report, name, label, result)


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


def share(x: float) -> str:
    """A figure cut, not rounded, to two places: 0.947 prints 0.94, so a printed figure never hides a miss."""
    return f"{math.floor(x * 100 + 1e-9) / 100:.2f}"


def format_evaluation(evaluation: Evaluation, show_misses: bool = True, unseal: bool = False) -> str:
    """One line of figures per group (sealed last), then the detail and misses of the tuned groups."""
    header = (f"{'set':18} {'pages':>5}  {'routes P/R':>11}  {'conditions P/R':>14}  {'services P/R':>12}  "
              f"{'negations P/R':>13}  {'payment':>7}  {'prices':>6}  {'non-prices':>10}  {'care':>5}")
    lines = [header]
    for group, r in evaluation.groups.items():
        pr = lambda c: f"{share(c.precision)} / {share(c.recall)}"  # noqa: E731
        lines.append(f"{group:18} {r.cases:5}  {pr(r.facts['routes']):>11}  {pr(r.facts['conditions']):>14}  "
                     f"{pr(r.facts['services']):>12}  {pr(r.negations):>13}  {share(r.payment_overall):>7}  "
                     f"{share(r.price_recall):>6}  {len(r.price_extra):>10}  "
                     f"{share(r.care_overall) if r.care_cases else '-':>5}")
    lines += ["", "payment: share of payment keys right where the label or the extractor says something; prices: "
              "recall of labelled amounts; non-prices: amounts taken that are no labelled price",
              f"groups named '{SEALED}' were never tuned on: figures only"]
    failures = evaluation.failures()
    lines += ["", "bar: all met on the tuned sets" if not failures else "bar missed: " + "; ".join(failures)]
    sealed_failures = [f for f in evaluation.failures(include_sealed=True) if is_sealed(f)]
    if sealed_failures:
        lines.append(f"{SEALED} (not a test): " + "; ".join(sealed_failures))
    lines += ["", "tuned sets pooled:", format_report(evaluation.tuned, show_misses=show_misses)]
    if unseal:
        for group, report in evaluation.groups.items():
            if is_sealed(group):
                lines += ["", f"{group} (unsealed):", format_report(report, show_misses=show_misses)]
    return "\n".join(lines)


def format_report(report: Report, show_misses: bool = True) -> str:
    header = f"{'facts':12} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}"
    lines = [f"{report.cases} labelled pages", "", header]
    for kind in KINDS:
        c = report.facts[kind]
        lines.append(f"{kind:12} {share(c.precision):>9} {share(c.recall):>7} {c.tp:4} {len(c.fp):4} {len(c.fn):4}")
    n = report.negations
    lines.append(f"{'negations':12} {share(n.precision):>9} {share(n.recall):>7} {n.tp:4} {len(n.fp):4} {len(n.fn):4}")
    p = report.payers
    lines.append(f"{'payers':12} {share(p.precision):>9} {share(p.recall):>7} {p.tp:4} {len(p.fp):4} {len(p.fn):4}")
    lines += ["", f"{'payment key':18} {'accuracy':>8} {'judged':>7}"]
    for key in PAYMENT_KEYS:
        lines.append(f"{key:18} {share(report.payment_accuracy(key)):>8} {len(report.payment.get(key, [])):7}")
    lines += ["", f"prices: recall {share(report.price_recall)}, exact {share(report.price_exact)} "
              f"({len(report.prices_found)} labelled, {len(report.price_extra)} extra amounts)"]
    lines += _care_lines(report)
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
    right = lambda results: sum(ok for _, ok in results) / len(results) if results else 1.0  # noqa: E731
    lines = ["", f"care facts ({report.care_cases} pages labelled for them)", f"{'care key':22} {'accuracy':>8} "
             f"{'judged':>7}"]
    lines += [f"{key:22} {share(report.care_accuracy(key)):>8} {len(report.care.get(key, [])):7}" for key in CARE_KEYS]
    lines += ["", f"{'care list':16} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}"]
    for kind in (*CARE_LISTS, "unmapped"):
        c = report.unmapped if kind == "unmapped" else report.care_lists[kind]
        lines.append(f"{kind:16} {share(c.precision):>9} {share(c.recall):>7} {c.tp:4} {len(c.fp):4} {len(c.fn):4}")
    lines += [f"opening hours: {share(right(report.hours))} of {len(report.hours)} judged; "
              f"page dates: {share(right(report.page_dates))} of {len(report.page_dates)} judged"]
    return lines
