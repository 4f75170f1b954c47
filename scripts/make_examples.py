"""Rebuild examples/enterprises.xlsx and examples/officers.xlsx from a fixed seed.

The rosters are synthetic but shaped like real 洛龙区 files: a title row above the header,
every industry the 2025 plan targets plus some it does not, mixed 经营状态 and 信用风险分类,
officers whose certificates lapse during 2025, officers not 在岗 and officers with 回避企业.
Run: python scripts/make_examples.py
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from shuangsuiji.outputs.excel import Sheet, write_workbook
from shuangsuiji.rules.uscc import USCC_ALPHABET, org_check_char, uscc_check_char

T = TypeVar("T")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
AGENCY = "洛龙区应急管理局"
PARTNER = "区市场监督管理局"


class Stream:
    """A deterministic stream of choices from SHA-256, identical on every machine and Python."""

    def __init__(self, seed: str) -> None:
        self.seed, self.counter = seed, 0

    def below(self, n: int) -> int:
        self.counter += 1
        digest = hashlib.sha256(f"{self.seed}/{self.counter}".encode()).hexdigest()
        return int(digest, 16) % n

    def choice(self, options: Sequence[T]) -> T:
        return options[self.below(len(options))]

    def weighted(self, options: Sequence[tuple[T, int]]) -> T:
        pick = self.below(sum(w for _, w in options))
        for value, weight in options:
            if pick < weight:
                return value
            pick -= weight
        raise AssertionError("unreachable")


INDUSTRIES = [  # (行业类别, weight, words for names)
    ("危险化学品生产", 4, ["化工", "精细化工", "化学"]),
    ("危险化学品储存", 3, ["仓储", "储运", "物流"]),
    ("危险化学品经营", 9, ["化工贸易", "石化销售", "化工产品"]),
    ("危险化学品使用", 4, ["新材料", "涂装", "表面处理"]),
    ("烟花爆竹经营", 3, ["烟花爆竹", "花炮"]),
    ("冶金", 4, ["钢铁", "铸造", "金属制品"]),
    ("有色", 3, ["铝业", "铜业", "钼业"]),
    ("建材", 5, ["建材", "水泥制品", "耐火材料"]),
    ("机械", 9, ["机械", "矿山机器", "轴承", "重工"]),
    ("轻工", 5, ["食品", "包装", "家具"]),
    ("纺织", 3, ["纺织", "服饰", "制衣"]),
    ("商贸", 9, ["商贸", "超市", "商业管理"]),
    ("餐饮服务", 4, ["餐饮", "酒店管理"]),
    ("软件和信息技术服务", 3, ["信息技术", "软件"]),
    ("教育培训", 2, ["教育咨询", "培训"]),
]
BRANDS = list(
    [
        "恒达",
        "华源",
        "鑫盛",
        "瑞丰",
        "宏远",
        "金诚",
        "中原",
        "龙腾",
        "伊洛",
        "天瑞",
        "明德",
        "泰和",
        "荣昌",
        "广汇",
        "嘉禾",
        "新安",
        "九都",
        "牡丹",
        "洛神",
        "隋唐",
        "凯达",
        "顺通",
        "永信",
        "德润",
        "博远",
        "晟华",
        "鼎盛",
        "正阳",
        "汇川",
        "宇通",
    ]
)
SUFFIXES = ["有限公司", "有限责任公司", "股份有限公司"]
STREETS = [
    "开元路街道",
    "关林街道",
    "龙门石窟街道",
    "太康东路街道",
    "学子街街道",
    "科技园街道",
    "安乐镇",
    "白马寺镇",
    "李楼镇",
    "佃庄镇",
    "诸葛镇",
    "李村镇",
]
ROADS = [
    "开元大道",
    "龙门大道",
    "关林路",
    "展览路",
    "通济街",
    "太康东路",
    "学子街",
    "聂泰路",
    "宜人路",
]
STATUSES = [
    ("存续", 76),
    ("在业", 9),
    ("开业", 4),
    ("存续（在营、开业、在册）", 3),
    ("注销", 4),
    ("吊销", 2),
    ("迁出", 2),
]
RISKS = [("A", 25), ("B", 48), ("C", 21), ("D", 6)]


def uscc(stream: Stream, used: set[str]) -> str:
    """A valid 洛龙区 (410311) USCC that is not in ``used``."""
    while True:
        drawn = "".join(stream.choice(USCC_ALPHABET[:10] + "ABCDEFGHJK") for _ in range(7))
        # The 组织机构代码 ends in its GB 11714 check character (the 7th draw is kept, so the
        # stream, and every other column, stays as it was).
        body = "MA" + drawn[:6]
        first17 = "91410311" + body + org_check_char(body)
        code = first17 + uscc_check_char(first17)
        if code not in used:
            used.add(code)
            return code


def enterprises(count: int = 460) -> list[list[object]]:
    stream = Stream("ssj examples 2025 enterprises")
    used_codes: set[str] = set()
    used_names: set[str] = set()
    rows: list[list[object]] = []
    weights = [(entry, entry[1]) for entry in INDUSTRIES]
    for index in range(count):
        # The first rows cover every industry once, so each target industry is present.
        industry, _, words = (
            INDUSTRIES[index] if index < len(INDUSTRIES) else stream.weighted(weights)
        )
        while True:
            name = f"洛阳{stream.choice(BRANDS)}{stream.choice(words)}{stream.choice(SUFFIXES)}"
            if name not in used_names:
                used_names.add(name)
                break
        street = stream.choice(STREETS)
        address = f"河南省洛阳市洛龙区{stream.choice(ROADS)}{stream.below(500) + 1}号"
        rows.append(
            [
                uscc(stream, used_codes),
                name,
                industry,
                stream.weighted(STATUSES),
                stream.weighted(RISKS),
                address,
                street,
            ]
        )
    return rows


SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "建国",
    "志强",
    "晓东",
    "红梅",
    "海燕",
    "国庆",
]
SECTIONS = [
    "政策法规股",
    "危险化学品安全监督管理股",
    "工贸安全监督管理股",
    "综合协调股",
    "应急救援股",
    "安全生产执法大队",
]
FIELDS = {
    "危险化学品安全监督管理股": [
        "危险化学品生产、危险化学品储存",
        "危险化学品经营、危险化学品使用",
        "烟花爆竹经营、危险化学品经营",
    ],
    "工贸安全监督管理股": ["冶金、有色", "建材、机械", "轻工、纺织", "商贸、轻工", "机械"],
    "安全生产执法大队": ["危险化学品经营、商贸", "冶金、机械、建材", "烟花爆竹经营"],
}


def officers(enterprise_rows: list[list[object]]) -> list[list[object]]:
    stream = Stream("ssj examples 2025 officers")
    rows: list[list[object]] = []
    names: set[str] = set()

    def person() -> str:
        while True:
            name = stream.choice(SURNAMES) + stream.choice(GIVEN)
            if name not in names:
                names.add(name)
                return name

    # Certificates that lapse in 2025 (by row index), one already expired, some not on duty.
    lapses = {
        3: dt.date(2025, 4, 30),
        8: dt.date(2025, 7, 31),
        13: dt.date(2025, 9, 30),
        17: dt.date(2024, 12, 31),
    }
    duty = {5: "休假", 11: "借调", 19: "病休"}
    recusing = {2: [0, 17], 9: [40], 15: [101, 230]}
    for index in range(24):
        section = SECTIONS[index % len(SECTIONS)]
        until = lapses.get(
            index, dt.date(2026 + stream.below(4), 1 + stream.below(12), 1) + dt.timedelta(days=27)
        )
        recusals = "、".join(str(enterprise_rows[i][0]) for i in recusing.get(index, []))
        rows.append(
            [
                person(),
                f"41031120{15 + index % 9:02d}{index + 1:04d}",
                until,
                section,
                stream.choice(FIELDS.get(section, [""])),
                duty.get(index, "在岗"),
                AGENCY,
                recusals,
            ]
        )
    for index in range(8):
        rows.append(
            [
                person(),
                f"41031130{18 + index % 6:02d}{index + 1:04d}",
                dt.date(2027 + index % 3, 12, 31),
                "市场监管执法大队",
                "商贸、轻工" if index % 2 else "",
                "在岗",
                PARTNER,
                "",
            ]
        )
    return rows


def main() -> None:
    enterprise_rows = enterprises()
    write_workbook(
        EXAMPLES / "enterprises.xlsx",
        [
            Sheet(
                "检查对象名录库",
                [
                    "统一社会信用代码",
                    "企业名称",
                    "行业类别",
                    "经营状态",
                    "信用风险分类",
                    "注册地址",
                    "所属街道",
                ],
                enterprise_rows,
                caption=f"{AGENCY}检查对象名录库（2025年）",
            )
        ],
    )
    write_workbook(
        EXAMPLES / "officers.xlsx",
        [
            Sheet(
                "执法检查人员名录库",
                [
                    "姓名",
                    "执法证号",
                    "执法证有效期至",
                    "股室",
                    "专业领域",
                    "在岗状态",
                    "所属机关",
                    "回避企业",
                ],
                officers(enterprise_rows),
                caption=f"{AGENCY}执法检查人员名录库（2025年）",
            )
        ],
    )
    print(f"wrote {EXAMPLES / 'enterprises.xlsx'} and {EXAMPLES / 'officers.xlsx'}")


if __name__ == "__main__":
    main()
