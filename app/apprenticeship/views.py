"""The apprenticeship blueprint's pages, one module per topic."""
from app.apprenticeship import views_pairing, views_programmes, views_public, views_register  # noqa: F401
