"""Writing the 承诺书 (docs/spec.md §4.3): a short text to print, sign and lodge, and the same as
JSON for verifiers (``ssj verify --published``, the verification page)."""

from __future__ import annotations

from pathlib import Path

from shuangsuiji.inputs.pledge import pledge_name
from shuangsuiji.ledger.files import write_atomic
from shuangsuiji.rules.pledge import Pledge, PledgedTask


def _ratio(task: PledgedTask) -> str:
    if isinstance(task.ratio, str):
        return task.ratio
    ratio = dict(task.ratio)
    by = ratio.pop("by")
    return f"按“{by}”分层：" + "，".join(f"{k} {v}" for k, v in ratio.items())


def _targets(task: PledgedTask) -> str:
    return "；".join(f"{column} 为 {'、'.join(values)}" for column, values in task.targets.items())


def pledge_text(pledge: Pledge) -> str:
    """The 承诺书 as people read it."""
    params = pledge.parameters
    lines = [
        f"{pledge.agency} {pledge.year} 年度“双随机、一公开”随机抽取承诺书",
        "",
        f"本机关承诺：{pledge.year} 年度自 {pledge.applies_from} 起的随机抽取严格按本承诺书的参数进行。"
        "每次抽取的记录都会公开，任何人都可以用 ssj verify --published 本承诺书的 JSON 文件，"
        "或在抽取复核页上选择它，逐项核对。",
    ]
    if pledge.replaces:
        lines += [
            "",
            f"本承诺书取代此前公开的种子承诺 {pledge.replaces}，自 {pledge.applies_from} 起适用；"
            f"原因：{pledge.reason or '未说明'}。此前各月的抽取仍按原承诺书核对。",
        ]
    lines += [
        "",
        "一、种子承诺（commitment）",
        f"    {pledge.commitment}",
        "    各月抽取使用该哈希链上当月的秘密值，秘密值在当月抽取时随记录公开；",
        "    把某月的秘密值按月份数连续做 SHA-256，应得到上面的承诺值。",
        "",
        "二、公开随机数",
    ]
    if params.ceremony is None:
        lines.append("    不加入。（注意：这样本机关事先就能算出各月的抽取结果。）")
    else:
        lines += [
            f"    来源：{params.ceremony.source}",
            f"    格式：{params.ceremony.pattern}（正则表达式，按规范写法匹配）",
            "    规范写法：全角转半角；数字之间的其他字符一律换成一个空格；去掉每个数的前导零；去掉首尾空格。",
            "    例如“03，1，5”的规范写法是“3 1 5”。只有规范写法进入抽取种子。",
        ]
    days = "、".join(params.draw_days.values())
    lines += [
        "",
        "三、抽取日",
        f"    每个抽取月的第 {params.draw_day} 个工作日：{days}。抽取日之前不抽取。",
        "",
        "四、抽查事项与联合抽查",
    ]
    for task in params.tasks:
        months = "、".join(f"{m} 月" for m in task.months)
        head = f"    {task.id}"
        if task.covers:
            head += f"（与{task.partner}联合，对象同 {task.covers}）"
        lines.append(f"{head}：{_targets(task)}；比例 {_ratio(task)}；{months}；方式 {task.method}")
        if task.sources:
            lines.append(f"        随机源（事先公布）：{task.sources}")
    lines += ["", "五、本年度在其他平台抽取、已导入的名单"]
    if pledge.imports:
        lines += [f"    {i.scope}：{i.file}，SHA-256 {i.sha256}" for i in pledge.imports]
    else:
        lines.append("    无。此后不再导入任何名单。")
    lines += [
        "",
        "六、摘要",
        f"    种子标签：{params.seed}",
        f"    参数的 SHA-256：{pledge.parameters_sha256}",
        f"    （{pledge_name(pledge.year, 1, '.json')} 中 parameters 按键排序、无空格的 JSON 文本的 SHA-256）",
        "",
        "本承诺书在第一次抽取之前公开，并报送上级机关和纪检监察机关备案。",
        "",
        "",
        f"{pledge.agency}（盖章）",
        "",
        f"{pledge.issued_at[:10]}",
        "",
    ]
    return "\n".join(lines)


def write_pledge(folder: Path, pledge: Pledge, version: int) -> list[Path]:
    """The 承诺书's text and JSON, written atomically in the workspace."""
    written = []
    for suffix, text in ((".txt", pledge_text(pledge)), (".json", pledge.to_json())):
        path = folder / pledge_name(pledge.year, version, suffix)
        write_atomic(path, text)
        written.append(path)
    return written
