"""Every file written for people: record files and workbooks under 输出/, the run log, the plan."""

OUTPUT_DIR = "输出"  # the workspace's folder for everything published or handed out
