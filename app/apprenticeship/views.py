"""The apprenticeship blueprint's pages, one module per topic."""
from app.apprenticeship import views_public  # noqa: F401
from app.apprenticeship import views_dashboard  # noqa: F401
