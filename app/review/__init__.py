"""The review layer: panels of reviewers scoring entries on weighted criteria.

Every module that has a panel score something (competition judges, innovation
experts, apprenticeship assessors) stands on this package, which owns each rule
once:

- `conflict`     the conflict-of-interest rule, as a Python predicate and as SQL;
- `marks`        parsing and checking a typed or imported mark;
- `models`       column mixins for panel seats, sheets, snapshots and objections;
- `sheets`       a sheet per reviewer × stage: lock, save guard, sign, unlock with a reason;
- `progress`     "3/5 sheets signed" and the like;
- `standings`    per-criterion summaries in SQL, evaluated through `app.scoring`;
- `publication`  provisional publication (公示) with an objection window, objections,
                 frozen snapshots and the version that keys public pages.

A client keeps its own tables (built from the mixins) and its own workflow; it
asks this layer for the rules. The layer imports no domain module.
"""

from app.review import hooks  # noqa: E402,F401  (how its audit events read)
