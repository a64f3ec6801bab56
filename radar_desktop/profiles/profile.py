"""The profile folder: ``profile.json``, ``model/`` and one safetensors state per scorer."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from radar_desktop import __version__
from radar_desktop.core.atomic import building_folder, write_text_atomic
from radar_desktop.core.records import local_timestamp, login_name
from radar_desktop.core.regions import OutlineLevels
from radar_desktop.core.verdict import Thresholds

if TYPE_CHECKING:  # the engine (torch, diffusers) loads only when a model or scorer is needed
    from radar_desktop.core.inspection_plan import InspectionPlan
    from radar_desktop.engine.scorers.base import Calibration
    from radar_desktop.engine.models.kind import RadarModel
    from radar_desktop.engine.scorers.base import Scorer

SCHEMA_VERSION = 3  # 2 added notes, author, modified, preprocessing, history and defect scores; 3 inspection, selftest
PROFILE_FILE = "profile.json"
MODEL_DIR = "model"
SCORERS_DIR = "scorers"
MASK_FILE = "inspection_mask.safetensors"  # key "mask": (H, W) uint8, 1 where the image is inspected
NAME_PATTERN = re.compile(r"^[\w][\w .+-]{0,63}$")


class ProfileError(Exception):
    """A profile is missing, broken or invalid; the message says which and why."""


def check_name(name: str) -> str:
    """Profile names become folder names: letters, digits, space, ``._+-``, up to 64 characters."""
    if not NAME_PATTERN.match(name) or name.strip() != name:
        raise ProfileError(f"invalid profile name {name!r}: use letters, digits, spaces and . _ + - (max 64)")
    return name


@dataclass
class ScorerEntry:
    """Calibration of one scorer as stored in ``profile.json``."""

    thresholds: Thresholds
    good_scores: list[float]
    map_range: tuple[float, float]
    defect_scores: list[float] = field(default_factory=list)  # of defect examples, when some were given
    score_is_map_peak: bool = True  # False where the score is pooled otherwise (then thresholds are not map values)
    outline: OutlineLevels | None = None  # where flagged maps are outlined (profiles made before: see outline_levels)
    parts: list[str] = field(default_factory=list)  # what the score is made of (profiles made before: unsaid)
    read_scale: bool = False  # scores read 0 for a typical good part, 1 at the NOK line (before: z-scores or map values)

    @classmethod
    def from_calibration(cls, calibration: Calibration) -> "ScorerEntry":
        return cls(
            calibration.thresholds,
            [float(s) for s in calibration.good_scores],
            calibration.map_range,
            score_is_map_peak=calibration.score_is_map_peak,
            outline=calibration.outline,
            parts=list(calibration.parts),
            read_scale=calibration.read_scale,
        )

    def to_dict(self) -> dict:
        data = {
            "thresholds": self.thresholds.to_dict(),
            "good_scores": self.good_scores,
            "map_range": list(self.map_range),
            "defect_scores": self.defect_scores,
            "score_is_map_peak": self.score_is_map_peak,
            "parts": self.parts,
            "read_scale": self.read_scale,
        }
        return data | ({"outline": self.outline.to_list()} if self.outline else {})

    @classmethod
    def from_dict(cls, data: dict) -> "ScorerEntry":
        low, high = (float(v) for v in data["map_range"])
        outline = data.get("outline")
        return cls(
            Thresholds.from_dict(data["thresholds"]),
            [float(s) for s in data["good_scores"]],
            (low, high),
            [float(s) for s in data.get("defect_scores", [])],
            bool(data.get("score_is_map_peak", True)),
            OutlineLevels(*(float(v) for v in outline)) if outline else None,
            [str(v) for v in data.get("parts", [])],
            bool(data.get("read_scale", False)),
        )

    def made_of(self, name: str) -> str:
        """The scorer's name and what its score is made of, e.g. ``fused (memory bank + RADAR step)``."""
        return f"{name} ({' + '.join(self.parts)})" if len(self.parts) > 1 else name


