"""A person's own data, gathered from every module for "download my data" (PIPL art. 45).

Each module registers a function `sheets(user) -> [excel.Sheet]` with
`provide(name, function)` beside its blueprint; accounts calls `sheets_for(user)`
without importing any module. Sheets contain the person's own records only.
"""
_providers = {}


def provide(name, function):
    _providers[name] = function


def sheets_for(user):
    found = []
    for name in sorted(_providers):
        found.extend(_providers[name](user))
    return found
