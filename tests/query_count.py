"""How many SQL statements one request runs: the heavy pages' constant-query tests."""
from sqlalchemy import event


def count_queries(db, client, url, selects_only=False):
    statements = []
    engine = db.engines[None]

    def listener(conn, cursor, statement, *args):
        if not selects_only or statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200, url
    return len(statements)
