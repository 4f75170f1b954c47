"""Allow ``python -m shuangsuiji``."""

from shuangsuiji.cli import main

main()