@dataclass
class Profile:
    """Everything needed to inspect one product."""

    name: str
    default_scorer: str
    scorers: dict[str, ScorerEntry]
    training: dict = field(default_factory=dict)
    created: str = field(default_factory=local_timestamp)
    software_version: str = __version__
    content_hash: str = ""
    folder: Path | None = None
    notes: str = ""
    author: str = field(default_factory=login_name)
    modified: str = ""
    preprocessing: dict = field(default_factory=dict)  # channels, image_size, resize_mode, roi (a copy of the model's)
    history: list[dict] = field(default_factory=list)  # {"time", "event", "by", "detail"}, oldest first
    #: mm_per_pixel (None: no scale), min_area and min_length (acceptance rules, 0: off, in mm² / mm with
    #: a scale, else px² / px), mask (True when MASK_FILE holds an inspection mask), review_nok (True
    #: when NOK results wait for a person's review too, not only REVIEW ones)
    inspection: dict = field(default_factory=dict)
    selftest: dict = field(default_factory=dict)  # the detection-probability self-test (engine.jobs.selftest)

    def to_json(self) -> dict:
        return {
            "schema_version": SCHEMA_VERSION,
            "name": self.name,
            "notes": self.notes,
            "created": self.created,
            "modified": self.modified or self.created,
            "author": self.author,
            "software_version": self.software_version,
            "preprocessing": self.preprocessing,
            "default_scorer": self.default_scorer,
            "scorers": {k: v.to_dict() for k, v in self.scorers.items()},
            "training": self.training,
            "history": self.history,
            "inspection": self.inspection,
            "selftest": self.selftest,
            "content_hash": self.content_hash,
        }

    def record(self, event: str, detail: str = "") -> None:
        """Add an event to the history (who, when) and mark the profile modified."""
        now = local_timestamp()
        self.history.append({"time": now, "event": event, "by": login_name(), "detail": detail})
        self.modified = now

    @property
    def review_nok(self) -> bool:
        """Whether NOK results wait in the review queue too (REVIEW results always do)."""
        return bool(self.inspection.get("review_nok", False))

    def thresholds(self, scorer: str | None = None) -> Thresholds:
        return self.entry(scorer).thresholds

    def entry(self, scorer: str | None = None) -> ScorerEntry:
        """The calibration of ``scorer`` (default: the profile's own scorer)."""
        name = scorer or self.default_scorer
        if name not in self.scorers:
            raise ProfileError(f"profile {self.name!r} has no calibration for scorer {name!r} (has {', '.join(self.scorers)})")
        return self.scorers[name]

    def outline_levels(self, scorer: str | None = None) -> OutlineLevels:
        """Where flagged images' maps are outlined (:func:`radar_desktop.core.regions.outline_labels`).

        The levels calibration set (:meth:`Scorer.outline_levels`). Profiles made before them cut at one
        level: where the score is the map's peak, the NOK threshold; where the peak and the mean are pooled,
        the typical peak of held-back good images (the mean of their blurred peaks); else (the paper's
        forest) the largest map value seen on held-back good images.
        """
        from radar_desktop.engine.scorers.registry import SCORERS

        name = scorer or self.default_scorer
        entry = self.entry(name)
        if entry.outline is not None:
            return entry.outline
        if SCORERS[name].pooled_from_map and entry.score_is_map_peak:
            return OutlineLevels.at(entry.thresholds.nok)
        stats = self._pool_stats(name)
        return OutlineLevels.at(float(stats[0][0]) if stats is not None else entry.map_range[1])

    def _pool_stats(self, name: str) -> np.ndarray | None:
        """The pooled scorer's (2, parts) statistics of good images, read alone from its saved state."""
        from safetensors import safe_open

        from radar_desktop.core.pooling import POOL_STATS_KEY

        path = self._folder() / SCORERS_DIR / f"{name}.safetensors"
        if not path.exists():
            return None
        with safe_open(str(path), framework="np") as state:
            return state.get_tensor(POOL_STATS_KEY) if POOL_STATS_KEY in state.keys() else None

    def inspection_plan(self, scorer: str | None = None) -> InspectionPlan:
        """How inspections with ``scorer`` cut, measure and judge regions, and where they look."""
        from radar_desktop.core.acceptance import AcceptanceRules
        from radar_desktop.core.inspection_plan import InspectionPlan

        return InspectionPlan(
            self.outline_levels(scorer), AcceptanceRules.from_inspection(self.inspection), self.inspection_mask()
        )

    def load_model(self, device) -> RadarModel:
        """The profile's model, of whichever space it was trained in."""
        from radar_desktop.engine.models.spaces import load_model

        return load_model(self._folder() / MODEL_DIR, device)

    def load_scorer(self, name: str | None = None) -> Scorer:
        """A scorer restored from its saved state, ready to score."""
        from safetensors.numpy import load_file

        from radar_desktop.engine.scorers.registry import make_scorer

        name = name or self.default_scorer
        self.entry(name)
        scorer = make_scorer(name)
        for part_name, part in [*scorer.components().items(), (name, scorer)]:  # a fused scorer's parts are saved as themselves
            path = self._folder() / SCORERS_DIR / f"{part_name}.safetensors"
            if path.exists():
                part.load_full_state(load_file(str(path)))
        return scorer

    def inspection_mask(self) -> np.ndarray | None:
        """The (H, W) uint8 inspection mask (1: inspected), or None when the whole image is inspected."""
        if not self.inspection.get("mask"):
            return None
        from safetensors.numpy import load_file

        path = self._folder() / MASK_FILE
        try:
            return load_file(str(path))["mask"]
        except (OSError, KeyError, ValueError) as error:
            raise ProfileError(f"profile {self.name!r}: its inspection mask {MASK_FILE} is unreadable ({error})") from None

    def _folder(self) -> Path:
        if self.folder is None:
            raise ProfileError(f"profile {self.name!r} has not been saved")
        return self.folder


