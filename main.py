"""Thin launcher, used by PyInstaller and by ``python main.py``."""

from radar_desktop.app import main

if __name__ == "__main__":
    raise SystemExit(main())
