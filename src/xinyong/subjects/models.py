from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class Base(models.TextChoices):
    """The three base databases (三库)."""

    PERSON = "person", _("Natural persons")
    ENTERPRISE = "enterprise", _("Enterprise legal persons")
    NON_ENTERPRISE = "non_enterprise", _("Non-enterprise legal persons")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")  # 存续 / 在业
    CANCELLED = "cancelled", _("Deregistered")  # 注销
    REVOKED = "revoked", _("Licence revoked")  # 吊销
    MOVED_OUT = "moved_out", _("Moved out")  # 迁出
    DECEASED = "deceased", _("Deceased")


INDIVIDUAL_BUSINESS = "个体工商户"


class Subject(models.Model):
    """主体 — a natural person or an organisation in one of the three base databases.

    `code` is the primary identifier: the unified social credit code (统一社会信用代码) for
    organisations, the 18-digit resident ID (公民身份号码) for persons.
    """

    base = models.CharField(_("base database"), max_length=20, choices=Base.choices)
    subject_type = models.CharField(_("subject type"), max_length=40)
    code = models.CharField(_("identifier"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_norm = models.CharField(_("normalised name"), max_length=200, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.ACTIVE)
    division = models.CharField(_("administrative division"), max_length=6, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        indexes = [models.Index(fields=["base", "subject_type"])]

    def __str__(self):
        return self.name

    @property
    def catalog_kind(self) -> str:
        """The catalog's subject kind: person, enterprise, non_enterprise or
        individual_business (an enterprise registered as 个体工商户)."""
        if self.base == Base.ENTERPRISE and self.subject_type == INDIVIDUAL_BUSINESS:
            return "individual_business"
        return self.base

    @property
    def is_person(self) -> bool:
        return self.base == Base.PERSON

    @cached_property
    def resident_id(self):
        """Parsed resident ID of a person (gender and birth date derive from it)."""
        from xinyong.core.identifiers import IdentifierError, parse_resident_id

        if not self.is_person:
            return None
        try:
            return parse_resident_id(self.code)
        except IdentifierError:
            return None

    @property
    def gender(self) -> str | None:
        return self.resident_id.parts["gender"] if self.resident_id else None

    @property
    def birth_date(self):
        return self.resident_id.parts["birth_date"] if self.resident_id else None


class Organisation(models.Model):
    """登记信息 — registration data of an enterprise or non-enterprise legal person."""

    subject = models.OneToOneField(Subject, on_delete=models.CASCADE, primary_key=True,
                                   related_name="organisation")
    legal_representative = models.CharField(_("legal representative"), max_length=100,
                                            blank=True)
    established = models.DateField(_("established"), null=True, blank=True)
    registered_capital = models.DecimalField(_("registered capital (10k yuan)"), max_digits=16,
                                             decimal_places=4, null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    registration_authority = models.CharField(_("registration authority"), max_length=100,
                                              blank=True)

    class Meta:
        verbose_name = _("registration data")
        verbose_name_plural = _("registration data")

    def __str__(self):
        return str(self.subject)


class Scheme(models.TextChoices):
    """Identifiers a subject was known by before (or beside) its primary code."""

    REGISTRATION_NUMBER = "registration_number", _("Business registration number")  # 工商注册号
    ORG_CODE = "org_code", _("Organisation code")  # 组织机构代码
    TAX_REGISTRATION = "tax_registration", _("Tax registration number")  # 税务登记号
    INSTITUTION_CERTIFICATE = "institution_certificate", _("Public institution certificate")
    SOCIAL_ORG_CERTIFICATE = "social_org_certificate", _("Social organisation certificate")
    RESIDENT_ID_15 = "resident_id_15", _("15-digit resident ID")


class LegacyIdentifier(models.Model):
    """曾用代码 — a legacy or secondary identifier that still links records to a subject."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE,
                                related_name="legacy_identifiers")
    scheme = models.CharField(_("scheme"), max_length=30, choices=Scheme.choices)
    value = models.CharField(_("value"), max_length=40)

    class Meta:
        verbose_name = _("legacy identifier")
        verbose_name_plural = _("legacy identifiers")
        constraints = [models.UniqueConstraint(fields=["scheme", "value"],
                                               name="legacy_identifier_unique")]
        indexes = [models.Index(fields=["value"])]

    def __str__(self):
        return f"{self.get_scheme_display()} {self.value}"


class FormerName(models.Model):
    """曾用名 — a name the subject used until `valid_to`."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="former_names")
    name = models.CharField(_("name"), max_length=200)
    name_norm = models.CharField(_("normalised name"), max_length=200, db_index=True)
    valid_from = models.DateField(_("used from"), null=True, blank=True)
    valid_to = models.DateField(_("used until"))

    class Meta:
        verbose_name = _("former name")
        verbose_name_plural = _("former names")
        ordering = ["-valid_to"]

    def __str__(self):
        return self.name


class SearchName(models.Model):
    """检索名称 — a current or former name of an organisation as the public search indexes it.

    `grams` holds the space-separated character bigrams of the name's letters and digits:
    trigram indexes cannot find the 2-character queries most Chinese names need, bigrams can
    (SQLite: an FTS5 table over this column; PostgreSQL: a GIN index over its array; both
    created by migration 0002). Natural persons are never indexed.
    """

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    name_norm = models.CharField(_("normalised name"), max_length=200)
    current = models.BooleanField(_("current name"), default=True)
    grams = models.TextField(_("bigrams"))

    class Meta:
        verbose_name = _("search name")
        verbose_name_plural = _("search names")
        # Exact and prefix matches (pattern_ops lets PostgreSQL serve LIKE 'x%' from a
        # btree under any collation; SQLite ignores opclasses and uses a range instead).
        indexes = [models.Index(fields=["name_norm"], name="searchname_name_norm",
                                opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return self.name
