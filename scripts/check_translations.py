"""Fail when a catalog has untranslated or fuzzy entries (every string ships in Chinese)."""
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def problems():
    found = []
    for po in sorted((ROOT / "app" / "translations").glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
            if not all(strings) or message.fuzzy:
                found.append(f"{po.relative_to(ROOT)}: {message.id!r}")
    return found


if __name__ == "__main__":
    missing = problems()
    print("\n".join(missing) or "all strings translated")
    sys.exit(1 if missing else 0)
