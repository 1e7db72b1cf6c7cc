"""Parsing of Dockerfiles and the rules that tie them to what CI runs.

A Dockerfile may only install and build the way CI does: packages through
scripts/install-deps.sh (--build in the build stage, --runtime in the runtime
stage), and CMake only through a preset that scripts/test.sh builds. Any other
RUN command must be on a short list of file and user housekeeping commands.
"""

import json
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Instruction:
    keyword: str
    args: str
    line: int


@dataclass
class Stage:
    base: str
    name: str
    instructions: list


def parse_dockerfile(text):
    """Instructions grouped by stage, continuation lines joined, comments dropped."""
    stages = []
    logical, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not logical and (not stripped or stripped.startswith("#")):
            continue
        if logical and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if not logical:
            start = number
        if stripped.endswith("\\"):
            logical += stripped[:-1] + " "
            continue
        logical += stripped
        keyword, _, args = logical.partition(" ")
        instruction = Instruction(keyword.upper(), args.strip(), start)
        logical = ""
        if instruction.keyword == "FROM":
            words = instruction.args.split()
            # An unnamed stage is named by its index, as docker does.
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else str(len(stages))
            stages.append(Stage(words[0], name, []))
        elif stages:
            stages[-1].instructions.append(instruction)
    return stages


def simple_commands(shell):
    """Splits a shell-form RUN into simple commands (on && || ; | and newlines)."""
    lexer = shlex.shlex(shell, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    commands, current = [], []
    for token in lexer:
        if token and set(token) <= set(";&|"):
            if current:
                commands.append(current)
            current = []
        else:
            current.append(token)
    if current:
        commands.append(current)
    return commands


def ci_presets(repo):
    """Presets scripts/test.sh builds by default and CMakePresets.json defines."""
    test_sh = (repo / "scripts/test.sh").read_text()
    match = re.search(r"configs=\(([^)]*)\)\s*;\s*fi", test_sh)
    built = set(match.group(1).split()) if match else set()
    presets = json.loads((repo / "CMakePresets.json").read_text())
    defined = {p["name"]: p for p in presets["configurePresets"]}
    build_defined = {p["name"] for p in presets.get("buildPresets", [])}
    return {name: defined[name] for name in built if name in defined and name in build_defined}


def executable_targets(repo):
    """Executables the project's CMakeLists define (build trees and VCS skipped)."""
    targets = set()
    for directory, subdirs, files in os.walk(repo):
        subdirs[:] = [d for d in subdirs if not d.startswith(("build", "."))]
        if "CMakeLists.txt" in files:
            text = (Path(directory) / "CMakeLists.txt").read_text()
            targets.update(re.findall(r"add_executable\(\s*([\w.-]+)", text))
    return targets


HOUSEKEEPING = {"groupadd", "useradd", "mkdir", "chown", "chmod", "ln", "true"}
APT_LISTS_CLEANUP = ["rm", "-rf", "/var/lib/apt/lists/*"]


class Checker:
    """Collects every violation of one Dockerfile instead of stopping at the first."""

    def __init__(self, repo):
        self.repo = repo
        self.presets = ci_presets(repo)
        self.targets = executable_targets(repo)
        self.errors = []

    def fail(self, path, instruction, message):
        where = f"{path}:{instruction.line}" if instruction else str(path)
        self.errors.append(f"{where}: {message}")

    def check_command(self, path, stage_kind, instruction, command, built):
        program = Path(command[0]).name
        if program == "install-deps.sh":
            wanted = "--build" if stage_kind == "build" else "--runtime"
            if command[1:] != [wanted]:
                self.fail(path, instruction,
                          f"{stage_kind} stage must run install-deps.sh {wanted}, not {command[1:]}")
            return
        if program == "cmake":
            self.check_cmake(path, stage_kind, instruction, command, built)
            return
        if command == APT_LISTS_CLEANUP or program in HOUSEKEEPING:
            return
        self.fail(path, instruction,
                  f"'{shlex.join(command)}' is not a command CI runs "
                  "(install packages with scripts/install-deps.sh, build with a CMake preset)")

    def check_cmake(self, path, stage_kind, instruction, command, built):
        if stage_kind != "build":
            self.fail(path, instruction, "cmake outside the build stage")
            return
        args = command[1:]
        if len(args) == 2 and args[0] == "--preset":
            preset = args[1]
        elif len(args) in (3, 5) and args[:2] == ["--build", "--preset"]:
            preset = args[2]
            if len(args) == 5:
                if args[3] != "--target" or args[4] not in self.targets:
                    self.fail(path, instruction, f"unknown build target in '{shlex.join(command)}'")
                else:
                    built["targets"].add(args[4])
        else:
            self.fail(path, instruction,
                      f"'{shlex.join(command)}': cmake may only be run as "
                      "'cmake --preset P' or 'cmake --build --preset P [--target T]'")
            return
        if preset not in self.presets:
            self.fail(path, instruction,
                      f"preset '{preset}' is not one scripts/test.sh builds ({sorted(self.presets)})")
            return
        if self.presets[preset].get("cacheVariables", {}).get("TRACKER_SANITIZE"):
            self.fail(path, instruction, f"preset '{preset}' is sanitized; images ship release builds")
        built["presets"].add(preset)

    def stage_kinds(self, path, stages):
        """'build' for FROM debian:bookworm, 'runtime' for FROM debian:bookworm-slim,
        and a stage FROM an earlier stage is of that stage's kind."""
        kinds = {}
        for stage in stages:
            if stage.base == "debian:bookworm":
                kinds[stage.name] = "build"
            elif stage.base == "debian:bookworm-slim":
                kinds[stage.name] = "runtime"
            elif stage.base in kinds:
                kinds[stage.name] = kinds[stage.base]
            else:
                self.fail(path, None, f"a stage must be FROM debian:bookworm (build), "
                                      f"debian:bookworm-slim (runtime) or an earlier stage, not {stage.base}")
                kinds[stage.name] = "unknown"
        return kinds

    def check(self, path):
        stages = parse_dockerfile(path.read_text())
        kinds = self.stage_kinds(path, stages)
        if "build" not in kinds.values() or "runtime" not in kinds.values():
            self.fail(path, None, "expected a multi-stage build (build, runtime)")
            return
        # The images: runtime stages no later stage builds on, each with the
        # instructions of the stages it builds on.
        bases = {stage.base for stage in stages}
        by_name = {stage.name: stage for stage in stages}
        images = []
        for stage in stages:
            if kinds[stage.name] == "runtime" and stage.name not in bases:
                chain, current = [], stage
                while current is not None:
                    chain = current.instructions + chain
                    current = by_name.get(current.base)
                images.append(chain)

        built = {"targets": set(), "presets": set()}
        ran_install = {"build": False, "runtime": False}
        for stage in stages:
            kind = kinds[stage.name]
            for instruction in stage.instructions:
                if instruction.keyword == "ADD":
                    self.fail(path, instruction, "ADD can fetch URLs; use COPY")
                if instruction.keyword != "RUN":
                    continue
                if instruction.args.startswith("["):
                    self.fail(path, instruction, "exec-form RUN is not checked; use shell form")
                    continue
                for command in simple_commands(instruction.args):
                    if Path(command[0]).name == "install-deps.sh" and kind in ran_install:
                        ran_install[kind] = True
                    self.check_command(path, kind, instruction, command, built)
        for kind, ran in ran_install.items():
            if not ran:
                self.fail(path, None, f"{kind} stage does not run scripts/install-deps.sh")
        copied = []
        for image in images:
            copied += self.check_image(path, image)
        self.check_binaries_copied(path, copied, built)

    def check_image(self, path, runtime):
        """One image's rules; returns the sources it copies from other stages."""
        by_keyword = {}
        for instruction in runtime:
            by_keyword.setdefault(instruction.keyword, []).append(instruction)

        def last(keyword):
            found = by_keyword.get(keyword)
            return found[-1].args if found else None

        user = last("USER")
        if user is None or user.split(":")[0] in ("0", "root") or not user.split(":")[0].isdigit():
            self.fail(path, None, f"runtime stage must switch to a fixed non-root UID (USER {user})")
        if last("STOPSIGNAL") != "SIGTERM":
            self.fail(path, None, "runtime stage needs STOPSIGNAL SIGTERM")
        copies = [i for i in runtime if i.keyword == "COPY" and i.args.startswith("--from=")]
        sources = [i.args.split()[1] for i in copies]
        entrypoint = last("ENTRYPOINT")
        try:
            entry = json.loads(entrypoint) if entrypoint else None
        except json.JSONDecodeError:
            entry = None
        if not isinstance(entry, list) or not entry:
            self.fail(path, None, "ENTRYPOINT must be exec form (JSON array) so the service is PID 1")
            return sources
        healthcheck = last("HEALTHCHECK") or ""
        if "--health-check" not in healthcheck or entry[0] not in healthcheck:
            self.fail(path, None, f"HEALTHCHECK must run {entry[0]} --health-check")
        return sources

    def check_binaries_copied(self, path, sources, built):
        """Each binary built is copied into an image from where the preset wrote it."""
        for target in built["targets"]:
            for preset in built["presets"]:
                binary_dir = self.presets[preset].get("binaryDir", "").replace("${sourceDir}", "")
                expected_suffix = f"{binary_dir}/bin/{target}"
                if not any(source.endswith(expected_suffix) for source in sources):
                    self.fail(path, None,
                              f"runtime stage does not copy {expected_suffix} (the preset's output)")
        if not built["targets"]:
            self.fail(path, None, "build stage builds no target with --target")
