"""QtCore workers: the engine worker thread and the camera capture thread."""
