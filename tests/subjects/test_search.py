from datetime import date

import pytest

from xinyong.core.identifiers import make_resident_id, make_uscc
from xinyong.subjects.bulk import BulkSubject, bulk_register
from xinyong.subjects.models import SearchName
from xinyong.subjects.search import CANDIDATES, search_organisations
from xinyong.subjects.services import NewSubject, register_subject, update_subject

pytestmark = pytest.mark.django_db


def org(body: str, name: str):
    return register_subject(NewSubject(code=make_uscc("9", "1", "370212", body), name=name),
                            actor="test")


def names(query: str, **kwargs) -> list[str]:
    return [hit.subject.name for hit in search_organisations(query, **kwargs).hits]


def test_two_characters_find_a_longer_name():
    haier = org("MA00HE01", "青岛海尔智家股份有限公司")
    results = search_organisations("海尔")
    assert [h.subject for h in results.hits] == [haier] and results.total == 1
    assert results.hits[0].tier == "substring" and results.norm == "海尔"


def test_code_in_any_case_with_spaces_and_legacy_codes(company):
    spaced = " ".join(company.code[i:i + 4] for i in range(0, 18, 4)).lower()
    for query in (company.code, spaced, company.code[8:17], "370212000123456"):
        hits = search_organisations(query).hits
        assert [h.subject for h in hits] == [company] and hits[0].tier == "code", query


def test_ranking_exact_then_prefix_then_substring_current_before_former():
    substring = org("MA00RK01", "山东海尔电器有限公司")
    prefix = org("MA00RK02", "海尔电器有限公司青岛分公司")
    exact = org("MA00RK03", "海尔电器有限公司")
    renamed = org("MA00RK04", "海尔电器有限公司黄岛分公司")
    update_subject(renamed, actor="test", reason="rename", name="青岛澳柯玛有限公司",
                   changed_on=date(2024, 1, 1))
    hits = search_organisations("海尔电器有限公司").hits
    assert [h.subject for h in hits] == [exact, prefix, renamed, substring]
    assert [h.tier for h in hits] == ["name", "prefix", "prefix", "substring"]
    assert (hits[2].current, hits[2].name) == (False, "海尔电器有限公司黄岛分公司")


def test_former_names_are_found_and_the_new_name_too():
    subject = org("MA00FN01", "青岛老字号食品厂")
    update_subject(subject, actor="test", reason="rename", name="青岛新食代食品有限公司")
    assert names("老字号") == ["青岛新食代食品有限公司"]
    assert names("新食代") == ["青岛新食代食品有限公司"]
    assert SearchName.objects.filter(subject=subject).count() == 2


def test_width_bracket_and_case_variants_match_each_other():
    org("MA00WR01", "青岛（ABC）国际贸易有限公司")
    for query in ("(abc)", "【ＡＢＣ】", "（Abc）国际", "abc", "ＡＢＣ国际", " A B C "):
        assert names(query) == ["青岛（ABC）国际贸易有限公司"], query
    assert names("ABC)国际") == ["青岛（ABC）国际贸易有限公司"]  # punctuation aside
    assert names("ABC]贸易") == []


def test_like_wildcards_in_the_query_are_literal():
    org("MA00WC01", "青岛百分百科技有限公司")
    assert names("百分%科技") == [] and names("百_百") == []


def test_persons_are_never_found(person):
    register_subject(NewSubject(code=make_resident_id("370202", date(1990, 1, 1), 7),
                                name="海尔明"), actor="test")
    for query in (person.name, person.code, "海尔明", "海尔"):
        assert names(query) == [], query
    assert not SearchName.objects.filter(subject__base="person").exists()


def test_one_character_is_too_short():
    org("MA00TH01", "青岛海尔智家股份有限公司")
    results = search_organisations("海")
    assert results.too_short and results.hits == []
    assert search_organisations("").too_short is False


def test_pagination_and_a_broad_query_is_capped(settings):
    bulk_register([BulkSubject("enterprise", "企业", make_uscc("9", "1", "370212", f"MA{i:06d}"),
                               f"青岛测试{i:04d}科技有限公司", "370212",
                               organisation=("", None, None, "", "", ""))
                   for i in range(45)], actor="test", reason="test")
    first = search_organisations("测试", per_page=20)
    third = search_organisations("测试", page=3, per_page=20)
    assert (first.total, first.pages, len(first.hits), len(third.hits)) == (45, 3, 20, 5)
    assert not set(h.subject.pk for h in first.hits) & set(h.subject.pk for h in third.hits)
    assert search_organisations("测试", page=99).page == 3  # past the end: the last page
    assert not first.more and CANDIDATES >= 1000
