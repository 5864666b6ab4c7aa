"""Files of applications: downloads of generated documents and of attachments to those allowed."""
import io

from flask import abort, send_file
from flask_login import current_user

from app.access import require, signed_in
from app.extensions import db
from app.innovation import applications, bp, files
from app.innovation.models import Attachment


def download(data, name, mimetype):
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.route("/attachments/<int:attachment_id>")
@signed_in
def attachment(attachment_id):
    """An application's attachment: its applicant, staff over its unit, and its panel's experts."""
    found = db.session.get(Attachment, attachment_id)
    if found is None:
        abort(404)
    require(applications.can_view(current_user, found.application))
    return files.send(found.storage_key, found.filename, found.content_type)
