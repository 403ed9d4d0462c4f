"""Casebook's sessions: ``nox`` builds every pack; ``nox -s tests lint typecheck`` checks.

Each session installs what it needs from pyproject.toml into its own virtualenv.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["build"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = False


@nox.session
def build(session: nox.Session) -> None:
    """Build every pack into dist/ (pass build options after --, e.g. -- --only all-cases)."""
    session.install("-e", ".")
    session.run("python", "build.py", "build", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite without the real-client checks (pass pytest options after --).

    One worker per core (at most four), each taking whole modules, so that a module's
    shared build is made once."""
    session.install("-e", ".[test]")
    workers = ("-n", "auto", "--maxprocesses", "4", "--dist", "loadfile")
    session.run("pytest", "-m", "not clients", *workers, *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("-e", ".[lint]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy, strict, on the package and build.py."""
    session.install("-e", ".[typecheck]")
    session.run("mypy")


@nox.session
def clients(session: nox.Session) -> None:
    """Checks with real clients: LibreOffice, pandoc, Chromium, poppler and qpdf."""
    session.install("-e", ".[test,clients]")  # collecting the suite needs the test extras
    session.run("pytest", "-m", "clients", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmark: cold, no-op and one-case builds, the renderer limit, pandoc, scaling."""
    session.install("-e", ".[bench]")
    session.run("python", "bench/run.py", *session.posargs)


@nox.session
def update_golden(session: nox.Session) -> None:
    """Regenerate the golden files after a reviewed change to the output."""
    session.install("-e", ".[test]")
    session.run("pytest", "tests/golden", *session.posargs, env={"CASEBOOK_UPDATE_GOLDEN": "1"})
