"""Demo organisations, trades and one account per role (a Xuzhou-shaped union)."""
import sqlalchemy as sa

from app.accounts import services
from app.accounts.models import IdentityTag, MembershipStatus, OrgKind, Role, User
from app.extensions import db

# Made-up people for demo and benchmark data (contestants, trainees, judges, contacts).
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰海燕俊峰晓东文斌雪梅立新春华金凤宏伟丹丹"


def person(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))

# name, short name, kind, parent short name
ORGANIZATIONS = [
    ("徐州市总工会", "市总工会", OrgKind.FEDERATION, None),
    ("鼓楼区总工会", "鼓楼区", OrgKind.DISTRICT, "市总工会"),
    ("云龙区总工会", "云龙区", OrgKind.DISTRICT, "市总工会"),
    ("泉山区总工会", "泉山区", OrgKind.DISTRICT, "市总工会"),
    ("铜山区总工会", "铜山区", OrgKind.DISTRICT, "市总工会"),
    ("徐州经济技术开发区总工会", "开发区", OrgKind.DISTRICT, "市总工会"),
    ("徐州和润起重有限公司", "和润起重", OrgKind.UNIT, "铜山区"),
    ("徐工集团工程机械股份有限公司", "徐工机械", OrgKind.UNIT, "开发区"),
    ("徐州重型机械有限公司", "徐州重型", OrgKind.UNIT, "开发区"),
    ("徐州地铁运营有限公司", "徐州地铁", OrgKind.UNIT, "云龙区"),
    ("顺丰速运徐州分公司", "顺丰徐州", OrgKind.UNIT, "云龙区"),
    ("徐州市中心医院", "市中心医院", OrgKind.UNIT, "泉山区"),
    ("徐州市妇幼保健院", "市妇幼", OrgKind.UNIT, "泉山区"),
    ("鼓楼区快递行业联合工会", "快递联合工会", OrgKind.UNIT, "鼓楼区"),
    ("鼓楼区家政服务业联合工会", "家政联合工会", OrgKind.UNIT, "鼓楼区"),
]

# code, name, English name, national occupation code (only where certain)
TRADES = [
    ("HG", "焊工", "Welder", "6-18-02-04"),
    ("DG", "电工", "Electrician", "6-31-01-03"),
    ("DS", "电子商务师", "E-commerce specialist", "4-01-02-02"),
    ("ZB", "互联网营销师（直播销售员）", "Live-streaming sales", "4-01-02-07"),
    ("YY", "育婴员", "Nursery nurse", "4-10-01-02"),
    ("CAD", "CAD绘图员", "CAD draughtsperson", None),
    ("BIM", "建筑信息模型技术员", "BIM technician", "4-04-05-04"),
    ("KD", "快件处理员", "Courier handler", None),
    ("WRJ", "无人机驾驶员", "Drone pilot", None),
    ("HJR", "焊接机器人操作员", "Welding robot operator", None),
    ("JK", "健康管理师", "Health manager", None),
    ("JSY", "机动车驾驶员", "Motor vehicle driver", None),
]

# role, username or mobile, name, organisation short name, tags
ACCOUNTS = [
    (Role.ADMIN, "admin", "系统管理员", "市总工会", ()),
    (Role.STAFF, "staff", "张敏", "市总工会", (IdentityTag.WOMAN,)),
    (Role.JUDGE, "judge", "王建国", "和润起重", ()),
    (Role.CHIEF_JUDGE, "chief", "陈立新", "徐工机械", ()),
    (Role.STUDIO, "studio", "孙晓峰劳模创新工作室", "徐州重型", ()),
    (Role.MENTOR, "mentor", "李长江", "徐工机械", ()),
    (Role.TRAINEE, "13800000001", "魏小红", "顺丰徐州", (IdentityTag.WOMAN, IdentityTag.MIGRANT_WORKER,
                                                    IdentityTag.NEW_EMPLOYMENT_FORM)),
]


class _Bootstrap:
    """The demo loader acts as the system (audit events show 'system')."""

    id = None
    display_name = "system"

    def has_role(self, *names):
        return True


def load(context):
    actor = _Bootstrap()
    orgs = {}
    for name, short, kind, parent in ORGANIZATIONS:
        orgs[short] = services.create_organization(actor, name=name, kind=kind, parent=orgs.get(parent),
                                                   short_name=short)
    trades = {}
    for code, name, name_en, occupation in TRADES:
        trades[code] = services.save_trade(actor, None, code=code, name=name, name_en=name_en,
                                           occupation_code=occupation)
    users, listed = {}, []
    for role, login, name, org, tags in ACCOUNTS:
        is_mobile = login.isdigit()
        user, _ = services.create_user(
            actor, name=name, roles=[role] + ([Role.ADMIN, Role.STAFF] if role == Role.ADMIN else []),
            username=None if is_mobile else login, mobile=login if is_mobile else None,
            organization=orgs[org], password=context["password"], tags=tags,
        )
        user.must_change_password = False
        users[role] = user
        listed.append((role.value, login, name))
    users[Role.TRAINEE].membership_status = MembershipStatus.NONE
    db.session.flush()
    context.update(organizations=orgs, trades=trades, users=users, accounts=listed)


def existing_accounts():
    logins = [login for _, login, _, _, _ in ACCOUNTS]
    found = db.session.scalars(sa.select(User).where(sa.or_(User.username.in_(logins), User.mobile.in_(logins))))
    by_login = {u.login_name: u for u in found}
    return [(role.value, login, by_login[login].name) for role, login, *_ in ACCOUNTS if login in by_login]
