"""Runs a rendered Argo Workflow, or a plain pod spec, the way its pods would, with nothing shared but what it declares.

Each container step gets a fresh, empty directory standing for its pod's file
system. Into it come only what the Workflow declares: its volume mounts (a
directory per volume claim template for this run of the Workflow, a directory
per PersistentVolumeClaim the test hands in), its raw input artifacts written
at their paths, and its container's env, with container paths remapped to
those directories by prefix (so are the command's absolute-path arguments).
The container's command then runs as a subprocess (the installed `modelspec`
for `modelspec`), in its workingDir. A nested read-only mount (a file of one
claim mounted inside another volume) is copied in for the step and removed
after, as an unmount would; a read-only volume the pod changed anyway is an
error. A `resource` template is "applied" by saving its manifest in a fake
cluster directory. Template tags are resolved as Argo does; an unknown one is
an error, as it is for Argo.

PodHarness runs a plain pod spec (a CronJob's job template) the same way: its
emptyDir volumes are fresh directories, its configMap volumes the ConfigMaps
the test hands in written out as files (one per key, or per `items` entry),
its PersistentVolumeClaims the directories the test hands in.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

__all__ = ["ArgoHarness", "PodHarness", "PodRun", "StepFailed", "run_container"]

_TAG = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


class StepFailed(AssertionError):
    def __init__(self, run: PodRun) -> None:
        super().__init__(f"step {run.step} exited {run.returncode}:\n{run.stdout}\n{run.stderr}")
        self.run = run


@dataclass
class PodRun:
    step: str
    root: Path  # the pod's own file system
    cwd: Path
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str] = field(default_factory=dict)


class ArgoHarness:
    """One submission of a Workflow; claims maps a PersistentVolumeClaim name to its directory."""

    def __init__(
        self, workflow: Mapping[str, Any], base: Path, modelspec: Path, claims: Mapping[str, Path]
    ) -> None:
        self.workflow = workflow
        self.spec = workflow["spec"]
        self.templates = {t["name"]: t for t in self.spec["templates"]}
        self.base = base
        self.modelspec = modelspec
        self.claims = dict(claims)
        self.cluster = base / "cluster"
        self.runs: list[PodRun] = []
        self.outputs: dict[str, dict[str, str]] = {}
        self.volumes = {
            t["metadata"]["name"]: base / "volume-claim-templates" / t["metadata"]["name"]
            for t in self.spec.get("volumeClaimTemplates", [])
        }
        for directory in self.volumes.values():
            directory.mkdir(parents=True)

    # -- the steps template --------------------------------------------------------------

    def steps(self) -> list[list[dict[str, Any]]]:
        entry = self.templates[self.spec["entrypoint"]]
        groups: list[list[dict[str, Any]]] = entry["steps"]
        return groups

    def run(self, until: str | None = None) -> list[PodRun]:
        """Every step group in order (a group's steps one after the other); stops at a failure."""
        for group in self.steps():
            for step in group:
                self.run_step(step["name"])
                if step["name"] == until:
                    return self.runs
        return self.runs

    def run_step(self, name: str) -> PodRun | None:
        step = next(s for group in self.steps() for s in group if s["name"] == name)
        template = self.templates[step["template"]]
        arguments = {
            p["name"]: self._resolve(p["value"], {})
            for p in step.get("arguments", {}).get("parameters", [])
        }
        scope = {f"inputs.parameters.{k}": v for k, v in arguments.items()}
        template = self._resolve(template, scope)
        if "resource" in template:
            self._apply(template["resource"])
            return None
        run = self._run_container(name, template)
        self.runs.append(run)
        self.outputs[name] = run.outputs
        if run.returncode != 0:
            raise StepFailed(run)
        return run

    # -- template tags ------------------------------------------------------------------

    def _resolve(self, value: Any, scope: Mapping[str, str]) -> Any:
        if isinstance(value, str):
            return _TAG.sub(lambda m: self._tag(m.group(1).strip(), scope), value)
        if isinstance(value, list):
            return [self._resolve(v, scope) for v in value]
        if isinstance(value, dict):
            return {k: self._resolve(v, scope) for k, v in value.items()}
        return value

    def _tag(self, tag: str, scope: Mapping[str, str]) -> str:
        if tag in scope:
            return scope[tag]
        match = re.fullmatch(r"steps\.([^.]+)\.outputs\.parameters\.(.+)", tag)
        if match and match[2] in self.outputs.get(match[1], {}):
            return self.outputs[match[1]][match[2]]
        raise AssertionError(f"failed to resolve {{{{{tag}}}}}")

    # -- a container step as a pod --------------------------------------------------------

    def _mounts(self, container: Mapping[str, Any]) -> list[tuple[str, Path, bool]]:
        """(mount path, host path, read-only) for each volume mount, outermost first."""
        declared = {v["name"]: v for v in self.spec.get("volumes", [])}
        out = []
        for mount in container.get("volumeMounts", []):
            name = mount["name"]
            if name in self.volumes:
                host = self.volumes[name]
            elif name in declared and "persistentVolumeClaim" in declared[name]:
                host = self.claims[declared[name]["persistentVolumeClaim"]["claimName"]]
            else:
                raise AssertionError(f"volume {name} is mounted but not declared")
            if mount.get("subPath"):
                host = host / mount["subPath"]
            out.append((mount["mountPath"], host, bool(mount.get("readOnly"))))
        return sorted(out, key=lambda m: len(PurePosixPath(m[0]).parts))

    def _run_container(self, step: str, template: Mapping[str, Any]) -> PodRun:
        root = self.base / "pods" / f"{len(self.runs) + 1:02d}-{step}"
        container = template["container"]
        return run_container(
            step,
            root,
            container,
            self._mounts(container),
            self.modelspec,
            artifacts=template.get("inputs", {}).get("artifacts", []),
            outputs=template.get("outputs", {}).get("parameters", []),
        )

    # -- a resource step ----------------------------------------------------------------

    def _apply(self, resource: Mapping[str, Any]) -> None:
        assert resource["action"] == "apply", resource
        manifest = yaml.safe_load(resource["manifest"])
        namespace = manifest["metadata"].get("namespace", "default")
        path = self.cluster / namespace / manifest["kind"] / f"{manifest['metadata']['name']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(manifest, sort_keys=True, indent=2), encoding="utf-8")

    def applied(self) -> dict[tuple[str, str, str], dict[str, Any]]:
        """(namespace, kind, name) -> the object each resource step applied."""
        out = {}
        for path in sorted(self.cluster.glob("*/*/*.json")):
            out[(path.parent.parent.name, path.parent.name, path.stem)] = json.loads(path.read_text())
        return out



class PodHarness:
    """Runs plain pod specs; claims maps a PersistentVolumeClaim name to its directory, config_maps
    a ConfigMap name to its manifest (what `kubectl apply` would have created)."""

    def __init__(
        self,
        base: Path,
        modelspec: Path,
        claims: Mapping[str, Path],
        config_maps: Mapping[str, Mapping[str, Any]],
    ) -> None:
        self.base = base
        self.modelspec = modelspec
        self.claims = dict(claims)
        self.config_maps = dict(config_maps)
        self.runs: list[PodRun] = []

    def run(self, pod: Mapping[str, Any], name: str = "pod") -> PodRun:
        """The pod's one container run to its end (restartPolicy Never); StepFailed when it fails."""
        if pod.get("initContainers"):
            raise AssertionError("init containers are not emulated")
        [container] = pod["containers"]
        root = self.base / "pods" / f"{len(self.runs) + 1:02d}-{name}"
        volumes = self._volumes(pod, root.with_name(root.name + "-volumes"))
        mounts = []
        for mount in container.get("volumeMounts", []):
            if mount["name"] not in volumes:
                raise AssertionError(f"volume {mount['name']} is mounted but not declared")
            host, read_only = volumes[mount["name"]]
            if mount.get("subPath"):
                host = host / mount["subPath"]
            mounts.append((mount["mountPath"], host, read_only or bool(mount.get("readOnly"))))
        mounts.sort(key=lambda m: len(PurePosixPath(m[0]).parts))
        run = run_container(name, root, container, mounts, self.modelspec)
        self.runs.append(run)
        if run.returncode != 0:
            raise StepFailed(run)
        return run

    def _volumes(self, pod: Mapping[str, Any], base: Path) -> dict[str, tuple[Path, bool]]:
        """volume name -> (its directory, whether every mount of it is read-only)."""
        out: dict[str, tuple[Path, bool]] = {}
        for volume in pod.get("volumes", []):
            name = volume["name"]
            if "emptyDir" in volume:
                directory = base / name
                directory.mkdir(parents=True)
                out[name] = (directory, False)
            elif "configMap" in volume:
                source = volume["configMap"]
                data = self.config_maps[source["name"]].get("data", {})
                items = source.get("items") or [{"key": k, "path": k} for k in data]
                directory = base / name
                for item in items:
                    path = directory / item["path"]
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(data[item["key"]], encoding="utf-8")
                out[name] = (directory, True)  # the kubelet mounts ConfigMaps read-only
            elif "persistentVolumeClaim" in volume:
                claim = volume["persistentVolumeClaim"]
                out[name] = (self.claims[claim["claimName"]], bool(claim.get("readOnly")))
            else:
                raise AssertionError(f"volume {name}: {sorted(volume)} is not emulated")
        return out


def _snapshot(directory: Path) -> dict[str, str]:
    """Every file below directory (or directory itself) -> the sha256 of its bytes."""
    if directory.is_file():
        return {"": hashlib.sha256(directory.read_bytes()).hexdigest()}
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def run_container(
    step: str,
    root: Path,
    container: Mapping[str, Any],
    mounts: Sequence[tuple[str, Path, bool]],
    modelspec: Path,
    artifacts: Sequence[Mapping[str, Any]] = (),
    outputs: Sequence[Mapping[str, Any]] = (),
) -> PodRun:
    """A container in a fresh pod directory root with only mounts ((mount path, host path,
    read-only), outermost first), artifacts written at their paths; outputs are parameters
    read from files after a successful run."""
    root.mkdir(parents=True)  # fresh: fails if a pod dir were reused
    outer: list[tuple[str, Path]] = []
    nested: list[Path] = []
    read_only: list[tuple[str, Path, dict[str, str]]] = []

    def host(path: str) -> Path:
        for mount_path, target in sorted(outer, key=lambda m: -len(m[0])):
            if path == mount_path or path.startswith(mount_path.rstrip("/") + "/"):
                return target / path[len(mount_path) :].lstrip("/")
        return root / path.lstrip("/")

    for mount_path, target, ro in mounts:
        place = host(mount_path)
        if place.is_relative_to(root):  # a mount of its own
            outer.append((mount_path, target))
            if ro:
                read_only.append((mount_path, target, _snapshot(target)))
            continue
        if not ro:
            raise AssertionError(f"nested writable mount {mount_path} is not emulated")
        place.parent.mkdir(parents=True, exist_ok=True)  # a mount inside another volume
        if target.is_dir():
            shutil.copytree(target, place)
        else:
            shutil.copyfile(target, place)
        nested.append(place)
    try:
        for artifact in artifacts:
            path = host(artifact["path"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(artifact["raw"]["data"], encoding="utf-8")
        env = {
            "PATH": f"{modelspec.parent}:/usr/bin:/bin",
            "HOME": str(host("/home/modelspec")),
            "TMPDIR": str(host("/tmp")),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        for item in container.get("env", []):
            value = item["value"]
            env[item["name"]] = str(host(value)) if value.startswith("/") else value
        for directory in (env["HOME"], env["TMPDIR"]):
            Path(directory).mkdir(parents=True, exist_ok=True)
        cwd = host(container.get("workingDir", "/"))
        cwd.mkdir(parents=True, exist_ok=True)
        command = [*container["command"], *container.get("args", [])]
        command[1:] = [str(host(a)) if a.startswith("/") else a for a in command[1:]]
        if command[0] == "modelspec":
            command[0] = str(modelspec)
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
        )
        values = {}
        if done.returncode == 0:
            for parameter in outputs:
                values[parameter["name"]] = host(parameter["valueFrom"]["path"]).read_text()
    finally:
        for place in nested:
            if place.is_dir():
                shutil.rmtree(place)
            else:
                place.unlink()
    for mount_path, target, before in read_only:
        if _snapshot(target) != before:
            raise AssertionError(f"the pod changed its read-only volume at {mount_path}")
    return PodRun(step, root, cwd, done.returncode, done.stdout, done.stderr, values)
