"""The training blueprint's routes, one module per job."""
from app.training import (  # noqa: F401
    views_catalog,
    views_certificates,
    views_classroom,
    views_dashboard,
    views_manage,
)
