"""Fail when a string of the code or templates has no Chinese translation.

Strings are extracted afresh from the sources (the same command as `make
translations`, into a temporary file), so a string missing from the catalog is
caught as surely as an empty or fuzzy entry in it.
"""
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
# Keep in step with the Makefile's `translations` target.
EXTRACT = ["-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
           "--ignore-dirs", ".* __pycache__", "--no-location"]


def source_ids():
    with tempfile.TemporaryDirectory() as folder:
        pot = Path(folder) / "messages.pot"
        subprocess.run([sys.executable, *EXTRACT, "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
        with pot.open("rb") as handle:
            return {message.id for message in read_po(handle) if message.id}


def problems():
    found = []
    wanted = source_ids()
    for po in sorted((ROOT / "app" / "translations").glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        translated = set()
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
            if not all(strings) or message.fuzzy:
                found.append(f"{po.relative_to(ROOT)}: untranslated {message.id!r}")
            else:
                translated.add(message.id)
        found += [f"{po.relative_to(ROOT)}: not in the catalog {i!r} (run `make translations`)"
                  for i in sorted(wanted - translated, key=str) if i not in {m.id for m in catalog}]
    return found


if __name__ == "__main__":
    missing = problems()
    print("\n".join(missing) or "all strings translated")
    sys.exit(1 if missing else 0)
