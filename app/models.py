"""Every domain's models, imported once so metadata (Alembic, tests) sees all tables."""

from app.advancement import models as advancement_models  # noqa: F401
from app.audit import models as audit_models  # noqa: F401
from app.auth import models as auth_models  # noqa: F401
from app.awards import models as awards_models  # noqa: F401
from app.competitions import models as competitions_models  # noqa: F401
from app.judging import models as judging_models  # noqa: F401
from app.orgs import models as orgs_models  # noqa: F401
from app.public import models as public_models  # noqa: F401
from app.rosters import models as rosters_models  # noqa: F401
