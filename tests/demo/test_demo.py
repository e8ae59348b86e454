import json

import pytest
from django.core.management import CommandError, call_command

from xinyong.core.identifiers import parse_any
from xinyong.demo import generator
from xinyong.demo.generator import City, Size
from xinyong.journal.services import verify
from xinyong.subjects.models import Base, FormerName, Organisation, Subject
from xinyong.subjects.search import search_organisations

TINY = Size(enterprises=300, non_enterprises=60, persons=1_500)


def test_generated_identifiers_are_valid_unique_and_qingdao():
    subjects = list(City(seed=7).subjects(TINY))
    codes = [s.code for s in subjects]
    assert len(set(codes)) == len(codes) == 1_860
    for subject in subjects:
        ident = parse_any(subject.code)
        assert (ident.subject_base, ident.subject_type or "自然人") == \
               (subject.base, subject.subject_type)
        assert subject.division.startswith("3702")
        assert all("\u4e00" <= ch <= "\u9fff" for ch in subject.name[:2])


def test_same_seed_same_city():
    first = [(s.code, s.name) for s in City(seed=3).subjects(TINY)]
    assert first == [(s.code, s.name) for s in City(seed=3).subjects(TINY)]
    assert first != [(s.code, s.name) for s in City(seed=4).subjects(TINY)]


@pytest.mark.django_db(transaction=True)
def test_build_command_loads_catalog_subjects_and_logins(monkeypatch, settings, tmp_path,
                                                         capsys):
    settings.VAR_DIR = tmp_path
    monkeypatch.setitem(generator.SIZES, "small", TINY)
    call_command("demo", "build", "--size", "small", "--seed", "11", "--no-progress")
    out = capsys.readouterr().out
    assert "built 1860 subjects" in out and "officer" in out
    # The departments' files also name a few enterprises from other cities: collection
    # registers them as new subjects.
    built = Subject.objects.filter(division__startswith="3702")
    assert built.filter(base=Base.PERSON).count() == 1_500
    assert built.filter(base=Base.ENTERPRISE).count() == 300
    assert Organisation.objects.filter(subject__in=built).count() == 360
    assert "resubmission: scjgj XZCF-" in out and "  XZCF " in out
    renamed = FormerName.objects.filter(subject__in=built)
    assert renamed.count() >= 1  # every 200th company changed its name
    former = renamed.first()
    assert [h.subject for h in search_organisations(former.name).hits] == [former.subject]
    assert verify().ok
    logins = json.loads((tmp_path / "demo-logins.json").read_text())["logins"]
    assert {login["username"] for login in logins} == {"admin", "officer", "checker", "auditor"}
    with pytest.raises(CommandError, match=r"already holds 18\d\d subjects"):
        call_command("demo", "build", "--size", "small", "--no-progress")
