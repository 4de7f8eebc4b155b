"""`casetrack` command line: one subcommand per module in `dashboard.commands`."""

from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMANDS = ("check", "score", "import_cases", "synth", "app", "response", "from_table", "export")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="casetrack", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"dashboard.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"dashboard.commands.{name}":
                raise
            continue
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
