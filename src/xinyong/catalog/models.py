"""The catalog (公共信用信息目录) and its 三清单 as stored in the database.

The YAML under `catalog/<city>/` is the source of truth; `services.load_catalog` is the only
writer of these tables. Rows that leave the YAML are kept with `active=False`, because
records, lists and measure checks keep pointing at them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

SUBJECT_KINDS = ("person", "enterprise", "non_enterprise", "individual_business")
DISCLOSURE_LEVELS = ("public", "authorised", "government", "internal")


class Nature(models.TextChoices):
    """信息性质 — the nature of an information item (山东省社会信用条例 Arts. 11–14)."""

    BASIC = "basic", _("basic")
    DISHONEST = "dishonest", _("dishonest")
    TRUSTWORTHY = "trustworthy", _("trustworthy")
    OTHER = "other", _("other")


class Disclosure(models.TextChoices):
    """披露方式 — who may see a field or item, from most to least open."""

    PUBLIC = "public", _("public")
    AUTHORISED = "authorised", _("subject and authorised parties")
    GOVERNMENT = "government", _("government sharing")
    INTERNAL = "internal", _("internal")


class Department(models.Model):
    """部门 — a data-providing, list-recognising or measure-implementing unit."""

    class Kind(models.TextChoices):
        MUNICIPAL = "municipal", _("municipal government department")
        INSTITUTION = "institution", _("public institution")
        DISTRICT = "district", _("district or county-level city")
        COURT = "court", _("court")
        PROCURATORATE = "procuratorate", _("procuratorate")
        VERTICAL = "vertical", _("vertically managed agency")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    division = models.CharField(_("administrative division"), max_length=6)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("parent department"))
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    note = models.TextField(_("note"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name


class Term(models.Model):
    """词表条目 — a coded value of a catalog vocabulary (catalog categories, measure types,
    business matters, update frequencies) with its Chinese label."""

    vocabulary = models.CharField(_("vocabulary"), max_length=40)
    code = models.CharField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["vocabulary", "position", "code"]
        verbose_name = _("vocabulary term")
        verbose_name_plural = _("vocabulary terms")
        constraints = [models.UniqueConstraint(fields=["vocabulary", "code"],
                                               name="catalog_term_unique_code")]

    def __str__(self):
        return f"{self.vocabulary}:{self.code} {self.name}"


class PublicityRule(models.Model):
    """公示期限规则 — one dated regime of publicity periods for a family of items."""

    class StartEvent(models.TextChoices):
        DECISION_DATE = "decision_date", _("decision date")
        FINDING_DATE = "finding_date", _("date of the finding")
        PUBLICATION_DATE = "publication_date", _("publication date")

    code = models.CharField(_("code"), max_length=60, unique=True)
    family = models.CharField(_("family"), max_length=40)
    name = models.CharField(_("name"), max_length=300)
    basis = models.TextField(_("legal basis"))
    scope = models.CharField(_("scope"), max_length=40, default="all")
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    in_force_to = models.DateField(_("in force until"), null=True, blank=True)
    default = models.BooleanField(_("default for its family"), default=False)
    start_event = models.CharField(_("period starts at"), max_length=20,
                                   choices=StartEvent.choices)
    periods = models.JSONField(_("periods per severity"), default=dict)
    special_cases = models.JSONField(_("special cases"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["family", "in_force_from"]
        verbose_name = _("publicity rule")
        verbose_name_plural = _("publicity rules")

    def __str__(self):
        return self.name


class InformationItem(models.Model):
    """信息事项 — an entry of the data list (数据清单): what is collected, from whom, how."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    nature = models.CharField(_("nature"), max_length=20, choices=Nature.choices)
    category = models.CharField(_("catalog category"), max_length=40)
    subject_kinds = models.JSONField(_("subject kinds"), default=list)
    providers = models.ManyToManyField(Department, related_name="items", blank=True,
                                       verbose_name=_("providing departments"))
    fields = models.JSONField(_("fields"), default=list)
    business_key = models.JSONField(_("business key"), default=list)
    publicity_rule = models.CharField(_("publicity rule family"), max_length=40, blank=True)
    update_frequency = models.CharField(_("update frequency"), max_length=60, blank=True)
    legal_basis = models.TextField(_("legal basis"))
    disclosure = models.CharField(_("disclosure"), max_length=20, choices=Disclosure.choices)
    public_for = models.JSONField(_("public for subject kinds"), default=list, blank=True)
    person_public_basis = models.TextField(_("legal basis for publishing persons"), blank=True)
    decision_date_field = models.CharField(_("decision date field"), max_length=40, blank=True)
    validity_end_field = models.CharField(_("validity end field"), max_length=40, blank=True)
    subject_name_field = models.CharField(_("subject name field"), max_length=40, blank=True)
    subject_code_fields = models.JSONField(_("subject code fields"), default=list, blank=True)
    subject_kind_field = models.CharField(_("subject kind field"), max_length=40, blank=True)
    subject_kind_map = models.JSONField(_("subject kind values"), default=dict, blank=True)
    severity_field = models.CharField(_("severity field"), max_length=40, blank=True)
    severity_map = models.JSONField(_("severity values"), default=dict, blank=True)
    description = models.TextField(_("description"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("information item")
        verbose_name_plural = _("information items")

    def __str__(self):
        return f"{self.code} {self.name}"

    def field(self, code: str) -> dict | None:
        """The field spec with this code, or None."""
        return next((f for f in self.fields if f["code"] == code), None)


class ListType(models.Model):
    """名单类型 — a red list, a 严重失信主体名单, a 重点关注 list or the 经营异常名录."""

    class Kind(models.TextChoices):
        RED = "red", _("red list")
        BLACK = "black", _("list of seriously dishonest subjects")
        WATCH = "watch", _("watch list")
        ABNORMAL = "abnormal", _("abnormal operation list")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="list_types",
        verbose_name=_("recognising department"),
        help_text=_("Empty when several departments recognise entries; each entry names its "
                    "recognising unit."))
    legal_basis = models.TextField(_("legal basis"))
    subject_kinds = models.JSONField(_("subject kinds"), default=list)
    default_validity_months = models.PositiveIntegerField(
        _("default validity (months)"), null=True, blank=True,
        help_text=_("Empty: the entry stays until an exit rule applies."))
    public = models.BooleanField(_("public"), default=True)
    exit_rules = models.JSONField(_("exit rules"), default=list)
    escalation = models.JSONField(_("escalation"), null=True, blank=True)
    item = models.ForeignKey(InformationItem, models.PROTECT, null=True, blank=True,
                             related_name="list_types", verbose_name=_("information item"))
    entry_match = models.JSONField(
        _("entry rule"), null=True, blank=True,
        help_text=_("Which records of the item are entries of this list (all when empty)."))
    entry_fields = models.JSONField(_("entry fields"), default=dict, blank=True)
    notice_working_days = models.PositiveIntegerField(
        _("prior notice period (working days)"), null=True, blank=True,
        help_text=_("Working days the subject has to state its case after the prior notice "
                    "(事前告知) before the listing can take effect."))
    withdrawal = models.JSONField(
        _("withdrawal rule"), null=True, blank=True,
        help_text=_("A red list's entries are withdrawn when the subject acquires a dishonest "
                    "record of these severities."))
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("list type")
        verbose_name_plural = _("list types")

    def __str__(self):
        return self.name


class Behaviour(models.Model):
    """信用行为 — an entry of the behaviour list (行为清单): dishonest or trustworthy conduct."""

    class Severity(models.TextChoices):
        MINOR = "minor", _("minor")
        GENERAL = "general", _("general")
        SERIOUS = "serious", _("serious")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    nature = models.CharField(_("nature"), max_length=20, choices=[
        (Nature.DISHONEST.value, Nature.DISHONEST.label),
        (Nature.TRUSTWORTHY.value, Nature.TRUSTWORTHY.label)])
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices,
                                blank=True)
    legal_basis = models.TextField(_("legal basis"))
    item = models.ForeignKey(InformationItem, models.PROTECT, related_name="behaviours",
                             verbose_name=_("information item"))
    match = models.JSONField(_("matching rule"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("behaviour")
        verbose_name_plural = _("behaviours")

    def __str__(self):
        return self.name


class Measure(models.Model):
    """奖惩措施 — an entry of the measures list (应用清单), in memorandum form:
    the measure, its legal basis, the implementing units."""

    class Category(models.TextChoices):
        RIGHTS_REDUCING = "rights_reducing", _("reduces rights or adds obligations")
        MANAGEMENT = "management", _("management measure")
        NON_PUBLIC = "non_public", _("measure by non-public organisations")
        INCENTIVE = "incentive", _("incentive for trustworthy subjects")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    content = models.TextField(_("content"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    type = models.CharField(_("measure type"), max_length=40)
    legal_basis = models.TextField(_("legal basis"))
    departments = models.ManyToManyField(Department, related_name="measures", blank=True,
                                         verbose_name=_("implementing departments"))
    implementers = models.TextField(_("other implementing units"), blank=True)
    list_types = models.ManyToManyField(ListType, related_name="measures", blank=True,
                                        verbose_name=_("triggering list types"))
    behaviours = models.ManyToManyField(Behaviour, related_name="measures", blank=True,
                                        verbose_name=_("triggering behaviours"))
    matters = models.JSONField(_("business matters"), default=list, blank=True)
    applies_to = models.JSONField(_("applies to"), default=list)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self):
        return self.name

    @property
    def is_incentive(self) -> bool:
        return self.category == self.Category.INCENTIVE


class CatalogVersion(models.Model):
    """目录版本 — one load of the catalog that changed something, with its diff."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    actor = models.CharField(_("actor"), max_length=200)
    content_sha256 = models.CharField(_("content SHA-256"), max_length=64)
    source_path = models.TextField(_("source path"))
    header = models.JSONField(_("catalog header"), default=dict)
    counts = models.JSONField(_("counts"), default=dict)
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("catalog version")
        verbose_name_plural = _("catalog versions")

    def __str__(self):
        return f"v{self.number} ({self.header.get('edition', '')})"
