"""The files ``ssj init`` writes into a new workspace: the plan from its template, the two
roster templates to fill, 使用说明.txt and the daily run's schedule for this very folder."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from string import Template

from shuangsuiji.inputs.ceremony import PUBLIC_NUMBERS_DIR
from shuangsuiji.inputs.plan import Plan
from shuangsuiji.inputs.rosters import ENTERPRISE_COLUMNS, INDUSTRY, OFFICER_COLUMNS, STATUS
from shuangsuiji.outputs.excel import Sheet, workbook_bytes

PLAN_TEMPLATE = Path(__file__).with_name("templates") / "plan.yaml"
SCHEDULE_DIR = "定时任务"
GUIDE = "使用说明.txt"
# What registries write in 经营状态; the first three make an enterprise eligible (rules/keys.py).
STATUSES = ("存续", "在业", "开业", "停业", "歇业", "注销", "吊销", "迁出")
DUTIES = ("在岗", "休假", "病假", "借调", "离职", "退休")  # only 在岗 can be drawn
FILL_ROWS = 5000  # rows of a roster template that keep the drop-downs and the text format


def plan_text(agency: str, year: int, plan_name: str) -> str:
    """A plan of the example's items and joint tasks for ``agency``: the template's comments
    say what to change and what the seal fixes."""
    seed = f"{agency}{year}年度双随机抽查"
    return Template(PLAN_TEMPLATE.read_text(encoding="utf-8")).substitute(
        agency=agency,
        year=year,
        plan=plan_name,
        # JSON strings are YAML's double-quoted scalars: any name stays one value.
        agency_yaml=json.dumps(agency, ensure_ascii=False),
        seed_yaml=json.dumps(seed, ensure_ascii=False),
    )


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def roster_templates(plan: Plan) -> dict[str, bytes]:
    """The two rosters as empty workbooks to fill, by their file name in the plan: the headers
    ssj reads, drop-downs for the columns with fixed values, dates as dates."""
    industries = _unique([v for item in plan.items for v in item.targets.get(INDUSTRY, [])])
    enterprise_choices = {STATUS: STATUSES} | ({INDUSTRY: industries} if industries else {})
    departments = _unique([plan.agency, *(j.partner for j in plan.joint if j.partner)])
    officer_choices: dict[str, list[str] | tuple[str, ...]] = {
        "在岗状态": DUTIES,
        "所属机关": departments,
    }
    if industries:
        officer_choices["专业领域"] = industries
    enterprises = Sheet(
        title="企业名录",
        headers=[c.name for c in ENTERPRISE_COLUMNS],
        rows=[],
        choices=enterprise_choices,
        fill_rows=FILL_ROWS,
    )
    officers = Sheet(
        title="执法检查人员名录",
        headers=[c.name for c in OFFICER_COLUMNS],
        rows=[],
        choices=officer_choices,
        date_columns=["执法证有效期至"],
        fill_rows=FILL_ROWS,
    )
    return {
        plan.rosters.enterprises: workbook_bytes([enterprises]),
        plan.rosters.officers: workbook_bytes([officers]),
    }


def guide_text(plan: Plan, plan_name: str, ssj: str, created: str) -> str:
    """使用说明.txt: what is in the folder and the year's steps, with this folder's commands."""
    year = plan.year
    p = shlex.quote(plan_name)
    return f"""{plan.agency} {year} 年度“双随机、一公开”工作区
（ssj init 于 {created} 创建；以下命令在本文件夹中运行）

