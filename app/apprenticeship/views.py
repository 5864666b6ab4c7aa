"""The apprenticeship blueprint's pages, one module per topic."""
from app.apprenticeship import views_public  # noqa: F401
from app.apprenticeship import views_assessment, views_stipends  # noqa: F401,E402
