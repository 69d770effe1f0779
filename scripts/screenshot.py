#!/usr/bin/env python3
"""Take a PNG screenshot of a page of a running Peelian server with Debian's Chromium.

    .venv/bin/python scripts/screenshot.py http://127.0.0.1:8123/ docs/img/home.png
    .venv/bin/python scripts/screenshot.py URL OUT.png --width 390 --height 844 --full-page

Uses the same headless Chromium setup as the accessibility tests
(peelian/web/tests/test_accessibility.py).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

CHROMIUM = os.environ.get("PEELIAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the page, e.g. http://127.0.0.1:8123/")
    parser.add_argument("output", type=Path, help="where to write the PNG")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--full-page", action="store_true", help="the whole page, not one screen")
    parser.add_argument("--language", default="en", help="the browser's Accept-Language")
    args = parser.parse_args(argv)

    if not Path(CHROMIUM).is_file():
        print(f"no Chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    args.output.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(
                viewport={"width": args.width, "height": args.height},
                locale=args.language,
            )
            response = page.goto(args.url, wait_until="networkidle")
            if response is None or not response.ok:
                status = response.status if response else "no response"
                print(f"{args.url} answered {status}", file=sys.stderr)
                return 1
            page.screenshot(path=str(args.output), full_page=args.full_page)
        finally:
            browser.close()
    print(f"{args.output} ({args.width}x{args.height})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
