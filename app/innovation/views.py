"""The innovation blueprint's pages, one module per topic."""
from app.innovation import views_programmes  # noqa: F401
from app.innovation import views_money, views_dashboard  # noqa: F401
