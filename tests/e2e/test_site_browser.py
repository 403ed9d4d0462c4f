"""The downloads page in a real browser (Debian's Chromium, driven by playwright)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from casebook.renderers import BUILTIN

pytestmark = pytest.mark.clients

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def browser() -> Any:
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium") or str(CHROMIUM)
    if not Path(executable).exists():
        pytest.skip("Chromium is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_downloads_page_works_offline_and_every_link_resolves(
    built_mini_project: Path, browser: Any, tmp_path: Path, viewport: str
) -> None:
    dist = built_mini_project / "dist"
    manifest = json.loads((dist / "manifest.json").read_text())
    page_url = (dist / "index.html").as_uri()
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else 0)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(page_url, wait_until="load")
    shot = tmp_path / f"downloads-{viewport}.png"
    page.screenshot(path=str(shot), full_page=True)

    assert requests == [page_url]
    assert problems == []
    assert shot.stat().st_size > 0
    # One h1, one h2 per pack, and the three landmarks.
    assert page.locator("h1").count() == 1
    titles = [pack["title"] for pack in manifest["packs"]]
    assert page.locator("h2").all_inner_texts() == titles
    for landmark in ("header", "main", "footer"):
        assert page.locator(landmark).count() == 1
    # Every download link names its pack and format and points at a file that exists.
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    downloads = page.locator("a.download")
    assert downloads.count() == len(manifest["outputs"])
    for output, link in zip(manifest["outputs"], downloads.all(), strict=True):
        pack = next(p for p in manifest["packs"] if p["id"] == output["pack"])
        name = next(spec.label for spec in BUILTIN if spec.name == output["format"])
        # The link's accessible name, and the link found by role and that name, as a screen
        # reader finds it.
        described = link.evaluate("a => a.ariaLabel")
        assert described.startswith(f"{name}, ")
        assert described.endswith(f" \u2013 {pack['title']}")
        # What the button shows, word for word, begins its name (a voice command finds it).
        shown = " ".join(link.text_content().split())
        assert described.replace(",", "").casefold().startswith(shown.replace(",", "").casefold())
        if output["pages"] is not None:
            pages = output["pages"]
            counted = "sheet" if output["format"] == "cards" else "page"
            assert f" {pages} {counted}" in described
        found = page.get_by_role("link", name=described, exact=True)
        assert found.evaluate_all("links => links.map(a => a.getAttribute('href'))") == [
            output["path"]
        ]
        assert " ".join(link.text_content().split()).startswith(f"{name} ")
    for href in hrefs:
        url = urlparse(href)
        if url.scheme == "file":
            assert Path(unquote(url.path)).is_file(), href
        else:
            assert href == manifest["source_url"]
    # A pack's buttons are one column, each as wide as the others, whatever its label.
    for card in page.locator("li.card").all():
        widths = card.locator("a.download").evaluate_all(
            "links => links.map(a => Math.round(a.getBoundingClientRect().width))"
        )
        assert len(set(widths)) <= 1, widths
    # Readable on a phone: nothing wider than the screen.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    context.close()


def _luminance(css: str) -> float:
    """The relative luminance (WCAG 2) of a computed colour, "rgb(r, g, b)"."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", css)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_a_keyboard_user_sees_where_the_focus_is(built_mini_project: Path, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((built_mini_project / "dist" / "index.html").as_uri(), wait_until="load")
    # Tab to the first download button, as a keyboard user does.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('download')"):
            break
    ring = page.evaluate(
        """() => {
            // The colour painted behind an element: its own, or the nearest ancestor's.
            const behind = (e) => {
                for (; e; e = e.parentElement) {
                    const colour = getComputedStyle(e).backgroundColor;
                    if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
                }
                return 'rgb(255, 255, 255)';
            };
            const a = document.activeElement, style = getComputedStyle(a);
            return {cls: a.className, style: style.outlineStyle, width: style.outlineWidth,
                    colour: style.outlineColor,
                    card: behind(a.parentElement), page: behind(document.body)};
        }"""
    )
    assert "download" in ring["cls"]
    assert ring["style"] == "solid" and float(ring["width"].removesuffix("px")) >= 2
    # WCAG 1.4.11: at least 3:1 against what is around it, the card and the page.
    assert _contrast(ring["colour"], ring["card"]) >= 3, ring
    assert _contrast(ring["colour"], ring["page"]) >= 3, ring
    page.close()


def test_a_link_to_each_kind_of_pack_brings_its_first_pack_into_view(
    built_mini_project: Path, browser: Any
) -> None:
    manifest = json.loads((built_mini_project / "dist" / "manifest.json").read_text())
    kinds: dict[str, list[dict[str, Any]]] = {}
    for pack in manifest["packs"]:
        kinds.setdefault(pack["kind"], []).append(pack)
    assert len(kinds) > 2  # the mini project has packs of every kind
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto((built_mini_project / "dist" / "index.html").as_uri(), wait_until="load")
    links = page.get_by_role("navigation", name="Kinds of pack").get_by_role("link")
    assert links.count() == len(kinds)
    for link, packs in zip(links.all(), kinds.values(), strict=True):
        assert link.get_attribute("href") == f"#{packs[0]['id']}"
        link.click()
        title = page.locator(f"#{packs[0]['id']} h2")
        assert title.inner_text() == packs[0]["title"]
        top = title.evaluate("h => h.getBoundingClientRect().top")
        assert 0 <= top < 844 / 2, (link.inner_text(), top)
        # The card it lands on is tagged with the same word: "Themed pack" on a "Themed" card.
        tag = page.locator(f"#{packs[0]['id']} .kind").inner_text()
        assert tag.casefold() == link.inner_text().split()[0].casefold(), tag
        page.evaluate("window.scrollTo(0, 0)")
    # Named for the kind, with how many packs it holds when more than one.
    labels = links.all_inner_texts()
    assert labels[0] == f"Insight packs ({len(kinds['insight'])})"
    assert "Complete pack" in labels
    context.close()
