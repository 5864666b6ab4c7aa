"""The apprenticeship blueprint's pages, one module per topic."""
from app.apprenticeship import views_agreements, views_assessment, views_commendation, views_dashboard  # noqa: F401
from app.apprenticeship import views_logs, views_pairing, views_programmes, views_public, views_register  # noqa: F401
from app.apprenticeship import views_stipends, views_votes  # noqa: F401
