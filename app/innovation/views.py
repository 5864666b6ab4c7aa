"""The innovation blueprint's pages, one module per topic."""
from app.innovation import views_applications, views_experts, views_files, views_programmes  # noqa: F401
from app.innovation import views_assessment, views_contest, views_dashboard, views_evaluation  # noqa: F401
from app.innovation import views_money, views_publicity, views_reports, views_studios  # noqa: F401
