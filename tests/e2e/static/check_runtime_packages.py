#!/usr/bin/env python3
"""Checks scripts/runtime-packages.txt, what the images' runtime stage installs:
every package exists in Debian, and every shared library the built binaries
load comes from a listed package or from debian:bookworm-slim itself.

usage: check_runtime_packages.py REPO BINARY... [--allow PACKAGE]...
  --allow: also accept PACKAGE (sanitizer runtimes in instrumented builds)
"""

import re
import subprocess
import sys
from pathlib import Path

# Part of debian:bookworm-slim (apt and coreutils need them), so never listed.
SLIM_BASE = {"libc6", "libstdc++6", "libgcc-s1"}


def run(*command):
    return subprocess.run(command, capture_output=True, text=True)


def listed_packages(repo):
    text = (repo / "scripts/runtime-packages.txt").read_text()
    return [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]


def unknown_to_debian(packages):
    """Packages apt-cache does not know (one call: apt-cache loads its cache
    each time) and that are not installed either (an installed package came
    from the package lists too, which a cleaned machine may lack)."""
    shown = run("apt-cache", "show", "--no-all-versions", *packages).stdout
    known = set(re.findall(r"^Package: (\S+)", shown, re.MULTILINE))
    unknown = []
    for package in packages:
        if package in known:
            continue
        status = run("dpkg-query", "-W", "-f=${Status}", package)
        if status.returncode != 0 or "ok installed" not in status.stdout:
            unknown.append(package)
    return unknown


def needed_libraries(binary):
    dump = run("objdump", "-p", str(binary))
    if dump.returncode != 0:
        raise SystemExit(f"objdump failed on {binary}: {dump.stderr}")
    return re.findall(r"^\s*NEEDED\s+(\S+)", dump.stdout, re.MULTILINE)


def resolved_paths(binary):
    paths = {}
    for line in run("ldd", str(binary)).stdout.splitlines():
        match = re.match(r"\s*(\S+)\s+=>\s+(/\S+)", line)
        if match:
            paths[match.group(1)] = match.group(2)
    return paths


def path_variants(path):
    # With merged /usr a library may be registered under /lib or /usr/lib.
    variants = {path, Path(path).resolve().as_posix()}
    for variant in list(variants):
        if variant.startswith("/usr/lib/"):
            variants.add(variant[len("/usr"):])
        elif variant.startswith("/lib/"):
            variants.add("/usr" + variant)
    return variants


def owning_packages(paths):
    """Package of each library path, from a single dpkg-query (it reads every
    file list on each call, so one call for all paths keeps this fast)."""
    variants = {path: path_variants(path) for path in paths}
    everything = sorted(set().union(*variants.values())) if variants else []
    owners = {}
    if everything:
        # Exit status is non-zero when some variant is unknown; the rest still print.
        for line in run("dpkg-query", "-S", *everything).stdout.splitlines():
            package, _, owned = line.partition(": ")
            owners[owned.strip()] = package.strip()
    return {path: next((owners[v] for v in sorted(found) if v in owners), None)
            for path, found in variants.items()}


def main(argv):
    allowed_extra = {argv[i + 1] for i, a in enumerate(argv) if a == "--allow" and i + 1 < len(argv)}
    positional = [a for i, a in enumerate(argv) if a != "--allow" and (i == 0 or argv[i - 1] != "--allow")]
    if len(positional) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    repo, binaries = Path(positional[0]), [Path(b) for b in positional[1:]]
    errors = []

    packages = listed_packages(repo)
    if not packages:
        errors.append("scripts/runtime-packages.txt lists no package")
    for package in unknown_to_debian(packages) if packages else []:
        errors.append(f"runtime package '{package}' is not a Debian 12 package (apt-cache show)")

    accepted = set(packages) | SLIM_BASE | allowed_extra
    loaded = []  # (binary, library, path)
    for binary in binaries:
        paths = resolved_paths(binary)
        for library in needed_libraries(binary):
            path = paths.get(library)
            if path is None:
                errors.append(f"{binary.name}: {library} does not resolve (ldd)")
                continue
            loaded.append((binary, library, path))
    owners = owning_packages({path for _, _, path in loaded})
    for binary, library, path in loaded:
        package = owners[path]
        if package is None:
            errors.append(f"{binary.name}: {library} ({path}) belongs to no Debian package")
        elif package.split(":")[0] not in accepted:
            errors.append(f"{binary.name}: loads {library} from '{package}', "
                          "which scripts/runtime-packages.txt does not list")

    for error in errors:
        print(f"FAIL: {error}")
    if not errors:
        print(f"ok: {len(packages)} runtime packages exist and cover every library "
              f"{', '.join(b.name for b in binaries)} load")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
