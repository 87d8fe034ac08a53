"""python -m nn.playground [--data NAME] [--port N]: the live view in a browser, from a shell."""

from __future__ import annotations

import argparse

from .core import DATASETS, Playground


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m nn.playground", description="Watch a network learn, live.")
    parser.add_argument("--data", choices=DATASETS, default="moons", help="the dataset (default moons)")
    parser.add_argument("--port", type=int, default=0, help="the port on 127.0.0.1 (default: any free one)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    args = parser.parse_args(argv)
    Playground(data=args.data).serve(port=args.port, open_browser=not args.no_browser, block=True)


if __name__ == "__main__":
    main()
