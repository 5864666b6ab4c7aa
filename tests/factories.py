"""factory_boy factories bound to the test session (db.session)."""
import itertools
from functools import lru_cache

import factory
from werkzeug.security import generate_password_hash

from app.accounts.models import Organization, OrgKind, Role, Trade, User
from app.extensions import db

PASSWORD = "password123"
_numbers = itertools.count(1)


@lru_cache(maxsize=1)
def password_hash():
    # Hash once per run: scrypt is deliberately slow.
    return generate_password_hash(PASSWORD)


class Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class OrganizationFactory(Base):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = OrgKind.UNIT
    parent = None

    @factory.post_generation
    def set_path(obj, create, extracted, **kwargs):
        db.session.flush()
        obj.path = f"{obj.parent.path if obj.parent else '/'}{obj.id}/"
        db.session.flush()


class TradeFactory(Base):
    class Meta:
        model = Trade

    code = factory.Sequence(lambda n: f"T{n}")
    name = factory.Sequence(lambda n: f"工种{n}")
    name_en = factory.Sequence(lambda n: f"Trade {n}")


class UserFactory(Base):
    class Meta:
        model = User

    name = factory.Sequence(lambda n: f"用户{n}")
    username = factory.Sequence(lambda n: f"user{n}")
    mobile = factory.LazyFunction(lambda: f"139{next(_numbers):08d}")
    password_hash = factory.LazyFunction(password_hash)

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        obj.set_roles(extracted or [Role.TRAINEE])
        db.session.flush()


def session_identity(user, remember=False):
    """What signing in stores in the cookie: the id of a new server-side session of `user`."""
    from app.accounts import sessions

    sessions.open_session(user, remember=remember)
    return user.get_id()
