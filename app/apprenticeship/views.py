"""The apprenticeship blueprint's pages, one module per topic."""
from app.apprenticeship import views_commendation, views_public, views_votes  # noqa: F401
