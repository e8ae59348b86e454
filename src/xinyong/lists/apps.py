from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "xinyong.lists"
    verbose_name = "Red and black lists"

    def ready(self):
        from xinyong.records.signals import records_changed

        from .services import on_records_changed

        records_changed.connect(on_records_changed, dispatch_uid="lists.on_records_changed")