def content_hash(folder: Path) -> str:
    """SHA-256 over every file of a profile folder except the hash field itself, in a stable order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        if relative == PROFILE_FILE:
            meta = json.loads(data)
            meta["content_hash"] = ""
            data = json.dumps(meta, sort_keys=True).encode()
        digest.update(relative.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def write_profile_json(folder: Path, profile: Profile) -> None:
    """Write ``profile.json`` into ``folder``, then again with the content hash of the folder as it stands
    (the hash leaves its own field out, so the second write does not change it)."""
    write_text_atomic(folder / PROFILE_FILE, json.dumps(profile.to_json(), indent=2))
    profile.content_hash = content_hash(folder)
    write_text_atomic(folder / PROFILE_FILE, json.dumps(profile.to_json(), indent=2))


def write_mask(folder: Path, mask: np.ndarray | None) -> None:
    """Store ``mask`` (nonzero: inspected) as the profile folder's inspection mask, or remove it (None)."""
    from safetensors.numpy import save_file

    path = folder / MASK_FILE
    if mask is None:
        path.unlink(missing_ok=True)
        return
    save_file({"mask": np.ascontiguousarray(np.asarray(mask) > 0, dtype=np.uint8)}, str(path))


def save_profile(
    profile: Profile, model: RadarModel, scorers: dict[str, Scorer], target: Path, mask: np.ndarray | None = None
) -> Profile:
    """Write a complete profile folder atomically at ``target`` (with its inspection ``mask``, if any)
    and return it with its hash."""
    from safetensors.numpy import save_file

    profile.inspection["mask"] = mask is not None
    with building_folder(target) as staging:
        write_mask(staging, mask)
        model.save(staging / MODEL_DIR)
        (staging / SCORERS_DIR).mkdir()
        for name, scorer in scorers.items():
            state = scorer.full_state()
            if state:
                save_file({k: np.ascontiguousarray(v) for k, v in state.items()}, str(staging / SCORERS_DIR / f"{name}.safetensors"))
        write_profile_json(staging, profile)
    profile.folder = target
    return profile


def load_profile(folder: Path) -> Profile:
    """Read a profile folder (older schemas are migrated in memory; the files are left as they are).

    Raises :class:`ProfileError` with the reason when it is broken.
    """
    path = folder / PROFILE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(f"{folder.name}: {PROFILE_FILE} is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProfileError(f"{folder.name}: {PROFILE_FILE} is unreadable ({error})") from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise ProfileError(f"{folder.name}: made by a newer RADAR Desktop (schema {version}; this version reads up to {SCHEMA_VERSION})")
    if version not in MIGRATIONS and version != SCHEMA_VERSION:
        raise ProfileError(f"{folder.name}: unsupported schema_version {version!r}")
    while version != SCHEMA_VERSION:
        data, version = MIGRATIONS[version](data, folder), version + 1
    try:
        profile = Profile(
            name=data["name"],
            default_scorer=data["default_scorer"],
            scorers={k: ScorerEntry.from_dict(v) for k, v in data["scorers"].items()},
            training=data.get("training", {}),
            created=data["created"],
            software_version=data["software_version"],
            content_hash=data["content_hash"],
            folder=folder,
            notes=str(data.get("notes", "")),
            author=str(data.get("author", "")),
            modified=str(data.get("modified", "")),
            preprocessing=dict(data.get("preprocessing", {})),
            history=list(data.get("history", [])),
            inspection=dict(data["inspection"]),
            selftest=dict(data["selftest"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ProfileError(f"{folder.name}: {PROFILE_FILE} is incomplete or invalid ({error!r})") from None
    if not (folder / MODEL_DIR).is_dir():
        raise ProfileError(f"{folder.name}: the model folder is missing")
    return profile


def preprocessing_of(config) -> dict:
    """What a profile records of how images are prepared (the model config stays the authority)."""
    return {"channels": config.channels, "image_size": config.image_size, "resize_mode": config.resize_mode, "roi": None}


def _migrate_v1(data: dict, folder: Path) -> dict:
    """Schema 1 had no notes, author, modified time, preprocessing or history."""
    config_path = folder / MODEL_DIR / "radar_config.json"
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
        preprocessing = {k: config[k] for k in ("channels", "image_size", "resize_mode")} | {"roi": None}
    except (OSError, ValueError, KeyError, TypeError):
        preprocessing = {}
    created = data.get("created", "")
    return {
        **data,
        "schema_version": 2,
        "notes": "",
        "author": "",
        "modified": created,
        "preprocessing": preprocessing,
        "history": [{"time": created, "event": "created", "by": "", "detail": "schema 1 profile"}],
    }


def _migrate_v2(data: dict, folder: Path) -> dict:
    """Schema 2 had no physical scale, acceptance rules, inspection mask or self-test."""
    return {**data, "schema_version": 3, "inspection": {}, "selftest": {}}


MIGRATIONS = {1: _migrate_v1, 2: _migrate_v2}  # schema n -> n + 1


def load_verified(folder: Path) -> Profile:
    """Load a profile folder and check that its files still match the content hash it records."""
    profile = load_profile(folder)
    actual = content_hash(folder)
    if actual != profile.content_hash:
        raise ProfileError(
            f"{folder.name}: files do not match the recorded content hash "
            f"(recorded {profile.content_hash[:12]}, found {actual[:12]}); the profile was altered or damaged"
        )
    return profile
