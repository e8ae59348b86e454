"""Building the synthetic city and its demo logins."""

import itertools
import json
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from xinyong.access.services import create_staff_user
from xinyong.catalog.models import CatalogVersion
from xinyong.catalog.services import load_catalog
from xinyong.subjects.bulk import bulk_register
from xinyong.subjects.models import Base, Subject
from xinyong.subjects.services import update_subject

from .generator import City, Size
from .submissions import Progress, SubjectPool, SubmissionReport, feed_collection

ACTOR = "system:demo"
BATCH = 10_000

# username, role, department code (see catalog/qingdao/departments.yaml)
DEMO_USERS = [
    ("admin", "credit_centre_admin", None),
    ("officer", "department_data_officer", "scjgj"),
    ("checker", "department_checker", "zjj"),
    ("auditor", "auditor", None),
]


class AlreadyBuilt(Exception):
    pass


@dataclass
class BuildResult:
    subjects: int
    submissions: SubmissionReport | None


def build_city(size: Size, *, seed: int, progress: Progress | None = None,
               today: date | None = None, submissions: bool = True) -> BuildResult:
    """Load the catalog if needed, stream the city's subjects in atomic batches, then let
    the departments submit their files through collection (`submissions`)."""
    if Subject.objects.exists():
        raise AlreadyBuilt(f"the database already holds {Subject.objects.count()} subjects; "
                           "build the demo into a fresh database")
    if not CatalogVersion.objects.exists():
        load_catalog(actor=ACTOR)
    progress = progress or Progress()
    today = today or date.today()
    pool = SubjectPool(seed, today=today)
    progress.start("subjects", size.enterprises + size.non_enterprises + size.persons)
    total = 0
    subjects = City(seed).subjects(size)
    while batch := list(itertools.islice(subjects, BATCH)):
        total += bulk_register(batch, actor=ACTOR, reason=f"synthetic city, seed {seed}")
        pool.offer(batch)
        progress.advance("subjects", len(batch))
    rename_some(seed, today=today)
    report = feed_collection(size, pool, seed=seed, today=today, progress=progress) \
        if submissions else None
    return BuildResult(total, report)


def rename_some(seed: int, *, today: date, every: int = 200) -> int:
    """Every `every`-th company changed its name some time in the last ten years, so search
    has former names (曾用名) to find."""
    city = City(seed + 1)
    ids = Subject.objects.filter(base=Base.ENTERPRISE, subject_type="企业") \
        .order_by("id").values_list("id", flat=True)
    renamed = 0
    for subject in Subject.objects.filter(pk__in=list(ids)[::every]):
        changed = today - timedelta(days=city.rng.randrange(1, 3650))
        update_subject(subject, actor=ACTOR, reason="synthetic city: change of name",
                       changed_on=changed, name=city.organisation_name("企业", "370202"))
        renamed += 1
    return renamed


def logins_path():
    return settings.VAR_DIR / "demo-logins.json"


def create_demo_logins() -> list[dict]:
    """Demo accounts with random passwords, kept in var/ so `make demo` can print them."""
    logins = []
    for username, role, department in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        create_staff_user(username=username, password=password, role=role,
                          department_code=department, actor=ACTOR)
        logins.append({"username": username, "password": password, "role": role,
                       "department": department})
    path = logins_path()
    path.write_text(json.dumps(logins, ensure_ascii=False, indent=2))
    path.chmod(0o600)
    return logins


def read_logins() -> list[dict]:
    path = logins_path()
    return json.loads(path.read_text()) if path.exists() else []
