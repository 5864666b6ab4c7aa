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
    "apprenticeship.assessment.create": _l("Created an apprenticeship assessment round"),
    "apprenticeship.assessment.subjects": _l("Added agreements to an assessment round"),
    "apprenticeship.assessment.seat": _l("Appointed an assessor"),
    "apprenticeship.assessment.close": _l("Closed an assessment round and set the grades"),
    "apprenticeship.stipend.accrue": _l("Accrued the monthly mentoring stipends"),
    "apprenticeship.stipend.settle": _l("Settled a mentoring stipend at the final grade"),
    "apprenticeship.bonus.grant": _l("Granted an outcome bonus to a master"),
})
