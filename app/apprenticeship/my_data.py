"""A person's own apprenticeship records for "download my data": their register entry or profile,
their preferences and their agreements with goals. Other parts of the module add their own sheets
(logs, assessments, stipends) with `provide()` here, so the one "apprenticeship" provider stays whole."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app import excel
from app.apprenticeship.models import LEVEL_LABELS, ApprenticeProfile, Master, Preference
from app.apprenticeship.models_agreements import (
    AGREEMENT_GRADE_LABELS,
    AGREEMENT_STATUS_LABELS,
    GOAL_KIND_LABELS,
    Agreement,
)
from app.extensions import db

_EXTRA = []  # functions (user) → [excel.Sheet]


def provide(function):
    _EXTRA.append(function)
    return function


def _day(value):
    return value.isoformat() if value else ""


def sheets(user):
    master = db.session.scalar(sa.select(Master).where(Master.user_id == user.id)
                               .options(joinedload(Master.unit), joinedload(Master.trade)))
    profile = db.session.scalar(sa.select(ApprenticeProfile).where(ApprenticeProfile.user_id == user.id)
                                .options(joinedload(ApprenticeProfile.unit), joinedload(ApprenticeProfile.trade)))
    register = []
    if master:
        register.append(["名师 master", master.unit.name, master.trade.name, str(LEVEL_LABELS[master.level]),
                         master.capacity, master.honours, master.studio_name])
    if profile:
        register.append(["徒弟 apprentice", profile.unit.name, profile.trade.name, str(LEVEL_LABELS[profile.level]),
                         "", "", _day(profile.hire_date)])
    if not register:
        return []
    found = [excel.Sheet("师带徒 register", ["身份 as", "单位 unit", "工种 trade", "等级 level", "带徒名额 capacity",
                                            "荣誉 honours", "工作室或入职 studio / hired"], register,
                         widths=[16, 30, 16, 20, 10, 30, 20])]
    if profile:
        preferences = db.session.scalars(sa.select(Preference).where(Preference.apprentice_id == profile.id)
                                         .options(joinedload(Preference.master).joinedload(Master.user))
                                         .order_by(Preference.rank)).all()
        found.append(excel.Sheet("意向师傅 preferences", ["顺位 rank", "师傅 master"],
                                 [[p.rank, p.master.user.display_name] for p in preferences], widths=[8, 20]))
    parties = [Agreement.master_id == master.id] if master else []
    parties += [Agreement.apprentice_id == profile.id] if profile else []
    agreements = db.session.scalars(
        sa.select(Agreement).where(sa.or_(*parties)).order_by(Agreement.starts_on)
        .options(joinedload(Agreement.master).joinedload(Master.user),
                 joinedload(Agreement.apprentice).joinedload(ApprenticeProfile.user),
                 joinedload(Agreement.unit), selectinload(Agreement.goals))).unique().all()
    found.append(excel.Sheet("师徒协议 agreements", ["师傅 master", "徒弟 apprentice", "单位 unit", "开始 starts",
                                                 "结束 ends", "状态 state", "等级 grade", "目标 goals"],
                             [[a.master.user.display_name, a.apprentice.user.display_name, a.unit.name,
                               _day(a.starts_on), _day(a.ends_on), str(AGREEMENT_STATUS_LABELS[a.status]),
                               str(AGREEMENT_GRADE_LABELS[a.grade]) if a.grade else "",
                               "；".join(f"{GOAL_KIND_LABELS[g.kind]}：{g.target}"
                                        f"{'（已达成 ' + _day(g.achieved_on) + '）' if g.achieved_on else ''}"
                                        for g in a.goals)] for a in agreements],
                             widths=[14, 14, 30, 12, 12, 14, 8, 60]))
    for function in _EXTRA:
        found.extend(function(user))
    return found
