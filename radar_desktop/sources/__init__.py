"""Where images come from: files and folders (cameras and video join behind the same interface)."""
