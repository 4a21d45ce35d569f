"""Imports every model so Alembic and the app see the whole schema."""
from .activities.models import Activity, ActivitySignup  # noqa: F401
from .audit.models import AuditLog  # noqa: F401
from .auth.models import LoginSession, User  # noqa: F401
from .certificates.models import Certificate  # noqa: F401
from .checkin.models import Checkin  # noqa: F401
from .figures import DataVersion, RecordTally  # noqa: F401
from .hours.models import MonthLock, RecordRequest, ServiceRecord  # noqa: F401
from .imports.models import ImportBatch  # noqa: F401
from .integrity.models import IntegrityReview  # noqa: F401
from .joining.models import TeamApplication  # noqa: F401
from .merits.models import Commendation, Evaluation, Training, TrainingAttendance  # noqa: F401
from .national.models import NationalBatch, NationalBatchFile, NationalCodeMap, NationalExported  # noqa: F401
from .settings import Setting  # noqa: F401
from .positions.models import Position  # noqa: F401
from .teams.models import ServiceCategory, Team, TeamInvitation, TeamMembership  # noqa: F401
from .throttle import Throttle  # noqa: F401
from .volunteers.models import Volunteer  # noqa: F401
