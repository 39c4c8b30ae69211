"""What the FAQ's semantic matcher adds to an install: disk use of fresh virtualenvs, by package.

Usage: python benchmarks/faq_install.py [--python PYTHON] [--keep DIR] [-- PIP ARGS...]

Builds two virtualenvs from this checkout with `pip install .` (not editable, so the bundled
model sits in site-packages as it does for a user):

- "full": the project as the README's quick start installs it;
- "base": the same project without the semantic matcher's own dependencies (numpy, onnxruntime,
  tokenizers, threadpoolctl, and whatever only they pull in), so the bot answers lexically.

"On top of the base" is full minus base: every distribution only the full install has, plus
the model files (coachbot/faq/model/) inside coachbot itself. Sizes are disk use (`du`, blocks
of every file a distribution's RECORD lists, its compiled bytecode included), in MB of 10^6
bytes. Arguments after `--` go to both `pip install` runs (say, `--constraint FILE` to try
other versions of the dependencies).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEMANTIC = {"numpy", "onnxruntime", "tokenizers", "threadpoolctl"}
MODEL = ROOT / "coachbot" / "faq" / "model"

# Runs inside each virtualenv: disk use per installed distribution, from its RECORD.
SIZES = """
import json, os
from importlib.metadata import distributions
out = {}
for dist in distributions():
    total, model = 0, 0
    for file in dist.files or []:
        path = file.locate()
        try:
            used = os.stat(path).st_blocks * 512
        except OSError:
            continue
        total += used
        if "coachbot/faq/model/" in str(file):
            model += used
    out[dist.metadata["Name"].lower().replace("_", "-")] = [total, model, dist.version]
print(json.dumps(out))
"""


def requirement_name(spec: str) -> str:
    return re.split(r"[\s\[<>=!~;]", spec, maxsplit=1)[0].lower().replace("_", "-")


def venv(python: str, where: Path, install: list[str], pip_args: list[str]) -> dict[str, list]:
    subprocess.run([python, "-m", "venv", str(where)], check=True)
    pip = [str(where / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    for step in install:
        subprocess.run([*pip, *step.split("\0"), *pip_args], check=True)
    done = subprocess.run([str(where / "bin" / "python"), "-c", SIZES], check=True,
                          capture_output=True, text=True)
    sizes: dict[str, list] = json.loads(done.stdout)
    return sizes


def mb(size: float) -> str:
    return f"{size / 1e6:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter to build the virtualenvs with")
    parser.add_argument("--keep", type=Path, help="build the virtualenvs here and keep them")
    parser.add_argument("pip_args", nargs="*", help="after --: more arguments for pip install")
    args = parser.parse_args()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    base_deps = [d for d in project["dependencies"] if requirement_name(d) not in SEMANTIC]
    with tempfile.TemporaryDirectory() as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        full = venv(args.python, work / "full", [str(ROOT)], args.pip_args)
        base = venv(args.python, work / "base", ["\0".join(base_deps), f"--no-deps\0{ROOT}"], args.pip_args)
    total_full = sum(size for size, _, _ in full.values())
    total_base = sum(size for size, _, _ in base.values())
    model = full["coachbot"][1]
    extra = {name: row for name, row in full.items() if name not in base}
    print(f"base install (site-packages, lexical matcher only): {mb(total_base - base['coachbot'][1])} MB")
    print(f"full install (the README's quick start):             {mb(total_full)} MB\n")
    print("on top of the base:")
    for name, (size, _, version) in sorted(extra.items(), key=lambda kv: -kv[1][0]):
        print(f"  {mb(size):>6} MB  {name} {version}")
    print(f"  {mb(model):>6} MB  the model (coachbot/faq/model/)")
    print(f"  {mb(sum(r[0] for r in extra.values()) + model):>6} MB  in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
