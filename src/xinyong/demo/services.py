"""Building the synthetic city and its demo logins."""

import itertools
import json
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from xinyong.access.services import create_client, create_staff_user
from xinyong.catalog.models import CatalogVersion
from xinyong.catalog.services import load_catalog
from xinyong.subjects.bulk import bulk_register
from xinyong.subjects.models import Base, Subject
from xinyong.subjects.services import update_subject

from .generator import City, Size
from .joint import JointReport, enliven
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

# name, department, scopes: the business system `demo department-system` plays
DEMO_CLIENTS = [
    ("财政局政府采购系统 (demo)", "czj", ("checks:write", "checks:read", "feedback:write")),
]


class AlreadyBuilt(Exception):
    pass


@dataclass
class BuildResult:
    subjects: int
    submissions: SubmissionReport | None
    joint: JointReport | None = None

    def lines(self) -> list[str]:
        """The build report after the subjects: collection, then lists and checks."""
        return [*(self.submissions.lines() if self.submissions else []),
                *(self.joint.lines() if self.joint else [])]


def build_city(size: Size, *, seed: int, progress: Progress | None = None,
               today: date | None = None, submissions: bool = True) -> BuildResult:
    """Load the catalog if needed, stream the city's subjects in atomic batches, then let
    the departments submit their files through collection (`submissions`), and finally
    give the lists console recognitions and the departments a history of checks with
    feedback (`joint.enliven`)."""
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
    if not submissions:
        return BuildResult(total, None)
    report = feed_collection(size, pool, seed=seed, today=today, progress=progress)
    return BuildResult(total, report, enliven(seed=seed, today=today))


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


def create_demo_logins() -> dict:
    """Demo accounts with random passwords, and the finance bureau's procurement system as
    an API client with its token, kept in var/ (mode 0600) so that `make demo` can print
    them and `demo department-system` can call the API:
    {"logins": [{username, password, role, department}], "api_clients": [{id, name,
    department, scopes, token}]}."""
    logins = []
    for username, role, department in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        create_staff_user(username=username, password=password, role=role,
                          department_code=department, actor=ACTOR)
        logins.append({"username": username, "password": password, "role": role,
                       "department": department})
    clients = []
    for name, department, scopes in DEMO_CLIENTS:
        client, token = create_client(name=name, department_code=department, scopes=scopes,
                                      actor=ACTOR)
        clients.append({"id": client.pk, "name": name, "department": department,
                        "scopes": list(scopes), "token": token})
    demo = {"logins": logins, "api_clients": clients}
    path = logins_path()
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(json.dumps(demo, ensure_ascii=False, indent=2))
    return demo


def read_logins() -> dict:
    """What `create_demo_logins` stored (a file from before API clients: logins only)."""
    path = logins_path()
    demo = json.loads(path.read_text()) if path.exists() else {}
    if isinstance(demo, list):
        demo = {"logins": demo}
    return {"logins": demo.get("logins", []), "api_clients": demo.get("api_clients", [])}


def demo_client(department: str = "czj") -> dict | None:
    """The stored demo API client of `department` (its token included), if any."""
    return next((c for c in read_logins()["api_clients"] if c["department"] == department),
                None)
