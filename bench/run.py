"""Run every bench/bench_*.py and collect what they print in bench/RESULTS.md (see bench/README.md).

    python bench/run.py                     # all of them
    python bench/run.py bench_national      # only these (by name)
    python bench/run.py --quick             # fewer rounds, short wrk runs (BENCH_QUICK=1)

Each section gets the machine's load average (1 minute) before and after it and its wall time: the machine may be
shared, so its figures are ratios measured within one run.
"""

import os
import platform
import subprocess
import sys
import time
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
    args = sys.argv[1:]
    if "--quick" in args:
        args.remove("--quick")
        os.environ["BENCH_QUICK"] = "1"
    only = args
    scripts = sorted(p for p in HERE.glob("bench_*.py") if not only or p.stem in only)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    sections = [f"# Benchmark results\n\nMachine: {machine()} (shared; compare ratios, not absolute times). Run "
                f"{started}{' in quick mode' if os.environ.get('BENCH_QUICK') else ''}; load average (1 min) at the "
                f"start: {os.getloadavg()[0]:.1f}.\n"]
    status = 0
    for script in scripts:
        print(f"== {script.name}", flush=True)
        load_before, t0 = os.getloadavg()[0], time.monotonic()
        run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=HERE.parent)
        took, load_after = time.monotonic() - t0, os.getloadavg()[0]
        sys.stderr.write(run.stderr[-4000:])
        print(run.stdout)
        footer = f"\n_{script.name}: {took:.0f} s; load average (1 min) {load_before:.1f} before, {load_after:.1f} after._\n"
        if run.returncode:
            status = run.returncode
            sections.append(f"## {script.stem}\n\nFAILED (exit {run.returncode})\n" + footer)
        else:
            sections.append(run.stdout.strip() + "\n" + footer)
    (HERE / "RESULTS.md").write_text("\n".join(sections))
    return status


if __name__ == "__main__":
    sys.exit(main())
