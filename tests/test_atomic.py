from radar_desktop.core.atomic import replace_folder, staging_folder, write_text_atomic


def test_atomic_text_write_replaces_and_leaves_no_temp_files(tmp_path):
    target = tmp_path / "out" / "a.json"
    write_text_atomic(target, "one")
    write_text_atomic(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["a.json"]


def test_replace_folder_swaps_whole_versions(tmp_path):
    target = tmp_path / "profile"
    for version in ("v1", "v2"):
        staging = staging_folder(target)
        (staging / "file").write_text(version)
        replace_folder(staging, target)
    assert (target / "file").read_text() == "v2"
    assert [p.name for p in tmp_path.iterdir()] == ["profile"]
