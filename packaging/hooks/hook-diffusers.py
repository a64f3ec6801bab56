"""PyInstaller hook for diffusers, which PyInstaller's own hooks do not cover.

diffusers exposes its classes through a lazy module, so static analysis of ``from diffusers import
UNet2DModel`` finds nothing to bundle. Rather than bundling all of diffusers (pipelines pull in
optional heavy packages), the hook imports the app's engine in a child process and bundles exactly
the diffusers modules it loads. diffusers also reads package versions at import, so the metadata of
it and of the packages it checks is copied in.
"""

import json
import subprocess
import sys

from PyInstaller.utils.hooks import copy_metadata

PROBE = (
    "import json, sys\n"
    "import radar_desktop.engine.models.spaces, radar_desktop.engine.scorers.registry\n"
    "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'diffusers')))\n"
)
CHECKED_AT_IMPORT = ("diffusers", "huggingface_hub", "safetensors", "numpy", "requests", "filelock", "regex", "Pillow", "tqdm", "torch")

hiddenimports = json.loads(subprocess.run([sys.executable, "-c", PROBE], check=True, capture_output=True, text=True).stdout)
datas = []
for distribution in CHECKED_AT_IMPORT:
    try:
        datas += copy_metadata(distribution)
    except Exception:  # not installed: diffusers treats it as optional too
        pass
