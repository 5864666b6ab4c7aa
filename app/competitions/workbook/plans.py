"""What each record will be once the import is written: plans built from the file and the database."""
from dataclasses import dataclass, field
from decimal import Decimal


from app import excel
from app.accounts.models import OrgKind, Organization, User
from app.competitions.models import Competition, Criterion, CriterionKind, Entry, Event, PanelMember, Stage
from app.competitions.workbook.columns import ZERO
from app.review.conflict import conflicts


# ---- the outcome


@dataclass
class ImportOutcome:
    ok: bool = False
    competition: Competition | None = None
    created_accounts: list = field(default_factory=list)  # [(user, initial password)]
    counts: dict = field(default_factory=dict)  # events, stages, criteria, entries, judges, scores, measurements
    results: list = field(default_factory=list)  # ReadResults, for excel.error_report
    sha256: str = ""

    @property
    def problems(self):
        """[(sheet, row, message)] in sheet order, for display."""
        return [(r.sheet, e.row, str(e)) for r in self.results for e in sorted(r.errors, key=lambda e: e.row)]

    def report(self):
        """The uploaded rows with each problem marked (xlsx bytes)."""
        return excel.error_report(self.results)


# ---- plans: what each record will be once the import is written


@dataclass(eq=False)
class _UnitPlan:
    """A unit union the units sheet creates; stands in for its Organization until it is written.

    Its path is its parent's with a placeholder, so the conflict-of-interest rule
    (a prefix test on paths) holds for it already: a judge of the parent union
    conflicts with its entries.
    """

    name: str
    short_name: str | None
    parent: "Organization | _UnitPlan | None"  # None: a top-level federation
    row: int
    obj: Organization | None = None
    kind: OrgKind = OrgKind.UNIT

    @property
    def path(self):
        if self.obj is not None:
            return self.obj.path
        return f"{self.parent.path if self.parent is not None else '/'}new-{self.row}/"

    @property
    def id(self):
        return self.obj.id if self.obj is not None else None


def real_unit(unit):
    """The Organization behind a unit of a plan (a new unit's once written)."""
    return unit.obj if isinstance(unit, _UnitPlan) else unit


@dataclass(eq=False)
class _StagePlan:
    code: str
    position: int
    existing: Stage | None = None
    row: int | None = None
    name: str = ""
    weight: Decimal = ZERO
    advance_count: int | None = None
    changed: bool = False
    obj: Stage | None = None


@dataclass(eq=False)
class _CriterionPlan:
    code: str
    stage_code: str
    kind: CriterionKind
    max_mark: Decimal
    existing: Criterion | None = None
    row: int | None = None
    name: str = ""
    changed: bool = False
    obj: Criterion | None = None


@dataclass(eq=False)
class _EntryPlan:
    bib: str
    unit: Organization
    existing: Entry | None = None
    row: int | None = None
    name: str = ""
    members: str = ""
    stopped_at: int | None = None  # position of the stage the entry stopped at
    changed: bool = False
    id: int | None = None


@dataclass(eq=False)
class _NewUser:
    username: str
    name: str
    unit: Organization | None
    roles: set = field(default_factory=set)
    obj: User | None = None


@dataclass(eq=False)
class _MemberPlan:
    key: str  # username, lower case
    chief: bool
    unit: Organization | None  # the judge's organisation: the account's, or a new account's row
    user: User | None = None  # existing account
    new_user: _NewUser | None = None
    existing: PanelMember | None = None
    row: int | None = None
    obj: PanelMember | None = None

    @property
    def user_id(self):
        return self.user.id if self.user is not None else self.new_user.obj.id

    def conflicts_with(self, entry):
        return conflicts(self.unit, entry.unit)  # the review layer's one rule, as in the grid


@dataclass(eq=False)
class _EventPlan:
    code: str
    existing: Event | None = None
    row: int | None = None
    values: dict | None = None  # for services.save_event
    changed: bool = False
    awards: str | None = None  # normalised spec, when the tiers change
    prizes: dict | None = None  # tier name -> (prize, per-rank text), from the awards sheet
    awards_row: int | None = None  # the events row whose awards column set the tiers
    awards_sheet_row: int | None = None  # the first awards-sheet row of the tiers, when they change there
    stages: dict = field(default_factory=dict)
    criteria: dict = field(default_factory=dict)
    entries: dict = field(default_factory=dict)
    panel: dict = field(default_factory=dict)
    obj: Event | None = None

    @property
    def entry_type(self):
        return self.values["entry_type"] if self.values else self.existing.entry_type

    @property
    def team_size(self):
        return self.values["team_size"] if self.values else self.existing.team_size

    @property
    def chief(self):
        return next((m for m in self.panel.values() if m.chief), None)
