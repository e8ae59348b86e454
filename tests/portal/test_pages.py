import pytest

pytestmark = pytest.mark.django_db


def test_home_counts_the_base_databases(client, company, person):
    page = client.get("/").content.decode()
    assert "信用青岛" in page and "自然人" in page and 'name="q"' in page
    assert person.name not in page


def test_search_by_name_fragment_and_code(client, company, person):
    page = client.get("/search/", {"q": "海睿"}).content.decode()
    assert company.name in page and f"/subjects/{company.code}/" in page
    page = client.get("/search/", {"q": company.code.lower()}).content.decode()
    assert company.name in page


def test_persons_never_appear(client, person):
    for query in (person.name, person.code):
        page = client.get("/search/", {"q": query}).content.decode()
        assert "/subjects/" not in page and "没有" in page
    assert client.get(f"/subjects/{person.code}/").status_code == 404


def test_subject_page_shows_registration_data(client, company):
    page = client.get(f"/subjects/{company.code}/").content.decode()
    for text in (company.name, company.code, "王海", "2016-05-04", "青岛市崂山区市场监督管理局"):
        assert text in page
    assert client.get("/subjects/91370200MA00000000/").status_code == 404


def test_english_switch(client, company):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    page = response.content.decode()
    assert "Credit Qingdao" in page and "信用青岛" not in page
