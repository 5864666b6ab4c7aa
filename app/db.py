"""Database base class: constraint naming convention, UTC timestamps, common mixins."""
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints make migrations identical on SQLite (batch mode) and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow():
    return datetime.now(timezone.utc)


class UTCDateTime(sa.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend.

    PostgreSQL keeps the zone (timestamptz); SQLite drops it, so values are
    normalised to UTC on the way in and marked UTC on the way out.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use aware UTC datetimes")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


def str_enum(enum_cls, name):
    """A VARCHAR + CHECK enum column type: portable, and easy to migrate."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


def _writing_request():
    from flask import has_request_context, request

    return has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")


def configure_sqlite(engine):
    """Make SQLite behave: foreign keys on, WAL, a busy timeout, and real SAVEPOINTs.

    pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy's documented
    recipe takes over BEGIN so nested transactions work as on PostgreSQL.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A request that writes takes SQLite's write lock before its first read:
        # a deferred transaction that read first cannot upgrade once another
        # writer committed ("database is locked" at once, whatever the busy
        # timeout), whereas BEGIN IMMEDIATE simply waits its turn.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _writing_request() else "BEGIN")


def upsert(session, table, rows, key_columns, update_columns, only_changed_column=None, chunk=5000):
    """INSERT ... ON CONFLICT (key) DO UPDATE, on SQLite and PostgreSQL alike.

    `rows` is one dict or an iterable of dicts (sent in chunks, one executemany
    each). One statement per row, so two concurrent saves of the same key never
    create a duplicate and the later one wins without a lost update. With
    `only_changed_column`, rows whose value there is unchanged are left alone.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only the two supported backends
        raise RuntimeError(f"upsert is not implemented for {dialect}")
    if isinstance(rows, dict):
        statement = insert(table).values(**rows)
        rows = None
    else:
        statement = insert(table)
    where = None
    if only_changed_column is not None:
        where = table.c[only_changed_column] != statement.excluded[only_changed_column]
    statement = statement.on_conflict_do_update(
        index_elements=key_columns,
        set_={column: statement.excluded[column] for column in update_columns},
        where=where,
    )
    if rows is None:
        session.execute(statement)
        return
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            session.execute(statement, batch)
            batch = []
    if batch:
        session.execute(statement, batch)


LOCAL_TIMEZONE = "Asia/Shanghai"


def local_to_utc(value):
    """A naive form datetime, meant in China time, as aware UTC (None stays None)."""
    from zoneinfo import ZoneInfo

    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo(LOCAL_TIMEZONE)).astimezone(timezone.utc)


def utc_to_local(value):
    """Aware UTC → naive China time, to pre-fill a datetime-local input."""
    from zoneinfo import ZoneInfo

    if value is None:
        return None
    return value.astimezone(ZoneInfo(LOCAL_TIMEZONE)).replace(tzinfo=None)


MAX_ID = 2**31 - 1


def database_id(text):
    """An id typed into a form or a cell name: ASCII digits within a database integer, else None."""
    if not text or len(text) > 10 or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
