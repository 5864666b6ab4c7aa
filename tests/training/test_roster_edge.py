"""A roster upload without a file gets a message, and nothing changes."""
from app.training.models import Enrolment


def test_a_roster_upload_without_a_file_is_refused_with_a_message(client, login, db, welding):
    login("staff")
    before = db.session.query(Enrolment).count()
    response = client.post(f"/training/manage/courses/{welding['course'].id}/roster", data={},
                           content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    assert "文件" in response.get_data(as_text=True)
    assert db.session.query(Enrolment).count() == before
