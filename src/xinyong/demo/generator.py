"""A synthetic Qingdao: subjects with valid identifiers, Chinese names and Qingdao divisions.

Everything derives from one seed, so a build is reproducible. Identifiers are unique by
construction (an index mapped through a modular bijection onto the identifier space), so
generating 7.77 M people needs no memory to remember which numbers were used.
"""

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from faker.providers.company.zh_CN import Provider as CompanyNames
from faker.providers.person.zh_CN import Provider as PersonNames

from xinyong.core.identifiers import make_resident_id, make_uscc
from xinyong.subjects.bulk import BulkSubject

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass(frozen=True)
class Size:
    enterprises: int
    non_enterprises: int
    persons: int


# `city` is the seed plan's Qingdao: 340 k enterprises, 43 k non-enterprise legal persons,
# 7.77 M natural persons. `medium` is a tenth of it.
SIZES = {
    "small": Size(4_440, 560, 20_000),
    "medium": Size(34_000, 4_300, 777_000),
    "city": Size(340_000, 43_000, 7_770_000),
}

# GB/T 2260: the ten districts and county-level cities of the 2017 plan, with weights
# roughly following population. Older people keep codes of abolished divisions.
DISTRICTS = {
    "370202": ("市南区", 6), "370203": ("市北区", 11), "370211": ("黄岛区", 16),
    "370212": ("崂山区", 5), "370213": ("李沧区", 7), "370214": ("城阳区", 10),
    "370215": ("即墨区", 12), "370281": ("胶州市", 9), "370283": ("平度市", 13),
    "370285": ("莱西市", 8),
}
HISTORICAL_DIVISIONS = {"370205": "四方区", "370282": "即墨市", "370284": "胶南市"}

# (authority, category, subject type, share within its base database)
ENTERPRISE_TYPES = [("9", "1", "企业", 85), ("9", "2", "个体工商户", 10),
                    ("9", "3", "农民专业合作社", 5)]
NON_ENTERPRISE_TYPES = [("1", "1", "机关", 14), ("1", "2", "事业单位", 34),
                        ("5", "1", "社会团体", 15), ("5", "2", "民办非企业单位", 25),
                        ("5", "3", "基金会", 2),
                        ("3", "1", "律师执业机构", 5), ("8", "1", "基层工会", 5)]
AUTHORITY_NAMES = {"9": "市场监督管理局", "1": "机构编制委员会办公室", "5": "民政局", "3": "司法局",
                   "8": "总工会"}

INDUSTRIES = ["农、林、牧、渔业", "制造业", "电力、热力、燃气及水生产和供应业", "建筑业",
              "批发和零售业", "交通运输、仓储和邮政业", "住宿和餐饮业",
              "信息传输、软件和信息技术服务业", "金融业", "房地产业", "租赁和商务服务业",
              "科学研究和技术服务业", "水利、环境和公共设施管理业", "居民服务、修理和其他服务业",
              "教育", "卫生和社会工作", "文化、体育和娱乐业"]
TRADES = ["海洋科技", "电子", "机械", "食品", "物流", "建设工程", "贸易", "信息技术", "生物医药",
          "新材料", "橡胶", "纺织", "港口服务", "旅游", "餐饮管理", "商贸", "环保科技", "汽车销售",
          "家电", "啤酒", "船舶", "水产", "软件", "房地产开发", "物业管理", "文化传媒", "医疗器械"]
