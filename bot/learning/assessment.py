"""Scoring headline-rating assessments: discernment and response bias, kept apart.

Some media-literacy interventions make people distrust true news as much as false news. Rating
false headlines lower is only progress if true ones are not rated lower too, so we report
*discernment* (how much more reliable true headlines are rated than false ones) separately from
*bias* (how sceptical the learner is overall), in two ways each:

- on the rating scale (1-7): discernment = mean(true) - mean(false); bias = midpoint - mean(all),
  positive when sceptical;
- signal detection: a rating above the midpoint counts as "judged reliable"; hit rate on true
  headlines, false-alarm rate on false ones, with the log-linear correction (add 0.5 to each count
  and 1 to each total) so that perfect scores stay finite; d' = z(H) - z(F) and criterion
  c = -(z(H) + z(F)) / 2, positive when sceptical; and the AUC of the ratings (the chance that a
  random true headline is rated above a random false one, ties counting half), which needs no
  threshold at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist, fmean

SCALE_MIN, SCALE_MAX = 1, 7
MIDPOINT = (SCALE_MIN + SCALE_MAX) / 2


@dataclass(frozen=True)
class Rating:
    accurate: bool
    rating: int


@dataclass(frozen=True)
class Scores:
    mean_true: float
    mean_false: float
    discernment: float
    bias: float
    d_prime: float
    criterion: float
    auc: float


def score(ratings: Sequence[Rating]) -> Scores:
    true = [r.rating for r in ratings if r.accurate]
    false = [r.rating for r in ratings if not r.accurate]
    if not true or not false:
        raise ValueError("scoring needs ratings of both true and false headlines")
    z = NormalDist().inv_cdf
    hits = sum(rating > MIDPOINT for rating in true)
    false_alarms = sum(rating > MIDPOINT for rating in false)
    hit_rate = (hits + 0.5) / (len(true) + 1)
    fa_rate = (false_alarms + 0.5) / (len(false) + 1)
    wins = sum(1.0 if t > f else 0.5 if t == f else 0.0 for t in true for f in false)
    mean_true, mean_false = fmean(true), fmean(false)
    return Scores(
        mean_true=mean_true,
        mean_false=mean_false,
        discernment=mean_true - mean_false,
        bias=MIDPOINT - fmean(true + false),
        d_prime=z(hit_rate) - z(fa_rate),
        criterion=-(z(hit_rate) + z(fa_rate)) / 2,
        auc=wins / (len(true) * len(false)),
    )
