"""The view side of every score grid (judges, experts, evaluation rounds): which cell a form
posts, and saving each changed cell of a whole grid posted without JavaScript.

A cell's input is named ``v-<row id>-<criterion id>``; htmx posts one such field, the
no-JavaScript form posts them all. The rules of a mark stay with the caller's service.
"""
from app.db import database_id
from app.errors import DomainError


def posted_cell(form):
    """(row id, criterion id, typed text) of the one cell a form posts, or None when it is not one."""
    names = [name for name in form if name.startswith("v-")]
    if len(names) != 1:
        return None
    ids = [database_id(part) for part in names[0].split("-")[1:]]
    if len(ids) != 2 or None in ids:
        return None
    return ids[0], ids[1], form[names[0]]


def save_changed(form, rows, criteria, values, save, skip=()):
    """Save every cell whose posted text differs from `values[(row id, criterion id)]`.

    `save(row, criterion, text)` stores one mark or raises DomainError. Returns
    (number saved, {cell: message}, {cell: text as typed}) so the page can show
    each refused cell with what was typed in it.
    """
    count, errors, typed = 0, {}, {}
    for row in rows:
        if row.id in skip:
            continue
        for criterion in criteria:
            name = f"v-{row.id}-{criterion.id}"
            if name not in form:
                continue
            raw, current = form[name], values.get((row.id, criterion.id))
            if raw.strip() == ("" if current is None else f"{current}"):
                continue
            try:
                save(row, criterion, raw)
                count += 1
            except DomainError as error:
                errors[(row.id, criterion.id)] = str(error.message)
                typed[(row.id, criterion.id)] = raw
    return count, errors, typed
