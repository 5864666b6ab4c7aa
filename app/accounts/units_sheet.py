"""The optional `units` sheet of the import workbooks (`name`, `parent`): the organisations to create.

`parent` names an organisation already in the database or one listed earlier in the sheet (which
then becomes a district-level union, since it holds organisations); a blank parent makes a
top-level federation; a unit union cannot have organisations below it; a name already in the tree
is kept when it sits under the same parent and refused when it sits elsewhere. One rule for every
module's workbook that creates organisations.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.accounts.models import OrgKind, Organization


@dataclass(eq=False)
class NewOrganization:
    """An organisation the units sheet creates; stands in for it (path included) until written."""

    name: str
    parent: object  # Organization, NewOrganization or None (a federation)
    row: int
    kind: OrgKind = OrgKind.UNIT
    obj: Organization | None = None  # once written

    @property
    def path(self):
        if self.obj is not None:
            return self.obj.path
        return f"{self.parent.path if self.parent is not None else '/'}new-{self.row}/"

    def real(self):
        return self.obj


def real(org):
    """The written Organization of a plan, or the organisation itself."""
    return org.obj if isinstance(org, NewOrganization) else org


def plan(result, existing, planned, fail):
    """Read the sheet's rows into `planned` (name → NewOrganization, in sheet order).

    `existing` maps the names (and short names) the sheet mentions to Organizations in the
    database; `fail(result, row, column, message)` records a refused row.
    """
    seen = {}
    for row, values in result.rows:
        name, parent_name = values["name"], values["parent"]
        if name in seen:
            fail(result, row, "name", _l("appears more than once (row %(row)s)", row=seen[name]))
            continue
        seen[name] = row
        parent = None
        if parent_name:
            parent = planned.get(parent_name) or existing.get(parent_name)
            if parent is None:
                fail(result, row, "parent", _l("is not a known organisation (nor one listed above it)"))
                continue
            if isinstance(parent, Organization) and parent.kind == OrgKind.UNIT:
                fail(result, row, "parent", _l("A unit union cannot have organisations below it."))
                continue
            if isinstance(parent, NewOrganization) and parent.kind == OrgKind.UNIT:
                parent.kind = OrgKind.DISTRICT  # named as a parent: it holds organisations
        found = existing.get(name)
        if found is not None and found.name == name:
            if (found.parent_id or None) != (getattr(parent, "id", None) if parent is not None else None):
                fail(result, row, "name", _l("already exists elsewhere in the union tree"))
            continue  # already there: nothing to create
        planned[name] = NewOrganization(name, parent, row,
                                        kind=OrgKind.FEDERATION if parent is None else OrgKind.UNIT)
