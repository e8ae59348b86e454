"""The sections of a credit profile and report, in the order of the national 公共信用信息报告
standard (domain.md §8.1), and which information items go in which."""

from django.utils.translation import gettext_lazy as _

from .models import InformationItem, Nature

__all__ = ["SECTIONS", "section_of"]

# code, title; the order is the report's.
SECTIONS = (
    ("basic", _("Basic information")),  # 基础信息
    ("administrative", _("Administrative management")),  # 行政管理
    ("honest", _("Honesty and trustworthiness")),  # 诚实守信
    ("serious_dishonest", _("List of seriously dishonest subjects")),  # 严重失信主体名单
    ("abnormal", _("Abnormal operations")),  # 经营异常
    ("commitment", _("Credit commitments")),  # 信用承诺
    ("evaluation", _("Credit evaluation")),  # 信用评价
    ("judicial", _("Judicial decisions")),  # 司法判决
    ("other", _("Other")),  # 其他
)

# Catalog categories (vocabularies.yaml, the national catalog's 11 classes) by section.
_BY_CATEGORY = {"registration": "basic", "administrative": "administrative",
                "honour": "honest", "serious_dishonest": "serious_dishonest",
                "abnormal": "abnormal", "commitment": "commitment", "evaluation": "evaluation",
                "judicial": "judicial"}


def section_of(item: InformationItem) -> str:
    """Trustworthy evaluations (纳税信用A级, 海关高级认证) are shown under 诚实守信, as Credit
    China does; other items by their catalog category; the rest (qualifications, contracts,
    voluntary information) under 其他."""
    if item.nature == Nature.TRUSTWORTHY:
        return "honest"
    return _BY_CATEGORY.get(item.category, "other")
