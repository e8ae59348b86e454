from django.http import HttpResponse


def healthz(request):
    """A bare liveness answer: no database, no template. Load balancers probe it, and
    `bench/portal.py` loads it as the baseline cost of a request through Django."""
    return HttpResponse("ok", content_type="text/plain")
