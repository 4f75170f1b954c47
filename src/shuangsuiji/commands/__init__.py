"""One module per command's flow: load the inputs, call the rule once, store, write outputs.

Everything the command line does is one call away here, e.g.
``from shuangsuiji.commands.draw import draw_month``.
"""
