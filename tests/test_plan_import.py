"""``ssj plan import``: the notice's annex tables become a plan that validate accepts."""

from __future__ import annotations

import shutil
from pathlib import Path

from shuangsuiji.inputs.annex import import_plan, parse_months, parse_targets
from shuangsuiji.inputs.plan import load_plan

from .conftest import EXAMPLES, NOTICE_COPY, files_in, invoke, write_xlsx


def test_notice_text_imports_to_the_design_plan(tmp_path: Path) -> None:
    out = tmp_path / "plan.yaml"
    result = invoke("plan", "import", NOTICE_COPY, "-o", out, "--seed", "公开种子 1234")
    assert result.exit_code == 0, result.output
    imported = load_plan(out)
    design = load_plan(EXAMPLES / "2025.yaml")
    assert (imported.agency, imported.year, imported.seed) == (
        "洛龙区应急管理局",
        2025,
        "公开种子 1234",
    )
    for got, want in zip(imported.items, design.items, strict=True):
        assert got.model_dump() == want.model_dump()
    for got, want in zip(imported.joint, design.joint, strict=True):
        assert (got.id, got.covers, got.months, got.ratio) == (
            want.id,
            want.covers,
            want.months,
            want.ratio,
        )
        assert got.partner == "区市场监督局"  # as the annex writes it
    assert imported.joint[0].partner_items[0] == "法定代表人、自然人股东身份真实性的检查"
    assert len(imported.joint[0].partner_items) == 8
    # §三's ten numbered 检查内容 become the checklist of the 现场检查记录, word for word.
    assert len(imported.checklist) == 10
    assert imported.checklist[0].startswith("依法通过有关安全生产行政审批的情况")
    assert imported.checklist[1].endswith("对安全设备的维护、保养、定期检测的情况")
    assert imported.checklist[-1] == "其他按照规定应当检查的情况"
    assert imported.checklist_of(imported.items[0]) == imported.checklist

    # Once rosters sit beside it, the imported plan validates.
    for name in ("enterprises.xlsx", "officers.xlsx"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    result = invoke("validate", "--plan", out)
    assert result.exit_code == 0, result.output


def test_default_seed_is_a_label_and_the_public_number_is_required(tmp_path: Path) -> None:
    # The seed text is only a label: what no one can compute in advance is the public number
    # every draw adds, whose source and spelling the plan (and its 承诺书) fix.
    result = invoke("plan", "import", NOTICE_COPY, "-o", tmp_path / "p.yaml")
    assert result.exit_code == 0, result.output
    plan = load_plan(tmp_path / "p.yaml")
    assert plan.seed == "洛龙区应急管理局2025年度双随机抽查"
    assert plan.ceremony_block is not None and plan.ceremony_block.pattern == r"\d \d \d"


def test_existing_output_is_not_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "p.yaml"
    out.write_text("mine", encoding="utf-8")
    result = invoke("plan", "import", NOTICE_COPY, "-o", out)
    assert result.exit_code == 2 and out.read_text(encoding="utf-8") == "mine"
    assert invoke("plan", "import", NOTICE_COPY, "-o", out, "--force").exit_code == 0
    assert load_plan(out).year == 2025


PLAN_HEADER = [
    "序号",
    "部门名称",
    "抽查事项名称",
    "抽查依据",
    "检查主体",
    "事项类别",
    "检查对象",
    "抽查比例",
    "抽查频次",
    "检查方式",
    "抽查时间",
]
JOINT_HEADER = ["序号", "牵头部门名称", "配合部门名称", "联合抽查事项名称", *PLAN_HEADER[3:]]


def _plan_rows(frequency: str = "2次/年") -> list[list[object]]:
    return [
        ["某区应急管理局 2026 年本部门“双随机、一公开”监管抽查计划汇总表"],
        PLAN_HEADER,
        [
            1,
            "区应急管理局",
            "冶金等工贸企业安全生产的随机抽查",
            "《安全生产法》",
            "区应急管理局",
            "一般检查事项",
            "冶金等工贸企业",
            "3%",
            frequency,
            "随机抽查",
            "4月、9月各一次",
        ],
    ]


def test_xlsx_annexes_with_joint_sheet(tmp_path: Path) -> None:
    plan_file = write_xlsx(tmp_path / "附件2.xlsx", _plan_rows())
    joint_file = write_xlsx(
        tmp_path / "附件3.xlsx",
        [
            JOINT_HEADER,
            [
                1,
                "区应急管理局",
                "区市场监管局",
                "1.冶金等工贸企业安全生产的随机抽查；2.注册资本实缴情况的检查",
                "",
                "",
                "",
                "冶金等工贸企业",
                "3%",
                "1次/年",
                "",
                "2026年9月",
            ],
        ],
    )
    imported = import_plan([plan_file, joint_file])
    plan = imported.plan
    assert (plan.agency, plan.year) == ("某区应急管理局", 2026)
    [item] = plan.items
    assert item.months == [4, 9] and item.targets["行业类别"][0] == "冶金"
    [joint] = plan.joint
    assert (joint.covers, joint.months, joint.partner_items) == (
        "AJ-01",
        [9],
        ["注册资本实缴情况的检查"],
    )


def test_frequency_mismatch_names_the_row(tmp_path: Path) -> None:
    annex = write_xlsx(tmp_path / "附件2.xlsx", _plan_rows(frequency="4次/年"))
    before = files_in(tmp_path)
    result = invoke("plan", "import", annex, "-o", tmp_path / "p.yaml")
    assert result.exit_code == 2
    assert "抽查频次为 4 次/年" in result.stderr and " 3 " in result.stderr
    assert files_in(tmp_path) == before


def test_annex_1_alone_has_no_months(tmp_path: Path) -> None:
    rows = [line for line in NOTICE_COPY.read_text(encoding="utf-8").splitlines()]
    start = rows.index("附件 1")
    (tmp_path / "a1.txt").write_text("\n".join(rows[start : start + 7]), encoding="utf-8")
    result = invoke("plan", "import", tmp_path / "a1.txt", "-o", tmp_path / "p.yaml")
    assert result.exit_code == 2
    assert "附件2" in result.stderr


def test_no_tables_found(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("没有表格", encoding="utf-8")
    result = invoke("plan", "import", tmp_path / "x.txt", "-o", tmp_path / "p.yaml")
    assert result.exit_code == 2 and "没有找到" in result.stderr


def test_target_phrases() -> None:
    assert parse_targets("危险化学品生产、储存、经营、使用单位和烟花爆竹经营单位") == (
        ["危险化学品生产", "危险化学品储存", "危险化学品经营", "危险化学品使用", "烟花爆竹经营"],
        True,
    )
    assert parse_targets("金属冶炼等工矿商贸单位企业")[0][0] == "冶金"
    assert parse_targets("加油站") == (["加油站"], False)


def test_month_phrases() -> None:
    assert parse_months("3月、5月、8月、10月各一次") == [3, 5, 8, 10]
    assert parse_months("2025年10月") == [10]
    assert parse_months("3、5、8、10月") == [3, 5, 8, 10]
    assert parse_months("全年") == []


def test_csv_annex_in_gb18030(tmp_path: Path) -> None:
    lines = [",".join(str(c) for c in row) for row in _plan_rows()]
    (tmp_path / "附件2.csv").write_bytes("\n".join(lines).encode("gb18030"))
    result = invoke(
        "plan", "import", tmp_path / "附件2.csv", "-o", tmp_path / "p.yaml", "--seed", "s"
    )
    assert result.exit_code == 0, result.output
    plan = load_plan(tmp_path / "p.yaml")
    assert plan.items[0].ratio.describe() == "3%" and plan.items[0].months == [4, 9]


def test_imported_plan_staffs_joint_groups(tmp_path: Path) -> None:
    out = tmp_path / "plan.yaml"
    assert invoke("plan", "import", NOTICE_COPY, "-o", out, "--seed", "公开种子").exit_code == 0
    for name in ("enterprises.xlsx", "officers.xlsx"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    # An imported plan announces the public number each draw adds (docs/spec.md §4.3).
    assert invoke("draw", "--plan", out, "--month", "2025-03").exit_code == 2
    for month, number in (("2025-03", "3，0，7"), ("2025-05", "9 1 4")):
        drawn = invoke("draw", "--plan", out, "--month", month, "--seed-extra", number)
        assert drawn.exit_code == 0, drawn.output
    result = invoke("assign", "--plan", out, "--month", "2025-05", "--json")
    assert result.exit_code == 0, result.output
    # The annex writes 区市场监督局; the roster 区市场监督管理局: the same bureau.
    assert "区市场监督局" in result.stdout


def test_partner_without_officers_is_a_warning(tmp_path: Path) -> None:
    out = tmp_path / "plan.yaml"
    text = (
        (EXAMPLES / "2025.yaml")
        .read_text(encoding="utf-8")
        .replace("partner: 区市场监督管理局", "partner: 区税务局", 1)
    )
    out.write_text(text, encoding="utf-8")
    for name in ("enterprises.xlsx", "officers.xlsx"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    result = invoke("validate", "--plan", out)
    assert result.exit_code == 0
    assert "没有“区税务局”的人员" in result.stdout
