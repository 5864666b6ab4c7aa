"""The innovation blueprint's pages, one module per topic."""
from app.innovation import views_programmes  # noqa: F401
from app.innovation import views_studios, views_publicity  # noqa: F401