本文件夹中的文件
  {plan_name:<22}抽查计划：事项、比例、月份、公开随机数。已封存种子承诺。
  承诺书-{year}.txt        种子承诺书：打印、盖章，第一次抽取前公开并报纪检监察机构备案；
  承诺书-{year}.json       同一份承诺书，供 ssj verify --published 和复核页核对。
  ssj-secret.txt          种子秘密：只留在这台电脑上，不要复制、公开或删除（丢失见 ssj seal --help）。
  {plan.rosters.enterprises:<22}企业名录库模板：填好，或以同名放入本单位导出的名录库。
  {plan.rosters.officers:<22}执法检查人员名录库模板：同上。
  ssj.db                  台账：每次封存、抽取、分组、结果和公示都记在这里。不要手改，要备份。
  {SCHEDULE_DIR}/                每天自动运行 ssj run 的 crontab 行和 systemd 单元。

一年的步骤
  1. 按本机关的通知改好计划（计划文件开头的注释说明哪些内容改了要重新封存）。
  2. 填好两个名录库，然后运行
       ssj validate --plan {p}
     直到没有错误。它会说明哪个名录库还没有填、哪一行哪一列有问题。
  3. 把 承诺书-{year}.txt 打印盖章，在第一次抽取前公开（网站、公示栏），并报纪检监察机构备案。
  4. 每月抽取日（计划中的 draw_day，默认当月第 1 个工作日）前一天晚上开奖后，把公开随机数
     （{plan.ceremony_block.source if plan.ceremony_block else "计划 ceremony 中写明的号码"}）
     写入 {PUBLIC_NUMBERS_DIR}/YYYY-MM.txt，例如 {PUBLIC_NUMBERS_DIR}/{year}-03.txt 里写一行 3 8 1。
  5. 安装定时任务（{SCHEDULE_DIR}/ 里的文件开头有说明）。此后每天早上 ssj run 完成当天该做的一切：
     抽取、选派人员、写出检查任务单、导入 结果/ 里填好的任务单、写出公示表、提醒到期和逾期。
     也可以手动运行：
       ssj draw --plan {p} --month {year}-03
       ssj assign --plan {p} --month {year}-03
       ssj results import 结果/填好的任务单.xlsx --plan {p}
       ssj publish --plan {p}
       ssj deadline-check --plan {p}
  6. 年底：ssj report --plan {p} 写出年度统计；ssj verify 输出/ --published 承诺书-{year}.json
     从公开的记录重算全年的抽取。

帮助：ssj --help；每个命令 ssj 命令 --help。
"""


def schedule_files(folder: Path, plan_name: str, ssj: str, user: str) -> dict[str, str]:
    """The daily run for this folder: a crontab line and a systemd service with its timer."""
    where = shlex.quote(str(folder))
    run = f"{ssj} run --plan {shlex.quote(plan_name)}"
    crontab = f"""# ssj 每天的例行工作：每天 07:30 运行 ssj run（当天该做什么由它自己判断）。
# 安装：crontab -e，把下面两行粘贴进去（MAILTO 改成负责人的邮箱）。
# 退出码 1 表示有需要人处理的事项（逾期、没有结果、等待公开随机数），cron 会把输出发到 MAILTO；
# 每天的记录在 日志/ 文件夹里。
MAILTO=
30 7 * * * cd {where} && {run}
"""
    service = f"""# ssj 每天的例行工作（systemd）。复制到 /etc/systemd/system/，和 ssj-run.timer 一起：
#   systemctl daemon-reload && systemctl enable --now ssj-run.timer
# 退出码 1（有需要人处理的事项）不算成功：单元显示为 failed，systemctl --failed 可见。
[Unit]
Description=ssj 双随机、一公开 每天的例行工作（{folder.name}）

[Service]
Type=oneshot
User={user}
WorkingDirectory={folder}
ExecStart={run}
"""
    timer = """[Unit]
Description=每天早上运行 ssj run

[Timer]
OnCalendar=*-*-* 07:30:00
# 07:30 关着机的电脑在开机后补运行。
Persistent=true

[Install]
WantedBy=timers.target
"""
    return {
        f"{SCHEDULE_DIR}/crontab": crontab,
        f"{SCHEDULE_DIR}/ssj-run.service": service,
        f"{SCHEDULE_DIR}/ssj-run.timer": timer,
    }
