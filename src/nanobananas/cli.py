"""The `nanobananas` command: serve, worker, migrate, createsuperuser, create, edit."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nanobananas", description="Self-hostable AI image studio.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    create = sub.add_parser("create", help="make a designed image from a prompt")
    create.add_argument("prompt")
    create.add_argument("-o", "--output", required=True, help="output file; its extension picks the format")
    create.add_argument("--size", help="WIDTHxHEIGHT, e.g. 1080x1350")

    edit = sub.add_parser("edit", help="edit an image with a plain-English instruction")
    edit.add_argument("input")
    edit.add_argument("instruction")
    edit.add_argument("-o", "--output", required=True, help="output file; its extension picks the format")
    edit.add_argument("--plan", action="store_true", help="print the plan as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    if args.command == "create":
        from nanobananas.engine.commands import create_command

        return create_command(prompt=args.prompt, output=args.output, size=args.size)
    if args.command == "edit":
        from nanobananas.engine.commands import edit_command

        return edit_command(
            input_path=args.input, instruction=args.instruction, output=args.output, show_plan=args.plan
        )
    raise AssertionError(f"unhandled command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
