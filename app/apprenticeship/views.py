"""The apprenticeship blueprint's pages, one module per topic."""
from app.apprenticeship import views_agreements, views_logs, views_public  # noqa: F401
