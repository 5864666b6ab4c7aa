"""Evidence about a person that other modules hold: certificates, competition results, awards.

Apprenticeship closes an agreement's goals from it and pays an outcome bonus on it, but may not
import training, competitions or innovation, and they may not import apprenticeship: every side
imports this registry instead. A module registers a kind of evidence from its hooks:

    person_facts.provide("training.certificate", certificates_of)

where the function takes `(user_ids, since, until)` (a collection of user ids and two dates,
inclusive) and returns `Evidence` rows. Kinds nobody provides are simply absent.
"""
from dataclasses import dataclass
from datetime import date

_PROVIDERS = {}  # kind → function


@dataclass(frozen=True)
class Evidence:
    user_id: int
    kind: str  # the provider's kind, e.g. "training.certificate"
    on: date  # when it was earned
    title: str  # what a person reads: "焊工（四级）培训结业证书", "2026 年电工技能竞赛 一等奖"
    ref: str  # a stable reference, e.g. the certificate's public code
    level: int | None = None  # a vocational grade 1–5 the evidence proves, when it proves one
    placed: bool = False  # a competition result that earned an award or a ranked place
    scope: str = ""  # for competitions: "city", "district", … as the provider knows it


def provide(kind, function):
    """Register (or replace) the evidence of `kind`: `function(user_ids, since, until)` → [Evidence]."""
    _PROVIDERS[kind] = function


def kinds():
    return list(_PROVIDERS)


def evidence(user_ids, since, until, kinds=None):
    """Every registered kind's evidence for these people between two dates, oldest first."""
    user_ids = list(user_ids)
    if not user_ids:
        return []
    found = []
    for kind, function in _PROVIDERS.items():
        if kinds is None or kind in kinds:
            found.extend(function(user_ids, since, until))
    return sorted(found, key=lambda e: (e.on, e.kind, e.ref))
