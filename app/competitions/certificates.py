"""Award certificates of an event, from its final published snapshot."""
from flask import url_for

from app import pdf
from app.competitions import publishing


def for_event(competition, event):
    """One PDF page per award winner, or None before final publication."""
    snapshot = publishing.latest_snapshot(competition.id, final_only=True)
    if snapshot is None:
        return None
    data = next((e for e in snapshot.data["events"] if e["code"] == event.code), None)
    if data is None:
        return None
    verify_url = url_for("competitions.leaderboard", code=competition.code, event_code=event.code, _external=True)
    issued_on = snapshot.published_at.date()
    certificates = [
        pdf.AwardCertificate(
            number=f"{competition.code.upper()}-{event.code.upper()}-{row['bib']}",
            holder=row["name"] if not row["members"] else f"{row['name']}（{row['members']}）",
            unit=row["unit"],
            competition=str(competition),
            event=event.name,
            award=row["award"],
            rank=row["rank"],
            final_score=row["final"],
            issued_on=issued_on,
            issuer=competition.organisers or str(competition),
            verify_url=verify_url,
            honours=tuple(row["honours"]),
        )
        for row in data["rows"] if row["award"]
    ]
    return pdf.award_certificates(certificates) if certificates else None
