"""The apprenticeship blueprint's pages, one module per topic."""
from app.apprenticeship import views_agreements, views_assessment, views_dashboard, views_logs  # noqa: F401
from app.apprenticeship import views_public, views_stipends  # noqa: F401
