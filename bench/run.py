"""Run every bench/bench_*.py and collect what they print in bench/RESULTS.md (see bench/README.md)."""

import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def machine() -> str:
    cpus = os.cpu_count()
    mem = ""
    try:
        kb = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{platform.machine()}, {cpus} cores{mem}, Python {platform.python_version()}, {pg or 'psql not found'}"


def main() -> int:
    only = sys.argv[1:]
    scripts = sorted(p for p in HERE.glob("bench_*.py") if not only or p.stem in only)
    sections = [f"# Benchmark results\n\nMachine: {machine()} (shared; compare ratios, not absolute times).\n"]
    status = 0
    for script in scripts:
        print(f"== {script.name}", flush=True)
        run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=HERE.parent)
        sys.stderr.write(run.stderr[-4000:])
        print(run.stdout)
        if run.returncode:
            status = run.returncode
            sections.append(f"## {script.stem}\n\nFAILED (exit {run.returncode})\n")
        else:
            sections.append(run.stdout.strip() + "\n")
    (HERE / "RESULTS.md").write_text("\n".join(sections))
    return status


if __name__ == "__main__":
    sys.exit(main())
