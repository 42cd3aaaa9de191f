"""Run the benchmarks: every bench/<name>.py exposing `run(report)` (or, for older scripts,
`main()`), in name order, each writing its own section of docs/benchmarks.md.

    python -m bench                 # all of them (make bench)
    python -m bench http_foundation extraction_accuracy   # some of them
    python -m bench --list          # what would run
    python -m bench --no-write NAME # print only, leave docs/benchmarks.md alone
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NOT_BENCHMARKS = {"__init__", "__main__", "common", "soak"}  # soak: make soak, minutes long


def discover() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.py") if p.stem not in NOT_BENCHMARKS and not p.stem.startswith("_"))


def entry_point(module):
    run = getattr(module, "run", None)
    if callable(run) and len(inspect.signature(run).parameters) >= 1:
        return "run", run
    main = getattr(module, "main", None)
    if callable(main):
        return "main", main
    return None, None


def run_one(name: str, report, write: bool) -> bool:
    started = time.perf_counter()
    print(f"\n=== bench {name} ===", flush=True)
    try:
        module = importlib.import_module(f"bench.{name}")
        kind, fn = entry_point(module)
        if kind is None:
            print(f"(bench/{name}.py has neither run(report) nor main(): skipped)")
            return True
        if kind == "run":
            fn(report)
            ok = True
        else:  # a stand-alone script: main() parses sys.argv and returns an exit status
            saved = sys.argv
            sys.argv = [str(HERE / f"{name}.py"), *([] if write else ["--no-write"])]
            try:
                status = fn()
            except SystemExit as exc:
                status = exc.code
            finally:
                sys.argv = saved
            ok = status in (None, 0)
    except Exception:  # noqa: BLE001 -- one broken benchmark must not hide the others' figures
        traceback.print_exc()
        ok = False
    print(f"=== {name}: {'ok' if ok else 'FAILED'} in {time.perf_counter() - started:.0f} s ===", flush=True)
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args(argv)
    for path in (str(ROOT), str(ROOT / "src")):
        if path not in sys.path:
            sys.path.insert(0, path)
    available = discover()
    if args.list:
        print("\n".join(available))
        return 0
    names = [n.removesuffix(".py").removeprefix("bench/") for n in args.names] or available
    unknown = [n for n in names if n not in available]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}")
    from bench.common import Report

    report = Report(write=not args.no_write)
    failed = [name for name in names if not run_one(name, report, write=not args.no_write)]
    if failed:
        print(f"\nFAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
