from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from .views import batches, checks, home, linking, lists, records, submit, timeliness

app_name = "console"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(
        template_name="console/login.html", redirect_authenticated_user=True,
        next_page=reverse_lazy("console:dashboard")), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page=reverse_lazy("console:login")),
         name="logout"),
    path("", home.dashboard, name="dashboard"),
    path("submit/", submit.submit_file, name="submit"),
    path("items/<str:code>/template.xlsx", submit.item_template, {"fmt": "xlsx"},
         name="template_xlsx"),
    path("items/<str:code>/template.csv", submit.item_template, {"fmt": "csv"},
         name="template_csv"),
    path("batches/", batches.batch_list, name="batches"),
    path("batches/<int:pk>/", batches.batch_detail, name="batch"),
    path("batches/<int:pk>/rejected.xlsx", batches.rejected_download, {"fmt": "xlsx"},
         name="rejected_xlsx"),
    path("batches/<int:pk>/rejected.csv", batches.rejected_download, {"fmt": "csv"},
         name="rejected_csv"),
    path("records/", records.record_list, name="records"),
    path("records/<int:pk>/", records.record_detail, name="record"),
    path("records/<int:pk>/revoke/", records.record_revoke, name="record_revoke"),
    path("linking/", linking.queue, name="linking"),
    path("linking/<int:pk>/", linking.queue_row, name="linking_row"),
    path("timeliness/", timeliness.timeliness_page, name="timeliness"),
    path("lists/", lists.entry_list, name="lists"),
    path("lists/new/", lists.entry_new, name="list_new"),
    path("lists/<int:pk>/", lists.entry_detail, name="list_entry"),
    path("checks/", checks.check_list, name="checks"),
    path("checks/new/", checks.check_new, name="check_new"),
    path("checks/stats/", checks.check_stats, name="check_stats"),
    path("checks/<int:pk>/", checks.check_detail, name="check"),
]
