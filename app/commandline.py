"""What the modules' `flask …` commands share: a file from disk read like an upload, and the
interface's default language for their messages (there is no request to choose one)."""
import io
from pathlib import Path

from flask import current_app
from flask_babel import force_locale


class FileUpload(io.BytesIO):
    """A file read from disk, shaped like an upload for excel.check_upload."""

    def __init__(self, path):
        super().__init__(Path(path).read_bytes())
        self.filename = Path(path).name


def default_locale():
    return force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh"))
