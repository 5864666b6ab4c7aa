"""What apprenticeship tells the core: how its audit events read."""
from flask_babel import lazy_gettext as _l

from app import audit_log

audit_log.actions({
    "apprenticeship.import": _l("Imported masters and apprentices"),
    "apprenticeship.programme": _l("Created an apprenticeship programme"),
    "apprenticeship.match": _l("Ran the master–apprentice matching"),
})
