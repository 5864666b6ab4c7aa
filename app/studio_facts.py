"""Facts about an innovation studio that other modules know (trainees taught, apprentices).

The innovation module pre-fills a studio's annual self-assessment with them but
may not import those modules, and they may not import innovation: both sides
import this registry instead. A module registers a named fact from its hooks:

    studio_facts.provide("trainees", _l("Trainees ..."), count_trainees)

where the function takes a `StudioRef` (plain data: the studio's host unit,
its members' user ids, the year) and returns a number. Facts nobody provides
are simply absent.
"""
from dataclasses import dataclass

_PROVIDERS = {}  # name → (label, function)


@dataclass(frozen=True)
class StudioRef:
    studio_id: int
    host_unit_id: int
    host_unit_path: str | None
    member_user_ids: tuple
    year: int


def provide(name, label, function):
    """Register (or replace) the fact `name`: `function(StudioRef)` → int or Decimal."""
    _PROVIDERS[name] = (label, function)


def names():
    return list(_PROVIDERS)


def label(name):
    found = _PROVIDERS.get(name)
    return found[0] if found else name


def collect(ref):
    """{name: value} of every registered fact for this studio and year."""
    return {name: function(ref) for name, (_label, function) in _PROVIDERS.items()}
