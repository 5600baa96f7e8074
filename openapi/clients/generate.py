"""Generate the Python and TypeScript clients from openapi/openapi.json: `make clients`, or
`python openapi/clients/generate.py [--out DIR]` (default build/clients, not committed).

  DIR/python     openapi-python-client project; the package is `factmark_client`
  DIR/ts         @hey-api/openapi-ts client (fetch runtime, TypeScript sources)
  DIR/ts-dist    the TypeScript client and ts-smoke.ts compiled for plain Node 20 (`node DIR/ts-dist/ts-smoke.js`)

The generators are pinned: openapi-python-client in pyproject's `clients` extra, the npm packages in
openapi/clients/package-lock.json (installed with `npm ci` into openapi/clients/node_modules when it is missing or
older than the lock file). openapi-python-client runs with --fail-on-warning, so a schema it cannot map fails the
build instead of producing a client with a hole in it. A missing tool is an error with the command that installs it,
never a silent skip."""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SPEC = ROOT / "openapi" / "openapi.json"
NODE_MODULES = HERE / "node_modules"
MIN_NODE = (20, 19)


class GenerationError(RuntimeError):
    pass


def _path_with_venv() -> str:
    # The venv's bin first: openapi-python-client runs `ruff` on what it writes.
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def _tool(name: str, install_hint: str) -> str:
    found = shutil.which(name, path=_path_with_venv())
    if found is None:
        raise GenerationError(f"`{name}` not found; {install_hint}")
    return found


def _run(command: list[str | Path], *, cwd: Path = ROOT, env: dict[str, str] | None = None) -> None:
    started = time.monotonic()
    shown = " ".join(str(part) for part in command)
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env={**os.environ, "PATH": _path_with_venv(), **(env or {})},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise GenerationError(f"`{shown}` failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    print(f"  {time.monotonic() - started:5.1f}s  {shown}", flush=True)


def python_client(out: Path) -> Path:
    generator = _tool(
        "openapi-python-client", "install it with `.venv/bin/pip install -e '.[clients]'` (`make clients` does)"
    )
    target = out / "python"
    _run(
        [
            generator,
            "generate",
            "--path",
            SPEC,
            "--output-path",
            target,
            "--config",
            HERE / "python-client.yaml",
            "--overwrite",
            "--fail-on-warning",
        ]
    )
    return target


def _node() -> str:
    node = _tool("node", f"install Node.js ≥ {MIN_NODE[0]}.{MIN_NODE[1]}")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    major, minor = (int(part) for part in version.lstrip("v").split(".")[:2])
    if (major, minor) < MIN_NODE:
        need = ".".join(map(str, MIN_NODE))
        raise GenerationError(f"Node.js {version} is too old for @hey-api/openapi-ts: need ≥ {need}")
    return node


def node_modules() -> None:
    """`npm ci` the pinned generators unless node_modules is already newer than the lock file (under a lock, so two
    test sessions do not install into the same directory at once)."""
    npm = _tool("npm", "install Node.js and npm")
    lock_file = HERE / "package-lock.json"
    installed = NODE_MODULES / ".package-lock.json"
    with lock_file.open() as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed.exists() and installed.stat().st_mtime >= lock_file.stat().st_mtime:
            return
        _run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE)
        installed.touch()


def ts_client(out: Path) -> Path:
    node = _node()
    node_modules()
    _run(
        [node, NODE_MODULES / "@hey-api" / "openapi-ts" / "bin" / "run.js", "--file", HERE / "openapi-ts.config.mjs"],
        cwd=HERE,
        env={"FACTMARK_OPENAPI": str(SPEC), "FACTMARK_TS_OUT": str(out / "ts")},
    )
    # Compile the client with the smoke script beside it (which imports "./ts/index.js"), type-checking both.
    shutil.copyfile(HERE / "ts-smoke.ts", out / "ts-smoke.ts")
    (out / "package.json").write_text(json.dumps({"type": "module", "private": True}) + "\n")
    tsconfig = {
        "extends": str(HERE / "tsconfig.json"),
        "compilerOptions": {"rootDir": ".", "outDir": "ts-dist"},
        "files": ["ts-smoke.ts"],
    }
    (out / "tsconfig.json").write_text(json.dumps(tsconfig, indent=2) + "\n")
    shutil.rmtree(out / "ts-dist", ignore_errors=True)
    _run([node, NODE_MODULES / "typescript" / "bin" / "tsc", "--project", out / "tsconfig.json"], cwd=out)
    return out / "ts-dist"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "clients", help="default: build/clients")
    parser.add_argument("--only", choices=("python", "ts"), help="generate one client only")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        if args.only in (None, "python"):
            print(f"Python client → {python_client(out)}", flush=True)
        if args.only in (None, "ts"):
            print(f"TypeScript client → {out / 'ts'} (compiled: {ts_client(out)})", flush=True)
    except GenerationError as exc:
        print(f"generate.py: {exc}", file=sys.stderr)
        return 2
    print(f"clients generated in {time.monotonic() - started:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
