"""Blocks that htmx requests render on their own see the macros they use.

jinja2-fragments renders a block without the template's top-level imports, so a block calling
`field`, `form_errors` or `pager` must import them itself; otherwise an htmx answer (e.g. a refused
ledger entry) is a 500 instead of the form with its message.
"""
import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "innovation"
IMPORT = re.compile(r'{% from "[^"]+" import ([^%]+)%}')
MACROS = ("field", "form_errors", "pager")


def blocks(source):
    for match in re.finditer(r"{% block (\w+) %}", source):
        if match.group(1) in ("title", "content", "head"):
            continue
        depth, i = 1, match.end()
        while depth:
            opening, closing = source.find("{% block", i), source.find("{% endblock", i)
            if opening != -1 and opening < closing:
                depth, i = depth + 1, opening + 8
            else:
                depth, i = depth - 1, closing + 11
        yield match.group(1), source[match.end():i]


def fragments():
    for path in sorted(TEMPLATES.rglob("*.html")):
        for name, body in blocks(path.read_text()):
            yield pytest.param(body, id=f"{path.relative_to(TEMPLATES)}:{name}")


@pytest.mark.parametrize("body", list(fragments()))
def test_a_block_imports_the_macros_it_calls(body):
    imported = {n.strip() for names in IMPORT.findall(body) for n in names.split(",")}
    called = {m for m in MACROS if re.search(rf"(?<![\w.]){m}\(", body)}
    assert called <= imported


def test_a_refused_ledger_entry_answers_htmx_with_the_form(app, db, client, login):
    from tests.innovation.conftest import make_programme

    programme = make_programme()
    login("staff")
    response = client.post(f"/innovation/manage/programmes/{programme.code}/money", headers={"HX-Request": "true"},
                           data={"kind": "payment", "grant_id": "", "entry_date": "", "amount": ""})
    assert response.status_code == 200
    assert 'id="innovation-money-entry"' in response.get_data(as_text=True)
