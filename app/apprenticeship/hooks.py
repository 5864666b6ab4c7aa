"""What apprenticeship tells the core: its place on the home page and how its audit events read."""
from flask_babel import lazy_gettext as _l

from app import audit_log, navigation

navigation.feature("apprenticeship.index", _l("Masters and apprentices"),
                   _l("Master–apprentice pairing: matching, agreements, monthly logs, assessments, stipends "
                      "and commendations."), order=40)

audit_log.actions({
    "apprenticeship.import": _l("Imported masters and apprentices"),
    "apprenticeship.programme": _l("Created an apprenticeship programme"),
    "apprenticeship.match": _l("Ran the master–apprentice matching"),
    "apprenticeship.agreement.create": _l("Drew up a master–apprentice agreement"),
    "apprenticeship.agreement.renew": _l("Renewed a master–apprentice agreement"),
    "apprenticeship.agreement.state": _l("Moved a master–apprentice agreement to another state"),
    "apprenticeship.programme.edit": _l("Changed an apprenticeship programme's settings"),
    "apprenticeship.programme.status": _l("Moved an apprenticeship programme to its next step"),
    "apprenticeship.pair.accept": _l("Accepted a proposed master–apprentice pair"),
    "apprenticeship.pair.staff_accept": _l("Accepted a two-way pair for the union"),
    "apprenticeship.pair.respond": _l("Accepted a proposed pair as master or apprentice"),
    "apprenticeship.pair.reject": _l("Rejected a proposed master–apprentice pair"),
    "apprenticeship.pair.edit": _l("Gave a proposed pair another master"),
    "apprenticeship.master.edit": _l("Changed a master's record on the register"),
    "apprenticeship.preferences": _l("Chose preferred masters and masters to avoid"),
})
