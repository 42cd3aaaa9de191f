"""The `egov` command: `egov demo`, `egov serve`, `egov worker`, `egov check`, `egov audit verify`,
`egov apikey create ...`, `egov official create ...`, `egov dossiers stats-check|stats-rebuild`,
`egov backup`, `egov restore FILE`, `egov keys rotate`, `egov exchange peer add|list|agencies ...`,
and any Django command as `egov manage ...`."""

from __future__ import annotations

import os
import sys

SHORTCUTS = {"demo", "serve", "worker", "check", "audit", "apikey", "official", "procedures", "migrate", "dossiers",
             "backup", "restore", "keys", "exchange"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    from django.core.management import execute_from_command_line

    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        print("Lệnh: " + ", ".join(sorted(SHORTCUTS)) + ", manage <lệnh Django>")
        return
    if argv[0] == "manage":
        argv = argv[1:]
    elif argv[0] not in SHORTCUTS:
        print(f"egov: lệnh không rõ '{argv[0]}'. Xem 'egov --help'.", file=sys.stderr)
        sys.exit(2)
    execute_from_command_line(["egov", *argv])


if __name__ == "__main__":
    main()
