"""Account workbooks: import columns, the template, and exports."""
import io
import re

from flask_babel import lazy_gettext as _l

from app import excel
from app.accounts.models import IDENTITY_TAG_LABELS, MEMBERSHIP_LABELS, ROLE_LABELS, Role
from app.accounts.services import MOBILE_PATTERN, MIN_PASSWORD_LENGTH, normalise_mobile
from app.db import utc_to_local
from app.extensions import db

# Chinese role names as staff write them in spreadsheets.
ROLE_WORDS = {
    "学员": Role.TRAINEE,
    "评委": Role.JUDGE,
    "裁判": Role.JUDGE,
    "裁判长": Role.CHIEF_JUDGE,
    "评委组长": Role.CHIEF_JUDGE,
    "创新工作室": Role.STUDIO,
    "工作室": Role.STUDIO,
    "导师": Role.MENTOR,
    "师傅": Role.MENTOR,
    "工作人员": Role.STAFF,
    "工会工作人员": Role.STAFF,
    "管理员": Role.ADMIN,
} | {r.value: r for r in Role}


def parse_roles(value):
    words = [w for w in re.split(r"[,，、;；/\s]+", str(value or "").strip()) if w]
    if not words:
        raise ValueError(_l("is required"))
    roles = []
    for word in words:
        role = ROLE_WORDS.get(word.lower()) or ROLE_WORDS.get(word)
        if role is None:
            raise ValueError(_l("“%(word)s” is not a role", word=word))
        roles.append(role)
    return sorted(set(roles))


def parse_mobile(value):
    if value is None or not str(value).strip():
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    mobile = normalise_mobile(str(value))
    if not MOBILE_PATTERN.match(mobile):
        raise ValueError(_l("is not an 11-digit mainland mobile number"))
    return mobile


def parse_password(value):
    if value is None or not str(value).strip():
        return None
    password = str(value).strip()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(_l("must have at least %(n)s characters", n=MIN_PASSWORD_LENGTH))
    return password


USER_COLUMNS = (
    excel.Column("name", "姓名", excel.text(60)),
    excel.Column("username", "用户名", excel.text(40, required=False), required=False),
    excel.Column("mobile", "手机号", parse_mobile),
    excel.Column("roles", "角色", parse_roles),
    excel.Column("organization", "单位", excel.text(120, required=False), required=False),
    excel.Column("password", "初始密码", parse_password, required=False),
)

EXAMPLE_ROWS = [
    ["王建国", "wangjg", "13905161234", "评委", "徐州和润起重有限公司工会", ""],
    ["李秀英", "", "13852001234", "导师", "徐工集团工程机械股份有限公司工会", ""],
]


def user_template():
    return io.BytesIO(excel.template_workbook([("accounts", USER_COLUMNS, EXAMPLE_ROWS)]))


def personal_data_workbook(user, live_sessions):
    """The person's own data: account, sign-in sessions, then each module's sheets (app/personal_data.py)."""
    from app import personal_data

    account = [
        ["姓名 name", user.name], ["手机号 mobile", user.mobile or ""], ["用户名 username", user.username or ""],
        ["单位 organisation", user.organization.name if user.organization else ""],
        ["角色 roles", "、".join(str(ROLE_LABELS[r]) for r in sorted(user.roles))],
        ["身份 identity", "、".join(str(IDENTITY_TAG_LABELS[t]) for t in sorted(user.tags))],
        ["会员状态 membership", str(MEMBERSHIP_LABELS[user.membership_status])],
        ["会员号 member number", user.member_number or ""],
        ["注册时间 registered", _local(user.created_at)], ["最近登录 last sign-in", _local(user.last_login_at)],
    ]
    sessions = [[s.user_agent, s.ip_address, _local(s.created_at), _local(s.last_seen_at)] for s in live_sessions]
    return excel.write_workbook([
        excel.Sheet("账号 account", ["项目 item", "内容 value"], account, widths=[22, 40]),
        excel.Sheet("登录设备 sessions", ["设备 device", "地址 address", "登录 signed in", "最近 last active"],
                    sessions, widths=[50, 16, 18, 18]),
        *personal_data.sheets_for(user),
    ])


def _local(moment):
    return utc_to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def claim_codes_workbook(rows, register_url, valid_days):
    """New roster accounts with their one-time claim codes, for the training base to hand out."""
    how = (f"请把认领码只交给本人。本人打开 {register_url} ，填写姓名、手机号、自设密码和认领码，即可认领账号"
           f"（报名记录和证书都在其中）。认领码 {valid_days} 天内有效，用过即失效。 "
           f"Give each code to its owner only: they open {register_url} and register with their mobile number, "
           f"a password and the code. Codes are valid {valid_days} days and work once.")
    return excel.write_workbook([
        excel.Sheet("claim codes", ["姓名 name", "手机号 mobile", "认领码 claim code"],
                    [list(row) for row in rows], widths=[14, 16, 16]),
        excel.Sheet("说明 how", [how], [], widths=[120]),
    ])


def created_accounts_workbook(created):
    rows = [[u.name, u.username or "", u.mobile or "", "、".join(sorted(u.roles)), password]
            for u, password in created]
    return excel.write_workbook([excel.Sheet(
        "accounts", ["姓名 name", "用户名 username", "手机号 mobile", "角色 roles", "初始密码 initial password"],
        rows, widths=[14, 16, 16, 24, 20])])


def users_workbook(query):
    def rows():
        for user in db.session.scalars(query.execution_options(yield_per=500)):
            yield [
                user.name, user.username or "", user.mobile or "",
                user.organization.name if user.organization else "",
                "、".join(sorted(user.roles)), "、".join(sorted(user.tags)),
                str(MEMBERSHIP_LABELS[user.membership_status]), user.member_number or "",
                "yes" if user.active else "no",
            ]

    headers = ["姓名 name", "用户名 username", "手机号 mobile", "单位 organization", "角色 roles",
               "身份 tags", "会员状态 membership", "会员号 member number", "启用 active"]
    return io.BytesIO(excel.write_workbook([excel.Sheet("accounts", headers, rows(), widths=[12, 14, 14, 30, 20, 20, 12, 16, 8])]))
