"""The innovation blueprint's pages, one module per topic."""
from app.innovation import views_programmes  # noqa: F401
from app.innovation import views_reports, views_evaluation, views_assessment  # noqa: F401
