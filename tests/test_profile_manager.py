"""Profile management without Qt: export and import with the hash checked, unsafe archives, duplicate,
rename, delete to the trash, schema migration, and the ``profiles`` command."""

from __future__ import annotations

import json
import shutil
import stat
import zipfile

import pytest

from radar_desktop.app import main
from radar_desktop.core.resources import demo_profile_folder
from radar_desktop.profiles import manage
from radar_desktop.profiles.profile import PROFILE_FILE, SCHEMA_VERSION, ProfileError, content_hash, load_profile
from radar_desktop.profiles.store import list_profiles, open_profile


def store_names(home) -> list[str]:
    root = home / "profiles"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def test_export_then_import_on_an_empty_store_keeps_the_profile_and_its_hash(tiny_profile, isolated_home, tmp_path, monkeypatch):
    exported = manage.export_profile("tiny", tmp_path / "tiny.radarprofile")
    other_home = tmp_path / "other machine"
    monkeypatch.setenv("RADAR_DESKTOP_HOME", str(other_home))
    imported = manage.import_profile(exported)
    assert imported.name == "tiny" and imported.content_hash == tiny_profile.content_hash
    assert content_hash(imported.folder) == imported.content_hash
    assert store_names(other_home) == ["tiny"]
    with pytest.raises(ProfileError, match="already exists"):
        manage.import_profile(exported)
    copy = manage.import_profile(exported, "tiny copy")
    assert copy.history[-1]["event"] == "imported" and copy.content_hash == content_hash(copy.folder)


def test_an_altered_export_is_refused_and_nothing_reaches_the_store(tiny_profile, tmp_path, monkeypatch):
    exported = manage.export_profile("tiny", tmp_path / "tiny.radarprofile")
    altered = tmp_path / "altered.radarprofile"
    with zipfile.ZipFile(exported) as source, zipfile.ZipFile(altered, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename.endswith("features.safetensors"):
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            target.writestr(member, data)
    home = tmp_path / "fresh"
    monkeypatch.setenv("RADAR_DESKTOP_HOME", str(home))
    with pytest.raises(ProfileError, match="content hash"):
        manage.import_profile(altered)
    assert store_names(home) == []


@pytest.mark.parametrize(
    "member, reason",
    [("../evil.txt", "outside"), ("tiny/../../evil.txt", "outside"), ("/etc/evil.txt", "outside"), ("C:/evil.txt", "outside")],
)
def test_archives_that_would_write_outside_the_store_are_refused(tmp_path, isolated_home, member, reason):
    archive = tmp_path / "evil.radarprofile"
    with zipfile.ZipFile(archive, "w") as target:
        target.writestr("tiny/profile.json", "{}")
        target.writestr(member, "owned")
    with pytest.raises(ProfileError, match=reason):
        manage.import_profile(archive)
    assert not (tmp_path / "evil.txt").exists() and not list(tmp_path.rglob("evil.txt"))
    assert store_names(isolated_home) == []


def test_links_and_archives_that_are_not_profiles_are_refused(tmp_path, isolated_home):
    link = zipfile.ZipInfo("tiny/model")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive = tmp_path / "link.radarprofile"
    with zipfile.ZipFile(archive, "w") as target:
        target.writestr(link, "/etc")
    with pytest.raises(ProfileError, match="is a link"):
        manage.import_profile(archive)
    (tmp_path / "junk.radarprofile").write_bytes(b"not a zip")
    with pytest.raises(ProfileError, match="not a readable profile export"):
        manage.import_profile(tmp_path / "junk.radarprofile")
    assert store_names(isolated_home) == []


def test_duplicate_rename_and_delete_keep_everything_recoverable(tiny_profile, isolated_home):
    copy = manage.duplicate("tiny", "tiny B")
    assert copy.history[-1]["event"] == "duplicated" and copy.content_hash != tiny_profile.content_hash
    assert content_hash(copy.folder) == copy.content_hash
    renamed = manage.rename("tiny B", "tiny C")
    assert renamed.name == "tiny C" and [e["event"] for e in renamed.history][-2:] == ["duplicated", "renamed"]
    assert store_names(isolated_home) == ["tiny", "tiny C"]
    trashed = manage.delete("tiny C")
    assert trashed.parent == manage.trash_dir() and load_profile(trashed).name == "tiny C"
    (isolated_home / "profiles" / "broken").mkdir()
    manage.delete("broken")  # a broken profile can be cleared away too
    assert store_names(isolated_home) == ["tiny"]
    with pytest.raises(ProfileError, match="already exists"):
        manage.duplicate("tiny", "tiny")


def write_as_schema_1(folder) -> None:
    """Rewrite a profile's JSON the way schema 1 stored it (none of schema 2's additions), hashed as it was."""
    data = json.loads((folder / PROFILE_FILE).read_text())
    for key in ("notes", "author", "modified", "preprocessing", "history"):
        del data[key]
    for entry in data["scorers"].values():
        del entry["defect_scores"]
    data["schema_version"] = 1
    (folder / PROFILE_FILE).write_text(json.dumps(data))
    data["content_hash"] = content_hash(folder)  # the hash leaves its own field out
    (folder / PROFILE_FILE).write_text(json.dumps(data))


def test_a_schema_1_profile_is_migrated_when_read_and_its_files_are_left_alone(isolated_home):
    folder = isolated_home / "profiles" / "old"
    shutil.copytree(demo_profile_folder(), folder)
    write_as_schema_1(folder)
    on_disk = json.loads((folder / PROFILE_FILE).read_text())
    assert on_disk["schema_version"] == 1 < SCHEMA_VERSION
    profile = open_profile("old")
    # schema 1 kept no preprocessing: it is read back from the model's config (the demo's encoder stretches)
    assert profile.preprocessing == {"channels": 1, "image_size": 256, "resize_mode": "stretch", "roi": None}
    assert profile.history[0]["event"] == "created" and profile.modified == profile.created
    assert json.loads((folder / PROFILE_FILE).read_text()) == on_disk
    assert content_hash(folder) == profile.content_hash


def test_a_corrupted_profile_is_listed_as_broken_while_the_others_load(tiny_profile, isolated_home):
    manage.duplicate("tiny", "tiny 2")
    (isolated_home / "profiles" / "tiny 2" / PROFILE_FILE).write_text('{"schema_version": 2, "name": ')
    good, broken = list_profiles()
    assert [p.name for p in good] == ["tiny"] and broken[0].name == "tiny 2" and "unreadable" in broken[0].reason


def test_profiles_command_lists_shows_exports_imports_and_deletes(tiny_profile, isolated_home, tmp_path, capsys):
    (isolated_home / "profiles" / "broken").mkdir()
    assert main(["profiles", "list"]) == 0
    out = capsys.readouterr().out
    assert "tiny\tfeatures" in out and "broken\tBROKEN\tbroken: profile.json is missing" in out
    assert main(["profiles", "show", "tiny"]) == 0
    shown = capsys.readouterr().out
    assert tiny_profile.content_hash in shown and "held back for calibration" in shown and "history" in shown
    assert main(["profiles", "export", "tiny", str(tmp_path / "t.radarprofile")]) == 0
    assert main(["profiles", "import", str(tmp_path / "t.radarprofile"), "--name", "tiny import"]) == 0
    assert "hash" in capsys.readouterr().out
    assert main(["profiles", "delete", "tiny import"]) == 0
    assert main(["profiles", "show", "nothing"]) == 1
    assert "no profile named 'nothing'" in capsys.readouterr().err
    assert store_names(isolated_home) == ["broken", "tiny"]
