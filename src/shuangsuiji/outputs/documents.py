"""The 现场检查文书 of a month (the notice §四: 实施检查前编制现场检查方案): for every drawn
enterprise a 检查通知书 to hand over and a 现场检查记录 to fill in on site, each on its own
A4 page — the enterprise's facts from the roster, the item and its legal basis, the group's
officers (names only), the plan's 检查内容 to tick off, room for findings and signatures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from shuangsuiji.inputs.plan import Plan
from shuangsuiji.outputs import OUTPUT_DIR
from shuangsuiji.outputs.excel import Page, PagedSheet, row_height, write_workbook
from shuangsuiji.outputs.groups import group_label, officer_names, signature_line, task_title
from shuangsuiji.rules.records import Group

SHEET = "现场检查文书"
HEADERS = ("序号", "检查内容", "检查情况\n符合／不符合／不适用", "备注")
WIDTHS = (4, 78, 18, 10)  # portrait A4, printed at 9 points or more: 检查内容 takes the line
BLANK = "＿" * 3


def too_many(plan: Plan, groups: Sequence[Group]) -> str | None:
    """Why a month gets no 现场检查文书 of its own, if it is too big for them: two pages an
    enterprise, tens of thousands of pages nobody prints at once (a city's month)."""
    count = sum(len(g.enterprises) for g in groups)
    if count <= plan.print_max_enterprises:
        return None
    return (
        f"本月抽中 {count} 家，超过打印上限（计划 print_max_enterprises：{plan.print_max_enterprises} 家）："
        "检查任务单的名单写成 csv 和 parquet，附汇总表；各单位的分组检查单和现场检查文书用 "
        f"ssj pages --plan {plan.shell_path} --month 月份 写出"
    )


def file_name(month: str) -> str:
    return f"现场检查文书-{month}.xlsx"


def documents_path(plan: Plan, month: str) -> Path:
    return plan.folder / OUTPUT_DIR / month / file_name(month)


def _number(plan: Plan, month: str, sequence: int) -> str:
    """文号: the plan's prefix, then the month and the document's place in it (5月第12份:
    5012号), the same every time the month's documents are written."""
    if plan.document_number is None:
        return f"文号：{BLANK * 2}〔{BLANK}〕{BLANK}号"
    return f"文号：{plan.document_number}{int(month[5:7]) * 1000 + sequence}号"


def _notice(
    plan: Plan, group: Group, name: str, item: str, basis: str, officers: str, number: str
) -> Page:
    """The 检查通知书 handed to the enterprise."""
    return Page(
        f"{plan.agency}现场检查通知书",
        [
            number,
            f"{name}：",
            f"　　根据{basis or '有关法律、法规'}和本局{plan.year}年度“双随机、一公开”抽查工作安排，"
            f"经随机抽取，你单位被确定为“{item}”的抽查对象。本局定于{BLANK}年{BLANK}月{BLANK}日"
            "派员对你单位进行现场检查，请予配合，并备齐相关资料。",
            f"　　抽查任务：{group.scope} {group_label(group.group)}",
            f"　　检查人员：{officers}（检查时出示行政执法证件）",
            f"　　联系电话：{BLANK * 3}",
        ],
        [],
        signature=["", f"{plan.agency}（印章）", f"{BLANK}年{BLANK}月{BLANK}日", ""],
        after=[f"被检查单位签收：{BLANK * 3}　　签收日期：{BLANK}年{BLANK}月{BLANK}日"],
    )


def _record(
    plan: Plan,
    group: Group,
    facts: Mapping[str, str],
    item: str,
    basis: str,
    checklist: Sequence[str],
    number: str,
) -> Page:
    """The 现场检查记录 filled in on site: one row an item of the checklist, sized to its text;
    a page it runs onto is titled with the enterprise, and the signatures — a blank for each
    officer of the group, both departments of a joint one — stay with the last items."""
    uscc = facts["uscc"]
    return Page(
        f"{plan.agency}现场检查记录",
        [
            number,
            f"被检查单位：{facts['name']}",
            f"统一社会信用代码：{uscc}　　行业类别：{facts['industry']}",
            f"地址：{facts['address'] or BLANK * 4}",
            f"抽查事项：{item}（{group.scope} {group_label(group.group)}）",
            f"检查依据：{basis or BLANK * 4}",
            f"检查人员：{officer_names(group, plan.agency, uscc)}",
            f"检查时间：{BLANK}年{BLANK}月{BLANK}日{BLANK}时至{BLANK}时",
        ],
        # Without a checklist in the plan, numbered blank lines to write what was checked.
        [[n, text, None, None] for n, text in enumerate(checklist or [""] * 10, 1)],
        after=[
            "发现的问题及处理意见：",
            "",
            "",
            signature_line(group, plan.agency, uscc),
            f"企业负责人签字：{BLANK * 3}　　日期：{BLANK}年{BLANK}月{BLANK}日",
        ],
        continued=f"现场检查记录（续）　被检查单位：{facts['name']}",
    )


def write_documents(
    plan: Plan,
    month: str,
    groups: Sequence[Group],
    addresses: Mapping[str, str],
    path: Path | None = None,
    numbers: Mapping[tuple[str, str], int] | None = None,
) -> list[Path]:
    """Write the 现场检查文书 of ``groups`` (``addresses``: 注册地址 by USCC) at ``path`` (the
    month's by default); the paths written. ``numbers``: each enterprise's place in the whole
    month, so that a unit's documents carry the 文号 of the month's."""
    pages: list[Page] = []
    for group in groups:
        task = plan.task(group.scope.split("/")[0])
        if task is None:
            continue
        base = plan.base_item(task)
        item = task_title(plan, task.id)
        for enterprise in group.enterprises:
            place = len(pages) // 2 if numbers is None else numbers[group.scope, enterprise.uscc]
            officers = officer_names(group, plan.agency, enterprise.uscc)
            facts = {
                "name": enterprise.name,
                "uscc": enterprise.uscc,
                "industry": group.industry,
                "address": addresses.get(enterprise.uscc, ""),
            }
            notice = _notice(
                plan,
                group,
                enterprise.name,
                item,
                base.basis,
                officers,
                _number(plan, month, 2 * place + 1),
            )
            record = _record(
                plan,
                group,
                facts,
                item,
                base.basis,
                plan.checklist_of(task),
                _number(plan, month, 2 * place + 2),
            )
            pages += [notice, record]
    sheet = PagedSheet(
        SHEET,
        HEADERS,
        pages,
        heading=f"{plan.agency} {month} 现场检查文书",
        widths=WIDTHS,
        room=row_height(1),  # a 检查情况 is a word: each item's row as tall as its text
        form=True,
    )
    path = path or documents_path(plan, month)
    return [path] if write_workbook(path, [sheet]) else []