ORG_FORMS = ["有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]
SHOPS = ["便利店", "小吃店", "理发店", "水果店", "烧烤店", "五金店", "服装店", "海鲜店", "修车铺",
         "面馆", "超市", "家常菜馆"]
CROPS = ["果蔬", "大樱桃", "蓝莓", "茶叶", "花生", "蔬菜", "生猪养殖", "海参养殖", "葡萄", "农机"]
BUREAUS = ["教育和体育局", "卫生健康局", "民政局", "财政局", "司法局", "应急管理局", "城市管理局",
           "人力资源和社会保障局", "住房和城乡建设局", "农业农村局", "街道办事处"]
INSTITUTIONS = ["第{n}中学", "第{n}实验小学", "人民医院", "中医医院", "疾病预防控制中心", "图书馆",
                "文化馆", "社会福利院", "公证处", "规划设计研究院", "职业中等专业学校"]
ASSOCIATIONS = ["企业家协会", "餐饮行业协会", "物流协会", "摄影家协会", "书法家协会",
                "软件行业协会", "个体劳动者协会", "海洋经济促进会", "老年体育协会", "志愿者协会"]
PRIVATE_NONPROFITS = ["幼儿园", "艺术培训学校", "养老服务中心", "社会工作服务中心", "康复中心",
                      "职业技能培训学校", "民办博物馆"]
STREETS = ["香港中路", "东海西路", "山东路", "延安三路", "辽宁路", "台东一路", "长江中路", "海尔路",
           "株洲路", "黑龙江中路", "正阳路", "烟台路", "胶州湾路", "深圳路", "银川西路",
           "九水东路", "重庆中路", "四流南路", "江山中路", "青威路"]
SURNAMES = list(PersonNames.last_names)
SURNAME_CUM_WEIGHTS = list(itertools.accumulate(PersonNames.last_names.values()))
GIVEN_CHARS = sorted({ch for name in PersonNames.first_names for ch in name})
BRAND_CHARS = sorted({ch for word in CompanyNames.company_prefixes for ch in word
                      if "\u4e00" <= ch <= "\u9fff"})

# Identifier spaces for the bijections: 31^6 new-style organisation bodies ("MA" + 6),
# 10^8 old-style numeric bodies, and division x birth day x sequence for persons.
NEW_BODY_SPACE = 31 ** 6
OLD_BODY_SPACE = 10 ** 8
BIRTH_FIRST, BIRTH_DAYS = date(1940, 1, 1), 24_837  # through 2007-12-31
PERSON_DIVISIONS = list(DISTRICTS) + list(HISTORICAL_DIVISIONS)
PERSON_SPACE = len(PERSON_DIVISIONS) * BIRTH_DAYS * 1000


def _permute(index: int, space: int, salt: int) -> int:
    """A bijection on range(space): multiply by a unit modulo space, then shift."""
    multiplier = 1_000_003  # prime, coprime with 31^6, 10^8 and PERSON_SPACE
    return (index * multiplier + salt) % space


def _base31(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 31)
        chars.append(USCC_CHARS[digit])
    return "".join(reversed(chars))


class City:
    """Generates the synthetic city for one seed, in batches."""

    def __init__(self, seed: int = 2017):
        self.rng = random.Random(seed)
        self.salt = seed * 7919
        self.district_codes = list(DISTRICTS)
        self.district_cum_weights = list(itertools.accumulate(w for _, w in DISTRICTS.values()))

    # ---- names -------------------------------------------------------------------------
    def person_name(self) -> str:
        rng = self.rng
        surname = rng.choices(SURNAMES, cum_weights=SURNAME_CUM_WEIGHTS)[0]
        given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
        return surname + given

    def brand(self) -> str:
        return self.rng.choice(BRAND_CHARS) + self.rng.choice(BRAND_CHARS)

    def organisation_name(self, subject_type: str, district: str) -> str:
        rng, place = self.rng, DISTRICTS[district][0]
        match subject_type:
            case "企业":
                return f"青岛{self.brand()}{rng.choice(TRADES)}{rng.choice(ORG_FORMS)}"
            case "个体工商户":
                return f"{place}{rng.choice(SURNAMES[:60])}记{rng.choice(SHOPS)}"
            case "农民专业合作社":
                return f"{place}{self.brand()}{rng.choice(CROPS)}专业合作社"
            case "机关":
                return f"青岛市{place}{rng.choice(BUREAUS)}"
            case "事业单位":
                return f"青岛市{place}" + rng.choice(INSTITUTIONS).format(n=rng.randint(1, 68))
            case "社会团体":
                return f"青岛市{place}{rng.choice(ASSOCIATIONS)}"
            case "民办非企业单位":
                return f"青岛市{place}{self.brand()}{rng.choice(PRIVATE_NONPROFITS)}"
            case "基金会":
                return f"青岛{self.brand()}慈善基金会"
            case "律师执业机构":
                return f"山东{self.brand()}律师事务所"
            case _:
                return f"青岛{self.brand()}{rng.choice(TRADES)}有限公司工会委员会"

    # ---- subjects ----------------------------------------------------------------------
    def organisations(self, count: int, types, start_index: int) -> Iterator[BulkSubject]:
        rng = self.rng
        kinds = [t[:3] for t in types]
        cum_weights = list(itertools.accumulate(t[3] for t in types))
        for index in range(start_index, start_index + count):
            authority, category, subject_type = rng.choices(kinds, cum_weights=cum_weights)[0]
            district = rng.choices(self.district_codes, cum_weights=self.district_cum_weights)[0]
            # Registered by the district's authority, or the city's for a fifth of them.
            division = "370200" if rng.random() < 0.2 else district
            established = date(1985, 1, 1) + timedelta(days=rng.randrange(15_000))
            if established.year >= 2015:
                body = "MA" + _base31(_permute(index, NEW_BODY_SPACE, self.salt), 6)
            else:
                body = f"{_permute(index, OLD_BODY_SPACE, self.salt):08d}"
            code = make_uscc(authority, category, division, body)
            base = "enterprise" if authority == "9" else "non_enterprise"
            status = rng.choices(("active", "cancelled", "revoked"), cum_weights=(90, 98, 100))[0]
            authority_name = f"青岛市{'' if division == '370200' else DISTRICTS[district][0]}" \
                             f"{AUTHORITY_NAMES[authority]}"
            capital = (Decimal(rng.randint(1, 50_000)) if subject_type == "企业" else None)
            organisation = (self.person_name(), established, capital,
                            f"山东省青岛市{DISTRICTS[district][0]}{rng.choice(STREETS)}"
                            f"{rng.randint(1, 399)}号",
                            rng.choice(INDUSTRIES), authority_name)
            yield BulkSubject(base, subject_type, code, self.organisation_name(subject_type,
                              district), division, status, organisation)

    def persons(self, count: int) -> Iterator[BulkSubject]:
        rng = self.rng
        for index in range(count):
            point = _permute(index, PERSON_SPACE, self.salt)
            point, sequence = divmod(point, 1000)
            division_index, day = divmod(point, BIRTH_DAYS)
            division = PERSON_DIVISIONS[division_index]
            code = make_resident_id(division, BIRTH_FIRST + timedelta(days=day), sequence)
            status = "deceased" if rng.random() < 0.01 else "active"
            yield BulkSubject("person", "自然人", code, self.person_name(), division, status)

    def subjects(self, size: Size) -> Iterator[BulkSubject]:
        yield from self.organisations(size.enterprises, ENTERPRISE_TYPES, 0)
        yield from self.organisations(size.non_enterprises, NON_ENTERPRISE_TYPES,
                                      size.enterprises)
        yield from self.persons(size.persons)
