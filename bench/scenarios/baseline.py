"""The cheapest pages: what the stack itself costs before any real work.

/healthz, the reference for every ratio, is measured by the runner before any
scenario; this adds a rendered Jinja page (base layout, navigation, a form with a
CSRF token, which also writes the session cookie).
"""


def run(ctx):
    return [ctx.measure("login_page", "/login")]
