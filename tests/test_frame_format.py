"""The camera-format check: lossless good images against a camera that compresses its frames."""

from pathlib import Path

import cv2
import numpy as np

from radar_desktop.sources.frame_format import folder_encoding, format_warning, stream_codec


def write_video(path: Path, codec: str) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*codec), 5, (64, 48))
    for i in range(5):
        writer.write(np.full((48, 64, 3), 40 * i, np.uint8))
    writer.release()
    return path


def image_folder(path: Path, suffix: str) -> Path:
    path.mkdir()
    for i in range(3):
        cv2.imwrite(str(path / f"good_{i}{suffix}"), np.full((48, 64), 100 + i, np.uint8))
    return path


def test_png_images_against_an_mjpg_camera_are_named_and_capture_is_proposed(tmp_path):
    pngs = image_folder(tmp_path / "png", ".png")
    mjpg = write_video(tmp_path / "line.avi", "MJPG")
    assert folder_encoding(pngs) == "lossless" and stream_codec(str(mjpg)) == "MJPG"
    warning = format_warning(pngs, str(mjpg))
    assert "lossless files, but the camera delivers MJPG frames" in warning and "Capture good frames" in warning


def test_matching_formats_say_nothing_and_jpeg_images_against_a_lossless_stream_say_so(tmp_path):
    pngs, jpegs = image_folder(tmp_path / "png", ".png"), image_folder(tmp_path / "jpg", ".jpg")
    lossless = write_video(tmp_path / "raw.avi", "FFV1")
    assert format_warning(pngs, str(lossless)) == ""
    assert format_warning(jpegs, str(write_video(tmp_path / "line.avi", "MJPG"))) == ""
    assert "without compression loss" in format_warning(jpegs, str(lossless))
    assert format_warning(pngs, str(jpegs)) == ""  # an image folder as the "camera": nothing to compare


def test_a_camera_that_does_not_open_is_told_not_raised(tmp_path):
    pngs = image_folder(tmp_path / "png", ".png")
    assert format_warning(pngs, str(tmp_path / "missing.avi")).startswith("The camera could not be checked:")
    assert folder_encoding(tmp_path / "nothing-here") == "unknown"
