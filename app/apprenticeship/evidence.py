"""Which evidence (app.person_facts) closes which kind of goal: the one matching rule."""
from app import person_facts
from app.apprenticeship.models_agreements import GoalKind

CERTIFICATE, COMPETITION, INNOVATION = "training.certificate", "competitions.result", "innovation.award"


def closes(goal, evidence):
    """True when `evidence` (a person_facts.Evidence) achieves `goal`."""
    if goal.kind == GoalKind.CERTIFICATE:
        return evidence.kind == CERTIFICATE
    if goal.kind == GoalKind.COMPETITION:
        return evidence.kind == COMPETITION and evidence.placed
    if goal.kind == GoalKind.INNOVATION:
        return evidence.kind == INNOVATION
    if goal.kind == GoalKind.SKILL_LEVEL:
        # a smaller grade is the more senior one: grade 3 proves a grade-4 target
        return evidence.level is not None and goal.target_level is not None and evidence.level <= goal.target_level
    return False  # independent operation is closed by hand


def of_people(user_ids, since, until):
    """{user id: [Evidence]} between two dates, oldest first; a constant number of queries."""
    found = {}
    for item in person_facts.evidence(user_ids, since, until):
        found.setdefault(item.user_id, []).append(item)
    return found
