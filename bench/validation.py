"""Throughput of `collection.validation.validate` on 行政处罚 (XZCF) batches.

    python bench/validation.py [--n 1000000] [--runs 2] [--bad 0.02] [--json]

Generates N XZCF-shaped rows as a reader yields them (`__row__`, one Utf8 column per field,
`__raw__`): 85 % legal persons, 10 % individual businesses (some with the USCC placeholder
and a registration number), 5 % natural persons; realistic text lengths; dates in the usual
spellings and some Excel serials; a share `--bad` of rows broken in one of several ways
(bad date, missing fine, wrong check character, unknown penalty type, duplicate key...).
Prints the best of `--runs` timings as rows/s, with the load average.
"""

import argparse
import json
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyong.settings")

import django  # noqa: E402

django.setup()

from xinyong.catalog.loader import parse_catalog  # noqa: E402
from xinyong.collection.validation import validate  # noqa: E402
from xinyong.core.identifiers import USCC_CHARSET, make_resident_id, make_uscc  # noqa: E402

TODAY = date(2025, 6, 30)
DEPARTMENTS = ["青岛市市场监督管理局", "青岛市生态环境局", "青岛市应急管理局", "青岛市交通运输局",
               "青岛市城市管理局"]
PENALTY_TYPES = ["罚款", "警告;罚款", "罚款；没收违法所得", "警告", "责令停产停业;罚款",
                 "吊销许可证件", "罚款、没收违法所得、没收非法财物", "通报批评",
                 "没收违法所得、没收非法财物"]
FACTS = ("经查，当事人在经营活动中{}，违反了相关法律法规的规定，执法人员现场检查时发现其",
         "当事人未按规定{}，经责令改正后逾期仍未改正，造成一定社会影响，")
BASIS = "《中华人民共和国{}法》第三十二条第一款"
ACTS = ["销售不合格产品", "虚假宣传", "未取得许可从事经营", "超标排放大气污染物", "安全隐患未整改",
        "无照经营", "违规处置建筑垃圾", "超载运输", "未按规定明码标价", "使用未经检验的特种设备"]


def _uscc_pool(n: int, rng: np.random.Generator, authority: str = "9") -> list[str]:
    charset = USCC_CHARSET
    bodies = rng.integers(0, len(charset), size=(n, 8))
    return [make_uscc(authority, "1" if authority == "9" else "2", "370212",
                      "".join(charset[i] for i in b)) for b in bodies]


def _departments(rng) -> list[tuple[str, str]]:
    codes = _uscc_pool(len(DEPARTMENTS), rng, authority="1")
    return list(zip(DEPARTMENTS, codes, strict=True))


def _pick(rng, pool: list, n: int) -> pl.Series:
    return pl.Series(pool).gather(rng.integers(0, len(pool), n))


def _dates(rng, n: int) -> tuple[pl.Series, np.ndarray]:
    """Decision dates 2016..2025-06 as days, spelled in the common ways."""
    start, end = date(2016, 1, 1).toordinal(), TODAY.toordinal()
    ordinals = rng.integers(start, end, n)
    days = pl.Series(ordinals - date(1970, 1, 1).toordinal()).cast(pl.Int32).cast(pl.Date)
    style = rng.random(n)
    frame = pl.DataFrame({"d": days, "s": style, "o": ordinals})
    spelled = frame.select(
        pl.when(pl.col("s") < 0.6).then(pl.col("d").dt.to_string("%Y/%m/%d"))
        .when(pl.col("s") < 0.85).then(pl.col("d").dt.to_string("%Y-%m-%d"))
        .when(pl.col("s") < 0.95).then(pl.col("d").dt.to_string("%Y%m%d"))
        .otherwise((pl.col("o") - date(1899, 12, 30).toordinal()).cast(pl.Utf8))).to_series()
    return spelled, ordinals


def _text(rng, n: int, template: str, words: list[str], pad: int) -> pl.Series:
    filler = "，".join(["并处以相应的行政处理措施"] * pad)
    return (_pick(rng, [template.format(w) + filler for w in words], n)
            + pl.Series(rng.integers(1, 99999, n)).cast(pl.Utf8))


