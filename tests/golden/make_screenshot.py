"""The README's picture of the HTML page: the seed's page in headless Chromium, the forward pass
in play and one cell's formula shown. Run it after a change to the page:

    python tests/golden/make_screenshot.py            # writes tests/golden/html_page.png (and .sha256)
    python tests/golden/make_screenshot.py OUT_DIR    # also light, dark, phone and print shots there
"""

import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]  # fmt: skip


def main(more: Path | None) -> None:
    page_file = Path(tempfile.mkdtemp()) / "seed.html"
    command = [sys.executable, "-m", "mlpstep", "run", "configs/seed.yaml", "--format", "html", "-o", str(page_file)]
    subprocess.run(command, check=True, cwd=HERE.parent.parent)
    digest = hashlib.sha256(page_file.read_bytes()).hexdigest()
    (HERE / "html_page.sha256").write_text(digest + "  the seed's page that html_page.png shows\n")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
        page = browser.new_page(viewport={"width": 900, "height": 620})
        page.goto(page_file.as_uri())
        page.get_by_role("button", name="forward", exact=True).click()
        page.evaluate("window.scrollTo(0, 0)")
        page.locator('td[data-formula^="z1[1,0]"]').hover()
        page.screenshot(path=HERE / "html_page.png")
        if more is not None:
            for name, options in {"light": {}, "dark": {"color_scheme": "dark"},
                                  "phone": {"viewport": {"width": 390, "height": 844}}}.items():  # fmt: skip
                shot = browser.new_page(**options)
                shot.goto(page_file.as_uri())
                shot.screenshot(path=more / f"{name}.png", full_page=True)
            shot.emulate_media(media="print")
            shot.pdf(path=more / "print.pdf")
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
