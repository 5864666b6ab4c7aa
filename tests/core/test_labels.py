"""Label dictionaries reach every template from one context processor."""
import importlib
import re
from pathlib import Path

import pytest

from app import create_app, labels

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _context(app):
    with app.test_request_context("/"):
        context = {}
        app.update_template_context(context)
        return context


def test_every_label_dictionary_a_template_names_is_exposed(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "CACHE_DIR": str(tmp_path)})
    context = _context(app)
    used = {}
    for path in TEMPLATES.rglob("*.html"):
        for name in re.findall(r"\b[A-Z][A-Z_]*_LABELS\b", path.read_text(encoding="utf-8")):
            used.setdefault(name, path.relative_to(TEMPLATES))
    assert used, "the templates use label dictionaries"
    missing = {name: str(where) for name, where in used.items() if name not in context}
    assert not missing
    assert str(context["LEVEL_LABELS"][next(iter(context["LEVEL_LABELS"]))])  # a mapping of names


def test_a_name_cannot_mean_two_dictionaries():
    importlib.import_module("app.training")  # exposes LEVEL_LABELS
    with pytest.raises(ValueError, match="exposed twice"):
        labels.expose(LEVEL_LABELS={"other": "dictionary"})
    with pytest.raises(ValueError, match="_LABELS"):
        labels.expose(LEVELS={})
