"""What innovation tells the core: its place on the home page and how its audit events read."""
from flask_babel import lazy_gettext as _l

from app import audit_log, navigation

navigation.feature("innovation.studios", _l("Innovation studios"),
                   _l("Model-worker and worker innovation studios: designation, subsidies and achievement awards."),
                   order=30)

audit_log.actions({
    "innovation.programme.save": _l("Saved an innovation programme"),
    "innovation.programme.status": _l("Moved an innovation programme to another step"),
    "innovation.application.save": _l("Saved an application"),
    "innovation.application.step": _l("Moved an application along the recommendation chain"),
    "innovation.application.propose": _l("Marked or unmarked a proposal"),
    "innovation.panel.save": _l("Changed an expert panel"),
})

audit_log.actions({
    "innovation.studio.save": _l("Saved a studio's details"),
    "innovation.studio.member": _l("Changed a studio's members"),
    "innovation.studio.designation": _l("Recorded a studio designation"),
    "innovation.studio.status": _l("Changed a studio's status"),
    "innovation.studio.leader": _l("Changed a studio's leader"),
    "innovation.holiday.save": _l("Changed the holiday list"),
    "innovation.publicity.open": _l("Published a public notice"),
    "innovation.publicity.close": _l("Closed a public notice"),
    "innovation.objection.lodge": _l("Lodged an objection to a public notice"),
    "innovation.objection.decide": _l("Decided an objection to a public notice"),
})
