"""``python -m llmcost``: the same command line as the ``llmcost`` script."""

from llmcost._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
