"""The competitions blueprint's routes, one module per audience."""
from app.competitions import views_contestant, views_files, views_judging, views_manage, views_public  # noqa: F401
