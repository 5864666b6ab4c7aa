"""Uploaded files (application attachments, report receipts): checked, stored, served.

Accepted: PDF, PNG, JPEG and xlsx, recognised by their first bytes, not by the
name or the browser's content type, up to ATTACHMENT_MAX_MB. Files live under
UPLOAD_DIR (outside static/) with a random name; the uploaded name is kept only
for display and for the download's Content-Disposition. Serving is always an
attachment (never rendered inline by the browser), after the caller's view has
checked who may read it.
"""
import hashlib
import os
import secrets
from dataclasses import dataclass

from flask import abort, current_app, send_file
from flask_babel import lazy_gettext as _l

from app.errors import DomainError

# (first bytes, content type, the extensions a name may carry)
KINDS = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
)


@dataclass(frozen=True)
class StoredFile:
    filename: str
    content_type: str
    size: int
    storage_key: str
    sha256: str


def _folder():
    folder = current_app.config["UPLOAD_DIR"]
    os.makedirs(folder, exist_ok=True)
    return folder


def _display_name(raw):
    """The uploaded name without any directory part or control characters, at most 200 characters."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[-200:] or "file"


def check(storage):
    """(bytes, content type, display name) of a valid upload; DomainError with the reason otherwise."""
    name = _display_name(getattr(storage, "filename", ""))
    if not getattr(storage, "filename", ""):
        raise DomainError(_l("Please choose a file to upload."), "file")
    limit = int(current_app.config.get("ATTACHMENT_MAX_MB", 8)) * 1024 * 1024
    data = storage.read(limit + 1)
    if not data:
        raise DomainError(_l("The file is empty."), "file")
    if len(data) > limit:
        raise DomainError(_l("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024)), "file")
    for magic, content_type, extensions in KINDS:
        if data.startswith(magic):
            if not name.lower().endswith(extensions):
                raise DomainError(_l("The file's name does not match its contents; upload PDF, JPG, PNG or "
                                     "Excel (.xlsx) files."), "file")
            return data, content_type, name
    raise DomainError(_l("Upload PDF, JPG, PNG or Excel (.xlsx) files only."), "file")


def save(storage):
    """Check and store an upload; returns its StoredFile. Call before writing the row that names it."""
    data, content_type, name = check(storage)
    key = secrets.token_hex(16)
    path = os.path.join(_folder(), key)
    with open(path, "xb") as target:
        target.write(data)
    return StoredFile(name, content_type, len(data), key, hashlib.sha256(data).hexdigest())


def discard(storage_key):
    """Remove a stored file (its row is gone, or the transaction that named it failed)."""
    try:
        os.remove(os.path.join(_folder(), storage_key))
    except FileNotFoundError:
        pass


def send(storage_key, filename, content_type):
    """The stored file as a download (Content-Disposition: attachment), or 404 when it is missing."""
    path = os.path.join(_folder(), storage_key)
    if not storage_key.isalnum() or not os.path.exists(path):
        abort(404)
    response = send_file(path, mimetype=content_type, as_attachment=True, download_name=filename,
                         max_age=0, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
