"""One module per ``converge`` subcommand, each with ``configure(parser)`` and ``run(args)``."""