def generate(n: int, bad: float, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    companies = _uscc_pool(20_000, rng)
    persons = [make_resident_id("370202", date(1960 + i % 40, 1 + i % 12, 1 + i % 28), i % 1000)
               for i in range(5_000)]
    departments = _departments(rng)
    kind = rng.random(n)
    department = rng.integers(0, len(departments), n)
    decided, ordinals = _dates(rng, n)
    fine = rng.integers(1, 5_000, n) * 100 / 10_000  # whole hundreds of yuan, in 万元
    columns = {
        "__row__": pl.Series(np.arange(2, n + 2), dtype=pl.Int64),
        "CF_XDR_MC": _pick(rng, [f"青岛{a}科技有限公司" for a in ACTS], n),
        "CF_XDR_LB": pl.Series(np.where(kind < 0.85, "法人及非法人组织",
                                        np.where(kind < 0.95, "个体工商户", "自然人"))),
        "CF_XDR_SHXYM": _pick(rng, companies, n),
        "CF_FRDB": _pick(rng, ["王海", "李青", "张伟", "刘洋", "陈静"], n),
        "CF_XDR_ZJLX": pl.Series(np.where(kind >= 0.95, "身份证", "")).replace("", None),
        "CF_XDR_ZJHM": _pick(rng, persons, n),
        "CF_WSH": pl.Series([f"青{i % 97}罚〔{2016 + i % 9}〕{i}号" for i in range(n)]),
        "CF_WFXW": _pick(rng, ACTS, n),
        "CF_SY": _text(rng, n, FACTS[0], ACTS, 3),
        "CF_YJ": _text(rng, n, BASIS, ["产品质量", "广告", "大气污染防治", "安全生产"], 1),
        "CF_CFLB": _pick(rng, PENALTY_TYPES, n),
        "CF_NR": "罚款" + pl.Series(fine * 10000).cast(pl.Int64).cast(pl.Utf8) + "元",
        "CF_NR_FK": pl.Series(fine).cast(pl.Utf8),
        "CF_NR_WFFF": pl.Series(fine / 2).cast(pl.Utf8),
        "CF_NR_ZKDX": pl.Series(np.full(n, "食品经营许可证 JY13702120012345")),
        "CF_JDRQ": decided,
        "CF_YXQ": pl.Series(np.where(rng.random(n) < 0.7, "2099/12/31", "")).replace("", None),
        "CF_CFJG": pl.Series([departments[i][0] for i in department]),
        "CF_CFJGDM": pl.Series([departments[i][1] for i in department]),
        "CF_SJLY": pl.Series([departments[i][0] for i in department]),
        "CF_SJLYDM": pl.Series([departments[i][1] for i in department]),
        "BZ": pl.Series(np.where(rng.random(n) < 0.1, "=已整改", "")).replace("", None),
    }
    frame = pl.DataFrame(columns).with_columns(
        CF_XDR_SHXYM=pl.when(pl.col("CF_XDR_LB") == "自然人").then(None)
        .otherwise(pl.col("CF_XDR_SHXYM")),
        CF_XDR_ZJHM=pl.when(pl.col("CF_XDR_LB") == "自然人").then(pl.col("CF_XDR_ZJHM")),
        CF_FRDB=pl.when(pl.col("CF_XDR_LB") == "自然人").then(None).otherwise(pl.col("CF_FRDB")),
        CF_NR_WFFF=pl.when(pl.col("CF_CFLB").str.contains("没收")).then(pl.col("CF_NR_WFFF")),
        CF_NR_ZKDX=pl.when(pl.col("CF_CFLB").str.contains("吊销")).then(pl.col("CF_NR_ZKDX")),
        CF_YXQ=pl.coalesce(pl.col("CF_YXQ"), pl.Series(
            [date.fromordinal(int(o) + 365).isoformat() for o in ordinals])))
    frame = _break(frame, rng, bad)
    return frame.with_columns(__raw__=pl.lit(None, pl.Utf8))


def _break(frame: pl.DataFrame, rng, bad: float) -> pl.DataFrame:
    """Spoil a share `bad` of the rows, one way each."""
    n = frame.height
    which = np.where(rng.random(n) < bad, rng.integers(0, 6, n), -1)
    w = pl.Series(which)
    return frame.with_columns(
        CF_JDRQ=pl.when(w == 0).then(pl.lit("2024/13/01")).otherwise(pl.col("CF_JDRQ")),
        CF_NR_FK=pl.when(w == 1).then(None).otherwise(pl.col("CF_NR_FK")),
        CF_XDR_SHXYM=pl.when(w == 2).then(pl.col("CF_XDR_SHXYM").str.slice(0, 17) + "0")
        .otherwise(pl.col("CF_XDR_SHXYM")),
        CF_CFLB=pl.when(w == 3).then(pl.lit("罚款;训诫")).otherwise(pl.col("CF_CFLB")),
        CF_WSH=pl.when(w == 4).then(pl.col("CF_WSH").shift(1)).otherwise(pl.col("CF_WSH")),
        CF_CFJGDM=pl.when(w == 5).then(pl.lit("12345")).otherwise(pl.col("CF_CFJGDM")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--bad", type=float, default=0.02)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    item = next(i for i in parse_catalog(ROOT / "catalog" / "qingdao").catalog.items
                if i["code"] == "XZCF")
    frame = generate(args.n, args.bad)
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        result = validate(frame, item, today=TODAY)
        times.append(time.perf_counter() - started)
    invalid = result.filter(pl.col("__errors__").list.len() > 0).height
    warned = result.filter(pl.col("__warnings__").list.len() > 0).height
    report = {"rows": args.n, "best_seconds": round(min(times), 3),
              "rows_per_second": round(args.n / min(times)), "invalid_rows": invalid,
              "rows_with_warnings": warned, "load_average": os.getloadavg(),
              "cpus": os.cpu_count(), "polars": pl.__version__, "python": platform.python_version()}
    if args.json:
        print(json.dumps(report))
        return
    for key, value in report.items():
        print(f"{key:>20}: {value}")


if __name__ == "__main__":
    main()
