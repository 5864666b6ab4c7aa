"""The import's driver: read the sheets, run the planners in order, write in one SAVEPOINT."""
from collections import defaultdict

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import audit, excel
from app.accounts import services as account_services
from app.accounts.models import Organization
from app.competitions import scoresheets, services, stamps
from app.competitions.models import Entry, Measurement, Score
from app.db import upsert, utcnow
from app.errors import DomainError
from app.extensions import db

from app.competitions.workbook import people, scores, structure
from app.competitions.workbook.columns import CHUNK, SHEETS
from app.competitions.workbook.plans import ImportOutcome, real_unit


class Importer:
    """Validates every sheet against the database (the planners), then writes all of it or nothing."""

    def __init__(self, actor, book, sha256, progress=None):
        self.progress = progress or (lambda done, total: None)
        self.actor = actor
        self.book = book
        self.outcome = ImportOutcome(sha256=sha256)
        self.sheets = {}
        self.competition = None
        self.competition_values = {}
        self.competition_changed = False
        self.events = {}  # code -> _EventPlan (file and database)
        self.new_users = {}  # username lower -> _NewUser
        self.new_units = {}  # name -> _UnitPlan (units sheet)
        self.judgement = {}  # (member, entry, criterion) -> (row, value)
        self.measurements = {}  # (event, entry, criterion) -> (row, value)
        self.signed = set()  # (member id, stage id) of the sheets signed when validating
        self.where = (None, None)  # (ReadResult, row) being written, to report a late refusal

    @property
    def ok(self):
        return all(r.ok for r in self.outcome.results)

    @staticmethod
    def fail(result, row, key, message):
        header = next((c.header for c in result.columns if c.key == key), None) if key else None
        result.add_error(row, header, message)

    def run(self):
        if not self.read():
            return self.outcome  # a missing sheet or column: the rest would only repeat it
        rows = sum(len(r.raw) for r in self.outcome.results)
        self.progress(rows // 3, rows)  # read; checking next, then writing
        if not structure.plan_competition(self):
            return self.outcome
        people.plan_units(self)
        structure.plan_events(self)
        structure.plan_stages(self)
        structure.plan_criteria(self)
        structure.plan_awards(self)
        structure.check_schemes(self)
        people.plan_entries(self)
        people.plan_judges(self)
        scores.plan_scores(self)
        if not self.ok:
            return self.outcome
        self.progress(2 * rows // 3, rows)
        try:
            with db.session.begin_nested():
                self.write()
        except (DomainError, IntegrityError) as error:
            result, row = self.where
            result = result or self.sheets["competition"]
            message = error.message if isinstance(error, DomainError) else _l(
                "The database refused the change (was something changed at the same time?); try again.")
            result.add_error(row or 1, None, message)
            self.outcome.created_accounts = []
            self.outcome.competition = None
            return self.outcome
        self.progress(rows, rows)
        self.outcome.ok = True
        return self.outcome

    def read(self):
        """Parse every sheet; False when a sheet or a column is missing altogether."""
        titles = {ws.title.strip().lower(): ws.title for ws in self.book.worksheets}
        for key, spec, columns, required in SHEETS:
            title = titles.get(spec.name.lower()) or titles.get(spec.label)
            if title is None:
                if required:
                    result = excel.ReadResult(sheet=spec.name, columns=columns)
                    result.add_error(1, None, _l("The workbook has no sheet named “%(name)s” (%(label)s).",
                                                 name=spec.name, label=spec.label))
                    self.outcome.results.append(result)
                continue
            try:
                result = excel.read_sheet(self.book, columns, sheet=spec)
            except excel.ExcelError as error:
                result = excel.ReadResult(sheet=title, columns=columns)
                result.add_error(1, None, error.message)
            self.sheets[key] = result
            self.outcome.results.append(result)
        return not any(error.row <= 1 for result in self.outcome.results for error in result.errors)

    def _event(self, result, row, code):
        plan = self.events.get(code)
        if plan is None:
            self.fail(result, row, "event", _l("is not an event of this competition"))
        return plan

    def _organizations(self, names):
        """name or short name -> organisation (or a unit the units sheet creates); None where ambiguous."""
        names = {n for n in names if n}
        if not names:
            return {}
        found, short = {}, defaultdict(list)
        query = sa.select(Organization).where(sa.or_(Organization.name.in_(names), Organization.short_name.in_(names)))
        for org in (*db.session.scalars(query), *self.new_units.values()):
            if org.name in names:
                found[org.name] = org
            if org.short_name in names:
                short[org.short_name].append(org)
        for name, orgs in short.items():
            if name not in found:
                found[name] = orgs[0] if len(orgs) == 1 else None  # None: ambiguous short name
        return found

    def _unit(self, result, row, key, name, units):
        if name not in units:
            self.fail(result, row, key, _l("is not a known organisation"))
            return None
        if units[name] is None:
            self.fail(result, row, key, _l("is the short name of several organisations; use the full name"))
        return units[name]

    def write(self):
        actor, sheets = self.actor, self.sheets
        for unit in self.new_units.values():
            self.where = (sheets["units"], unit.row)
            unit.obj = account_services.create_organization(actor, name=unit.name, kind=unit.kind,
                                                            parent=real_unit(unit.parent), short_name=unit.short_name)
        competition = self.competition
        if self.competition_changed:
            self.where = (sheets["competition"], self.competition_rows.get("code"))
            values = dict(self.competition_values)
            competition = services.save_competition(actor, competition, **values)
        self.outcome.competition = competition
        events = list(self.events.values())
        for event in events:
            event.obj = event.existing
            if event.existing is None:
                self.where = (sheets.get("events"), event.row)
                event.obj = services.save_event(actor, competition, None, **event.values)
        for event in events:
            for stage in event.stages.values():
                stage.obj = stage.existing
                if stage.changed:
                    self.where = (sheets.get("stages"), stage.row)
                    stage.obj = services.save_stage(actor, event.obj, stage.existing, code=stage.code,
                                                    name=stage.name, weight=stage.weight,
                                                    advance_count=stage.advance_count)
            for criterion in event.criteria.values():
                criterion.obj = criterion.existing
                if criterion.changed:
                    self.where = (sheets.get("criteria"), criterion.row)
                    criterion.obj = services.save_criterion(
                        actor, event.stages[criterion.stage_code].obj, criterion.existing, code=criterion.code,
                        name=criterion.name, max_mark=criterion.max_mark, kind=criterion.kind)
            self.where = (sheets.get("events"), event.row)
            if event.existing is not None and event.changed:
                services.save_event(actor, competition, event.existing, **event.values)
            if event.awards is not None:
                if event.awards_sheet_row is not None:
                    self.where = (sheets.get("awards"), event.awards_sheet_row)
                services.set_award_tiers(actor, event.obj, event.awards, prizes=event.prizes)
        created_entries = {}
        for event in events:
            new = []
            for entry in event.entries.values():
                if entry.changed and entry.existing is not None:
                    self.where = (sheets.get("entries"), entry.row)
                    services.save_entry(actor, event.obj, entry.existing, bib=entry.bib, name=entry.name,
                                        unit=real_unit(entry.unit), members=entry.members, user=entry.existing.user)
                elif entry.changed:
                    new.append(entry)
            if new:
                self.where = (sheets.get("entries"), new[0].row)
                self._insert_entries(event, new)
                created_entries[event.code] = [entry.bib for entry in new]
        for new_user in self.new_users.values():
            self.where = (sheets.get("judges"), None)
            new_user.obj, password = account_services.create_user(
                actor, name=new_user.name, roles=sorted(new_user.roles), username=new_user.username,
                organization=real_unit(new_user.unit))
            self.outcome.created_accounts.append((new_user.obj, password))
        for event in events:
            for member in event.panel.values():
                member.obj = member.existing
                if member.existing is None:
                    self.where = (sheets.get("judges"), member.row)
                    user = member.user or member.new_user.obj
                    member.obj = services.assign_judge(actor, event.obj, user, chief=member.chief)
        self.where = (sheets.get("scores"), None)
        self._lock_sheets()
        now = utcnow()
        upsert(db.session, Score.__table__, (
            {"judge_id": member.user_id, "entry_id": entry.id, "criterion_id": criterion.obj.id,
             "value": value, "updated_at": now}
            for (member, entry, criterion), (_, value) in self.judgement.items()
        ), ["judge_id", "entry_id", "criterion_id"], ["value", "updated_at"], only_changed_column="value", chunk=CHUNK)
        entered_by = getattr(actor, "id", None)
        upsert(db.session, Measurement.__table__, (
            {"entry_id": entry.id, "criterion_id": criterion.obj.id, "value": value,
             "entered_by_id": entered_by, "updated_at": now}
            for (_, entry, criterion), (_, value) in self.measurements.items()
        ), ["entry_id", "criterion_id"], ["value", "entered_by_id", "updated_at"], only_changed_column="value",
            chunk=CHUNK)
        stamps.marks_changed(*(event.obj.id for event in events))  # bulk marks bypass the ORM
        counts = self.outcome.counts
        for key in ("events", "stages", "criteria", "entries", "judges"):
            counts[key] = len(sheets[key].rows) if key in sheets else 0
        counts["units"] = len(self.new_units)
        counts["scores"] = len(self.judgement)
        counts["measurements"] = len(self.measurements)
        counts["accounts"] = len(self.outcome.created_accounts)
        audit.record(actor, "competition.import", competition,
                     after={"sha256": self.outcome.sha256, **counts, "entries_created": created_entries})

    def _lock_sheets(self):
        """Lock every sheet the marks go to, as a judge's save does, so none is signed meanwhile."""
        touched = {(member, criterion.stage_code, None) for member, _, criterion in self.judgement}
        touched |= {(event.chief, criterion.stage_code, event) for event, _, criterion in self.measurements
                    if event.chief is not None}
        stage_of = {}
        for event in self.events.values():
            for member in event.panel.values():
                for stage in event.stages.values():
                    stage_of[(member, stage.code)] = stage
        for member, stage_code, _ in touched:
            stage = stage_of[(member, stage_code)]
            sheet = scoresheets.lock_sheet(member.obj, stage.obj)
            if sheet.signed_at is not None and (member.obj.id, stage.obj.id) not in self.signed:
                raise DomainError(_l("A sheet was signed during the import; please import again."))

    def _insert_entries(self, event, new):
        """New entries in bulk: the rules of services.save_entry were checked while planning.

        A thousand entries one by one (a savepoint and a chained audit event each)
        would cost seconds; the import's audit event lists their bibs instead.
        """
        if event.obj.competition.status not in services.ENTRIES_EDITABLE:
            raise DomainError(_l("Entries can no longer change: scoring is closed."))
        now = utcnow()
        rows = [{"event_id": event.obj.id, "bib": e.bib, "name": e.name.strip(), "members": e.members,
                 "unit_id": e.unit.id, "created_at": now, "updated_at": now} for e in new]
        for start in range(0, len(rows), CHUNK):
            db.session.execute(sa.insert(Entry.__table__), rows[start:start + CHUNK])
        ids = dict(db.session.execute(sa.select(Entry.bib, Entry.id).where(Entry.event_id == event.obj.id)).all())
        for entry in new:
            entry.id = ids[entry.bib]
        db.session.expire(event.obj, ["entries"])  # the collection, if loaded, lacks the new rows
