"""How the review layer's audit events read (marks saved, sheets signed and unlocked)."""
from flask_babel import lazy_gettext as _l

from app import audit_log

audit_log.actions({
    "score.save": _l("Saved a mark"),
    "sheet.sign": _l("Signed a score sheet"),
    "sheet.unlock": _l("Unlocked a score sheet"),
})
audit_log.field("value", _l("Mark"))
audit_log.field("criterion", _l("Criterion"), context=True)
audit_log.field("stage", _l("Stage"), context=True)
audit_log.field("text", _l("Appeal text"))
audit_log.field("resolution", _l("Decision and reason"))
