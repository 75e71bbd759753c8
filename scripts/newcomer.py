#!/usr/bin/env python3
"""A newcomer's first hour, as CI runs it: follow README.md from a fresh
clone in a temporary directory, then docs/*.md.

Every fenced block of the pages is read in order:

* ```sh: a shell script, run with bash (`set -euo pipefail`) in the current
  folder, which a `cd` in it changes for the blocks after it. It must exit 0.
* ```LANG file=PATH: written to PATH (relative to the temporary directory,
  where the README's `git clone` puts `asl/` and `cargo new` the user's
  crate), for the commands after it to build.
* ```text output: the stdout the previous sh block must print, exactly
  (trailing spaces aside); `output=stderr` its stderr, `output=merged` both
  as a terminal shows them.
* anything else (a fragment, a Terraform or YAML snippet, a long-running
  server): documentation, not run.

Two things differ from a person's run, and only these: `git clone` of the
project's URL clones this checkout (CI has no network beyond the package
registries), and `cargo install` puts `asl` in the temporary directory, its
release build without whole-program LTO and at opt-level 1 (CI's time
budget; the binary behaves the same, only slower).

  python3 scripts/newcomer.py [--keep]    # --keep leaves the directory
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJECT_URL = "https://github.com/asl-rs/asl"
# A block that runs longer hangs (a server never answering, a loop never
# ending): CI fails it rather than wait its whole budget.
BLOCK_SECONDS = 600
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```\s*$", re.S | re.M)


def blocks(text):
    """(info words, attributes, body) of each fenced block, in order."""
    for m in FENCE.finditer(text):
        words = m.group(1).split()
        attrs = dict(w.split("=", 1) if "=" in w else (w, "") for w in words[1:])
        yield (words[0] if words else ""), attrs, m.group(2)


def run_sh(body, cwd, env, page, n):
    """Runs a sh block; returns its stdout, its stderr, the folder it ended in and the script run."""
    script = body.replace(f"git clone {PROJECT_URL}", f"git clone -q {REPO} asl")
    marker = os.path.join(env["NEWCOMER_TMP"], ".cwd")
    wrapped = f"set -euo pipefail\n{script}\npwd > {marker}\n"
    started = time.time()
    try:
        split = subprocess.run(["bash", "-c", wrapped], cwd=cwd, env=env, capture_output=True, text=True,
                               timeout=BLOCK_SECONDS)
    except subprocess.TimeoutExpired as e:
        print(e.stdout or "", e.stderr or "", sep="\n")
        raise SystemExit(f"FAILED: {page} block {n} ran past {BLOCK_SECONDS} s:\n{script}")
    took = time.time() - started
    print(f"--- {page} block {n} ({took:.1f} s) in {cwd}:\n{script.rstrip()}", flush=True)
    if split.returncode != 0:
        print(split.stdout[-4000:], split.stderr[-8000:], sep="\n")
        raise SystemExit(f"FAILED: {page} block {n} exited {split.returncode}")
    with open(marker) as f:
        new_cwd = f.read().strip()
    return split.stdout, split.stderr, new_cwd, wrapped


def merged_output(wrapped, cwd, env):
    """stdout and stderr in one stream, in the order a terminal shows them."""
    out = subprocess.run(["bash", "-c", wrapped], cwd=cwd, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=BLOCK_SECONDS)
    return out.stdout


def normal(text):
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))


def follow(page, tmp, cwd, env):
    text = open(os.path.join(REPO, page) if not os.path.isabs(page) else page).read()
    last = None
    ran = checked = written = 0
    for n, (lang, attrs, body) in enumerate(blocks(text), 1):
        if "file" in attrs:
            path = os.path.join(tmp, attrs["file"])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(body)
            written += 1
        elif lang == "sh":
            before = cwd
            stdout, stderr, cwd, wrapped = run_sh(body, cwd, env, page, n)
            last = (stdout, stderr, wrapped, before)
            ran += 1
        elif lang == "text" and "output" in attrs:
            if last is None:
                raise SystemExit(f"FAILED: {page} block {n}: an output with no command before it")
            stdout, stderr, wrapped, before = last
            which = attrs["output"] or "stdout"
            got = {"stdout": stdout, "stderr": stderr}.get(which)
            if which == "merged":
                got = merged_output(wrapped, before, env)
            if normal(got) != normal(body):
                print(f"expected ({which}):\n{body}\ngot:\n{got}")
                raise SystemExit(f"FAILED: {page} block {n}: the output differs from the page")
            checked += 1
    print(f"=== {page}: {ran} command blocks ran, {checked} outputs matched, {written} files written", flush=True)
    return cwd


def main():
    keep = "--keep" in sys.argv
    tmp = tempfile.mkdtemp(prefix="asl-newcomer-")
    env = dict(os.environ)
    env.update({
        "NEWCOMER_TMP": tmp,
        "CARGO_INSTALL_ROOT": os.path.join(tmp, "cargo-root"),
        "CARGO_TARGET_DIR": os.path.join(tmp, "target"),
        "CARGO_PROFILE_RELEASE_LTO": "false",
        "CARGO_PROFILE_RELEASE_CODEGEN_UNITS": "16",
        "CARGO_PROFILE_RELEASE_OPT_LEVEL": "1",
        "CARGO_TERM_COLOR": "never",
        "PATH": os.path.join(tmp, "cargo-root", "bin") + os.pathsep + env["PATH"],
    })
    env.pop("RUST_LOG", None)
    started = time.time()
    try:
        follow("README.md", tmp, tmp, env)
        clone = os.path.join(tmp, "asl")
        for page in sorted(os.listdir(os.path.join(REPO, "docs"))):
            if page.endswith(".md"):
                follow(os.path.join(clone, "docs", page), tmp, clone, env)
    finally:
        print(f"newcomer: {time.time() - started:.0f} s in {tmp}")
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print("newcomer: every page ran as written")


if __name__ == "__main__":
    main()
