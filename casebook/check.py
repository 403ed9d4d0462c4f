"""``build.py check``: validate the content, the layouts and the downloads page template
without building: templates are run as HTML, nothing is laid out. Imports neither WeasyPrint
nor python-docx, and nothing POSIX-only; WeasyPrint reads the PDF's stylesheets
(:func:`casebook.templates.style_warnings`) in a second process, alongside the rest."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from casebook.build.manifest import Manifest
from casebook.content import load_corpus
from casebook.diagnostics import ContentError, Diagnostic
from casebook.glyphs import uncovered_characters
from casebook.layout import Layout, load_layout
from casebook.model import Corpus, Pack
from casebook.packs import check_pack_ids, select_packs
from casebook.reading import inside
from casebook.renderers import BUILTIN
from casebook.site import render_site_in_time, sample_manifests
from casebook.templates import Overtime, check_templates, in_time, style_warnings

__all__ = ["check_project", "render_problems"]


def check_project(
    content_dir: Path,
    layouts_dir: Path,
    brand: str | None = None,
    warnings: list[Diagnostic] | None = None,
    time_limit: float = 300.0,
) -> tuple[Corpus, tuple[Pack, ...]]:
    """Validate content, layouts, pack ids and the downloads page template without building;
    raise ContentError with every problem found. Warnings are appended to ``warnings``."""
    # Importing WeasyPrint takes about as long as reading the content: do both at once.
    with _beside(layouts_dir, time_limit) as styles:
        return _check(content_dir, layouts_dir, brand, warnings, time_limit, styles)


def _check(
    content_dir: Path,
    layouts_dir: Path,
    brand: str | None,
    warnings: list[Diagnostic] | None,
    time_limit: float,
    styles: Callable[[], list[Diagnostic]],
) -> tuple[Corpus, tuple[Pack, ...]]:
    problems: list[Diagnostic] = []
    corpus: Corpus | None = None
    packs: tuple[Pack, ...] = ()
    try:
        corpus = load_corpus(content_dir, warnings)
        packs = select_packs(corpus)
        check_pack_ids(packs, Path("dist"))
    except ContentError as error:
        problems.extend(error.diagnostics)
    try:
        layout = load_layout(layouts_dir, brand)
        problems.extend(check_templates(layout))
        if corpus is not None and not problems:
            problems.extend(
                in_time(
                    lambda: render_problems(layout, corpus, packs),
                    time_limit,
                    str(layout.root / "pdf"),
                    "the PDF templates",
                )
            )
            if warnings is not None:
                warnings.extend(uncovered_characters(content_dir, layout))
                warnings.extend(styles())
        sites = (Manifest(),) if corpus is None else sample_manifests(corpus, packs, BUILTIN)
        for site in sites:
            render_site_in_time(site, layout, time_limit)
    except ContentError as error:
        problems.extend(error.diagnostics)
    if problems or corpus is None:
        raise ContentError(dict.fromkeys(problems))  # a file two checks refuse, once
    return corpus, packs


def render_problems(layout: Layout, corpus: Corpus, packs: Sequence[Pack]) -> list[Diagnostic]:
    """Every mistake the PDF templates make when run (a missing value, a bad filter), which
    compiling them cannot find: the standard pack of one pack of each kind, and large print
    and the case cards of one, as HTML only. Nothing is laid out."""
    from casebook import cards, largeprint
    from casebook.document import compose_pack
    from casebook.pdf import TemplateError, render_html, template_environment

    problems: list[Diagnostic] = []
    sheets: set[tuple[str, str]] = set()  # (what, address) of each file a page reads
    env = template_environment(layout)
    env.auto_reload = False  # each template is read and compiled once for all these runs
    # Large print runs the standard pack's template too: once is enough for its own parts.
    runs = (render_html, largeprint.render_html, cards.template_html)
    for n, pack in enumerate({p.kind: p for p in reversed(packs)}.values()):
        document = compose_pack(pack, corpus)
        for run in runs if n == 0 else runs[:1]:
            try:
                made = run(document, layout, env=env)
            except TemplateError as error:  # what rendering a template raises
                problems.append(Diagnostic(error.where, error.line, error.reason))
                continue
            except Overtime:
                raise  # the time limit: stop here, not at the next pack
            except ContentError as error:
                problems.extend(error.diagnostics)
                continue
            for page in (made,) if isinstance(made, str) else made:
                sheets.update(_files_read(page))
    for what, href in sorted(sheets):
        address = urlsplit(href)
        path = layout.root / unquote(address.path)
        if address.scheme:  # figures (content:), the logo (file:), data: written out
            continue
        shows = "links" if what == "stylesheet" else "shows"
        if not path.is_file():
            problems.append(Diagnostic(str(path), 0, f"{what} not found (the PDF {shows} it)"))
        elif not inside(path, layout.root):
            problems.append(
                Diagnostic(
                    str(path),
                    0,
                    "is a link to a file outside layouts/, which the PDF does not read; "
                    f"put the {what} itself in layouts/",
                )
            )
    return problems


def _files_read(page: str) -> list[tuple[str, str]]:
    """The files an HTML page has the PDF read, as what each is ("stylesheet", "picture")
    and its address: the stylesheets it links and the pictures it shows."""

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[tuple[str, str]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = dict(attrs)
            rel = (values.get("rel") or "").lower().split()
            if tag == "link" and "stylesheet" in rel and values.get("href"):
                self.found.append(("stylesheet", str(values["href"])))
            elif tag == "img" and values.get("src"):
                self.found.append(("picture", str(values["src"])))

    links = Links()
    links.feed(page)
    links.close()
    return links.found


@contextmanager
def _beside(path: Path, seconds: float) -> Iterator[Callable[[], list[Diagnostic]]]:
    """:func:`style_warnings` of ``path``, begun in a second process forked from this one
    (on Linux; elsewhere, where forking is not safe, run here when asked for); what the
    context gives returns them, or raises ContentError when they take longer than
    ``seconds`` after it is asked (WeasyPrint stuck on a stylesheet would hang every PDF
    too). A check that fails before it asks stops the process rather than wait for it."""
    if sys.platform != "linux":
        yield lambda: style_warnings(path)
        return
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_send_style_warnings, args=(path, sending), daemon=True)
    process.start()
    sending.close()

    def result() -> list[Diagnostic]:
        if not receiving.poll(max(seconds, 1.0)):
            message = (
                f"WeasyPrint took longer than {max(seconds, 1.0):g} seconds to read the PDF "
                "stylesheets; a PDF build would stop at its time limit too"
            )
            raise ContentError([Diagnostic(str(path / "pdf"), 0, message)])
        try:
            warnings: list[Diagnostic] = receiving.recv()
        except EOFError:  # it failed or died: the reason shows when run here
            return style_warnings(path)
        return warnings

    try:
        yield result
    finally:
        if process.is_alive():
            process.kill()  # it only reads: nothing is left half done
        process.join()
        receiving.close()


def _send_style_warnings(path: Path, sending: Any) -> None:
    """In the second process: send :func:`style_warnings` of ``path``, or nothing when it
    fails (the first process then runs it itself and reports why). Ctrl-C and SIGTERM are
    the first process's to handle (it stops this one): here they stop it quietly."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        warnings = style_warnings(path)
    except Exception:
        return
    sending.send(warnings)
