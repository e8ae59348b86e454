from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "xinyong.measures"
    verbose_name = "Joint reward and punishment"
