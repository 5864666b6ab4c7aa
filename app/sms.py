"""Text messages to mobile numbers through a pluggable sender.

`SMS_SENDER` chooses it: "log" writes each message to the application log
(development), "memory" keeps them in `outbox(app)` (tests and demos), and
"package.module:name" names a provider's callable `(app, mobile, text)` (a
gateway account of the deployment). Unset, text messages are off and the pages
that could send one say what else to do.
"""
import importlib

from flask import current_app


def _log_sender(app, mobile, text):
    app.logger.warning("SMS to %s: %s", mobile, text)


def _memory_sender(app, mobile, text):
    outbox(app).append((mobile, text))


BUILT_IN = {"log": _log_sender, "memory": _memory_sender}


def outbox(app):
    """Messages the "memory" sender kept: [(mobile, text)]."""
    return app.extensions.setdefault("sms_outbox", [])


def _sender(app):
    name = app.config.get("SMS_SENDER") or ""
    if not name:
        return None
    if name in BUILT_IN:
        return BUILT_IN[name]
    module, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module), attribute)


def enabled():
    return _sender(current_app) is not None


def send(mobile, text):
    """Send `text` to `mobile`; False when no sender is configured."""
    sender = _sender(current_app)
    if sender is None:
        return False
    sender(current_app._get_current_object(), mobile, text)
    return True
