"""egov benchmarks: `make bench` (= `python -m bench`) runs every bench/<name>.py with `run(report)`.

See bench/common.py for the shared machinery and docs/benchmarks.md for the results.
"""
