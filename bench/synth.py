"""Synthetic content for the scaling benchmark: the real cases, copied under new ids and places.

``generate(content, out, cases)`` writes a complete content folder with ``cases`` cases (a
multiple of the real count is not required: copies are taken in report order until the
count is reached). Copy ``k`` of a case keeps its title, page, insight, tags and body, gets
the id ``syn<k>-<id>`` and places ``<place> <k>`` with the real place's nation and kind, so
every insight and nation pack and every tag recipe grows in proportion. Its prompts are the
real ones, marked ``(copy k)`` from the second copy on, since no two cases may share a prompt,
and its body ends with a line "(Copy k.)", since no two may share their text.
The result is for measuring only and is never committed.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["SyntheticCase", "generate", "read_cases"]

_FENCE = "---"
_COPIED = ("source.yaml", "insights.yaml", "tags.yaml", "guide.md")


@dataclass(frozen=True)
class SyntheticCase:
    """A real case file, split into its front matter fields and its Markdown body."""

    id: str
    title: str
    places: tuple[str, ...]
    page: int
    insight: str
    tags: tuple[str, ...]
    prompts: tuple[str, ...]
    body: str


def read_cases(content: Path) -> tuple[SyntheticCase, ...]:
    """The cases under ``content/cases``, sorted by id, split into fields and body."""
    cases: list[SyntheticCase] = []
    for path in sorted((content / "cases").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        if lines[0].strip() != _FENCE:
            raise ValueError(f"{path}: no front matter")
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == _FENCE)
        meta = yaml.safe_load("\n".join(lines[1:end]))
        cases.append(
            SyntheticCase(
                id=path.stem,
                title=str(meta["title"]),
                places=tuple(str(p) for p in meta["places"]),
                page=int(meta["page"]),
                insight=str(meta["insight"]),
                tags=tuple(str(t) for t in meta["tags"]),
                prompts=tuple(str(p) for p in meta.get("prompts") or ()),
                body="\n".join(lines[end + 1 :]),
            )
        )
    return tuple(cases)


def generate(content: Path, out: Path, cases: int) -> Path:
    """Write a content folder with ``cases`` synthetic cases into ``out``; returns ``out``."""
    real = read_cases(content)
    if cases < 1:
        raise ValueError("cases must be at least 1")
    out.mkdir(parents=True, exist_ok=True)
    for name in _COPIED:
        shutil.copyfile(content / name, out / name)
    if (content / "editions").is_dir():  # the editions, so the packs print the real one
        shutil.copytree(content / "editions", out / "editions", dirs_exist_ok=True)
    if (content / "media").is_dir():
        shutil.copytree(content / "media", out / "media", dirs_exist_ok=True)
    else:
        (out / "media").mkdir(exist_ok=True)
    real_places = {p["name"]: p for p in yaml.safe_load((content / "places.yaml").read_text())}
    copies = -(-cases // len(real))  # ceiling
    places: list[dict[str, str]] = []
    for k in range(1, copies + 1):
        for name, place in sorted(real_places.items()):
            places.append(
                {"name": _place(name, k), "nation": place["nation"], "kind": place["kind"]}
            )
    (out / "places.yaml").write_text(
        yaml.safe_dump(places, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    folder = out / "cases"
    folder.mkdir(exist_ok=True)
    written = 0
    for k in range(1, copies + 1):
        for case in real:
            if written == cases:
                break
            _write_case(folder / f"{_case_id(case.id, k)}.md", case, k)
            written += 1
    _write_recipes(content, out, copies)
    return out


def _place(name: str, copy: int) -> str:
    return f"{name} {copy}"


def _prompt(prompt: str, copy: int) -> str:
    return prompt if copy == 1 else f"{prompt.removesuffix('?')} (copy {copy})?"


def _case_id(case_id: str, copy: int) -> str:
    return f"syn{copy}-{case_id}"


def _write_case(path: Path, case: SyntheticCase, copy: int) -> None:
    # JSON strings and lists are valid YAML flow scalars and sequences.
    front = [
        _FENCE,
        f"title: {json.dumps(case.title, ensure_ascii=False)}",
        f"places: {json.dumps([_place(p, copy) for p in case.places], ensure_ascii=False)}",
        f"page: {case.page}",
        f"insight: {case.insight}",
        f"tags: {json.dumps(list(case.tags))}",
        f"prompts: {json.dumps([_prompt(p, copy) for p in case.prompts], ensure_ascii=False)}",
        _FENCE,
    ]
    # No two cases may share their text either: a copy ends with a line saying which it is.
    body = case.body if copy == 1 else f"{case.body.rstrip()}\n\n(Copy {copy}.)\n"
    path.write_text("\n".join(front) + "\n" + body, encoding="utf-8")


def _write_recipes(content: Path, out: Path, copies: int) -> None:
    """Copy the custom packs; a recipe's named cases and places are taken in every copy."""
    target = out / "packs"
    target.mkdir(exist_ok=True)
    source = content / "packs"
    if not source.is_dir():
        return
    for path in sorted(source.glob("*.yaml")):
        recipe = yaml.safe_load(path.read_text(encoding="utf-8"))
        select = recipe.get("select") or {}
        if select.get("places"):
            select["places"] = [
                _place(v, k) for k in range(1, copies + 1) for v in select["places"]
            ]
        if select.get("cases"):
            named = (_case_id(v, k) for k in range(1, copies + 1) for v in select["cases"])
            select["cases"] = [c for c in named if (out / "cases" / f"{c}.md").is_file()]
        (target / path.name).write_text(
            yaml.safe_dump(recipe, sort_keys=False, allow_unicode=True, width=100),
            encoding="utf-8",
        )
