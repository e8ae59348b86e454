from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from xinyong.subjects.disclosure import is_public, public_subject
from xinyong.subjects.models import Base, Subject
from xinyong.subjects.search import search_organisations
from xinyong.subjects.services import find_by_code


def home(request):
    counts = dict(Subject.objects.values_list("base").annotate(n=Count("id")))
    databases = [(label, counts.get(value, 0)) for value, label in Base.choices]
    return render(request, "portal/home.html", {"databases": databases, "as_of": timezone.now()})


def search(request):
    query = request.GET.get("q", "").strip()[:100]
    results = [public_subject(s) for s in search_organisations(query)] if query else []
    return render(request, "portal/search.html",
                  {"query": query, "results": results, "as_of": timezone.now()})


def subject(request, code):
    found = find_by_code(code)
    if found is None or not is_public(found):
        raise Http404("no public subject with this code")
    return render(request, "portal/subject.html",
                  {"subject": public_subject(found), "as_of": timezone.now()})
