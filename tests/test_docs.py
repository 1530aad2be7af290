"""The protocol document and the references to it.

docs/protocol.md is the source of truth of the protocol; code, tests and docs cite its
sections by number. These checks keep every citation pointing at a heading that exists
and keep the repository free of references to documents that are not in it.
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PROTOCOL = REPO_ROOT / "docs" / "protocol.md"

# Where citations live. The section sign is reserved for citations of the protocol there.
CITING_ROOTS = ("contracts/", "wekacoin_offchain/", "tests/", "docs/", "scripts/", "benchmarks/")
CITING_FILES = ("README.md", "ape_console_extras.py")

SECTION_HEADING = re.compile(r"^## (\d+)\. \S", re.MULTILINE)
SUBSECTION_HEADING = re.compile(r"^### (\d+)\.(\d+) \S", re.MULTILINE)
SECTION_SIGN = re.compile(r"§(\d+(?:\.\d+)?)")

# Names of documents outside the repository, assembled so that this file does not match
# itself by accident when it is read as text.
OUTSIDE_REFERENCES = ("PROTOCOL" + ".md", "round" + "_spec", "../" + "shared", "/work/" + "shared")


@cache
def tracked_files() -> tuple[Path, ...]:
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, check=True, capture_output=True, text=True
    ).stdout
    return tuple(REPO_ROOT / name for name in listing.split("\0") if name and (REPO_ROOT / name).is_file())


def relative(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def protocol_sections() -> set[str]:
    text = PROTOCOL.read_text(encoding="utf-8")
    sections = {match.group(1) for match in SECTION_HEADING.finditer(text)}
    subsections = {f"{match.group(1)}.{match.group(2)}" for match in SUBSECTION_HEADING.finditer(text)}
    return sections | subsections


def citing_files() -> list[Path]:
    return [
        path
        for path in tracked_files()
        if relative(path).startswith(CITING_ROOTS) or relative(path) in CITING_FILES
        if path.suffix in {".py", ".vy", ".vyi", ".md"}
    ]


def test_headings_are_numbered_in_order_and_each_number_names_one_heading() -> None:
    text = PROTOCOL.read_text(encoding="utf-8")
    numbered = re.findall(r"^(##|###) (\d+)\.(\d*) ?", text, re.MULTILINE)
    expected_section = 0
    expected_subsection = 0
    for level, section, subsection in numbered:
        if level == "##":
            expected_section += 1
            expected_subsection = 0
            assert (int(section), subsection) == (expected_section, ""), f"section {section}.{subsection}"
        else:
            expected_subsection += 1
            assert (int(section), int(subsection)) == (expected_section, expected_subsection), (
                f"subsection {section}.{subsection} after {expected_section}.{expected_subsection - 1}"
            )
    # The top-level topics other documents and the history rely on.
    assert expected_section >= 12
    for heading in (
        "## 7. Validators, weights and sortition",
        "## 10. Settlement and payouts",
        "## 12. Public interface",
    ):
        assert heading in text


def test_every_section_citation_names_a_heading_of_the_protocol() -> None:
    sections = protocol_sections()
    dangling = []
    cited = 0
    for path in citing_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in SECTION_SIGN.finditer(line):
                cited += 1
                if match.group(1) not in sections:
                    dangling.append(f"{relative(path)}:{number}: §{match.group(1)}")
    assert cited > 0
    assert not dangling, "citations of sections docs/protocol.md does not have:\n" + "\n".join(dangling)


def test_code_cites_the_protocol_by_its_path() -> None:
    # In contracts and Python a citation names the document, so that a reader can follow it.
    pattern = re.compile(r"docs/protocol\.md\s*(?:#\s*)?§\d")
    for folder in ("contracts/", "wekacoin_offchain/"):
        sources = [path for path in citing_files() if relative(path).startswith(folder) and path.suffix != ".md"]
        assert any(pattern.search(path.read_text(encoding="utf-8")) for path in sources), folder


def test_no_tracked_file_refers_to_documents_outside_the_repository() -> None:
    this_file = Path(__file__).resolve()
    offending = []
    for path in tracked_files():
        if path.resolve() == this_file:
            continue
        data = path.read_bytes()
        offending += [f"{relative(path)}: {name}" for name in OUTSIDE_REFERENCES if name.encode() in data]
    assert not offending, "references to documents outside the repository:\n" + "\n".join(offending)
