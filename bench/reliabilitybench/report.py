"""The reliability figures: what was measured, which must be zero, and how they are printed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int
    must_be_zero: bool = False

    @property
    def bad(self) -> bool:
        return self.must_be_zero and self.value != 0


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)

    def add(self, key: str, label: str, value: int, *, must_be_zero: bool = False) -> None:
        self.figures.append(Figure(key, label, value, must_be_zero))

    @property
    def bad(self) -> list[Figure]:
        return [figure for figure in self.figures if figure.bad]


PARTS = {
    "hostile": "1. hostile input (engine and Telegram renderer)",
    "faults": "2. Telegram faults: 429, 500, dropped connections, lost answers (polling)",
    "kill": "3. kill -9 mid-run and restart (python -m bot run, SQLite)",
}


def print_report(report: Report, quick: bool, seed: int) -> None:
    for finding in report.findings:
        print(finding)
    print()
    print(f"civicbot reliability ({'quick' if quick else 'full'} run, seed {seed})")
    width = max((len(figure.label) for figure in report.figures), default=20)
    part = ""
    for figure in report.figures:
        if figure.key.split(".")[0] != part:
            part = figure.key.split(".")[0]
            print(f" {PARTS[part]}")
        mark = "  <-- must be 0" if figure.bad else ""
        print(f"  {figure.label:<{width}}  {figure.value:>7}{mark}")
    timing = ", ".join(f"{name} {seconds:.0f}s" for name, seconds in report.seconds.items())
    print(f"  time: {timing}")
    print("  result:", "FAIL" if report.bad else "ok")


def as_json(report: Report) -> dict[str, Any]:
    return {
        "figures": {figure.key: figure.value for figure in report.figures},
        "bad": [figure.key for figure in report.bad],
        "seconds": report.seconds,
        "findings": report.findings,
    }
