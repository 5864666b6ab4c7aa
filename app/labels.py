"""Label dictionaries for templates, from one context processor.

A label dictionary maps a stored value (usually an enum) to its translated
name: `LEVEL_LABELS[course.level]`. Each module declares its dictionaries once
with `expose(NAME=mapping)` beside its blueprint; every template then sees
them by that name, and no view passes them by hand. Names are global, so they
say whose labels they are (`COMPETITION_STATUS_LABELS`, `JOB_STATUS_LABELS`).
"""
_exposed = {}


def expose(**dictionaries):
    for name, mapping in dictionaries.items():
        if not name.endswith("_LABELS"):
            raise ValueError(f"label dictionary {name!r}: names end in _LABELS")
        if _exposed.get(name, mapping) is not mapping:
            raise ValueError(f"label dictionary {name!r} is exposed twice")
        _exposed[name] = mapping


def init_app(app):
    app.context_processor(lambda: dict(_exposed))
