"""The console's first page: who is signed in, recent batches, what needs attention."""

from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.shortcuts import render
from django.utils import timezone

from xinyong.collection.models import Batch
from xinyong.measures.services import overdue

from ..access import console_view

RECENT_BATCHES = 10
REJECTED_DAYS = 30


@console_view()
def dashboard(request):
    viewer = request.viewer
    batches = viewer.batches()
    since = timezone.now() - timedelta(days=REJECTED_DAYS)
    counts = batches.order_by().aggregate(
        waiting=Sum("waiting", default=0),
        rejected=Sum("rejected", default=0, filter=Q(created_at__gte=since)),
        pending=Count("id", filter=Q(status__in=[Batch.Status.RECEIVED,
                                                  Batch.Status.RUNNING])))
    return render(request, "console/dashboard.html", {
        "viewer": viewer, "counts": counts, "rejected_days": REJECTED_DAYS,
        "overdue_checks": overdue(viewer.checks()).count(),
        "recent": batches[:RECENT_BATCHES]})
