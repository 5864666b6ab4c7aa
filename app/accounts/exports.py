"""Account workbooks: import columns, the template, and exports."""
import io
import re

from flask_babel import lazy_gettext as _l

from app import excel
from app.accounts.models import MEMBERSHIP_LABELS, Role
from app.accounts.services import MOBILE_PATTERN, MIN_PASSWORD_LENGTH, normalise_mobile
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
