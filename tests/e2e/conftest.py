"""Browser-test fixtures: a fixed laptop-sized window and the `shot` screenshot helper.

`shot(page, name)` writes `<name>.png` into the folder named by FLIPSIDE_SCREENSHOTS (the README's
pictures are made with `FLIPSIDE_SCREENSHOTS=docs/screenshots`); without it the pictures go to the
test's tmp_path, so an ordinary test run never changes tracked files.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page

VIEWPORT = {"width": 1280, "height": 800}
# Long pages are cut here: a README picture should show one screenful or two, and stay small.
MAX_HEIGHT = 1600


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT}


@pytest.fixture
def shot(tmp_path) -> Callable[..., Path]:
    """``shot(page, name, *, top=None, height=MAX_HEIGHT)`` saves a full-width PNG and returns its path.

    ``top`` (a locator) starts the picture just above that element instead of at the top of the page.
    """
    folder = Path(os.environ["FLIPSIDE_SCREENSHOTS"]) if os.environ.get("FLIPSIDE_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str, *, top: Locator | None = None, height: int = MAX_HEIGHT) -> Path:
        page.wait_for_load_state("networkidle")
        width, page_height = page.evaluate(
            "[document.documentElement.clientWidth, document.documentElement.scrollHeight]")
        y = 0.0
        if top is not None:
            box = top.bounding_box()
            assert box is not None, f"{top} is not on the page"
            y = max(0.0, box["y"] + page.evaluate("window.scrollY") - 16)
        clip = {"x": 0, "y": y, "width": width, "height": min(height, page_height - y)}
        path = folder / f"{name}.png"
        page.screenshot(path=path, full_page=True, clip=clip, animations="disabled")
        return path

    return take
