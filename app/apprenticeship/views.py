"""The apprenticeship blueprint's pages, one module per topic."""
from app.apprenticeship import views_assessment, views_dashboard, views_public, views_stipends  # noqa: F401
