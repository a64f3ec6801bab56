"""A profile described in plain text, for the ``profiles show`` command and the profile manager."""

from __future__ import annotations

from radar_desktop.core.quantities import score_text
from radar_desktop.profiles.inspection_settings import inspection_lines
from radar_desktop.profiles.profile import Profile
from radar_desktop.profiles.promises import promise_lines
from radar_desktop.profiles.recalibration import ADDED_KEY


def profile_summary(profile: Profile, listed_images: int = 12) -> str:
    """A profile in plain text: identity, preprocessing, training, thresholds per scorer, history."""
    training = profile.training
    lines = [
        f"name          {profile.name}",
        f"notes         {profile.notes or '-'}",
        f"created       {profile.created} by {profile.author or 'unknown'} (RADAR Desktop {profile.software_version})",
        f"modified      {profile.modified or profile.created}",
        f"content hash  {profile.content_hash}",
        f"preprocessing {', '.join(f'{k} {v}' for k, v in profile.preprocessing.items()) or '-'}",
        f"training      {training.get('steps', '?')} steps in {training.get('seconds', '?')} s on {training.get('device', '?')}, "
        f"final loss {training.get('final_loss', float('nan')):.4f}",
        f"images        {len(training.get('train_images', []))} for training, {len(training.get('held_back_images', []))} "
        f"held back for calibration, {len(training.get('skipped', []))} skipped, from {training.get('images', '?')}"
        + (f"; {len(training[ADDED_KEY])} reviewed-good images added" if training.get(ADDED_KEY) else ""),
        f"model space   {space_line(training)}",
        f"scorer        {profile.entry().made_of(profile.default_scorer)} (default)",
    ]
    if profile.entry().read_scale:
        lines.append("scores        0 for a typical good part, 1 at the NOK line")
    for name, entry in profile.scorers.items():
        defects = f", {len(entry.defect_scores)} defect scores" if entry.defect_scores else ""
        made_of = f"; made of {' + '.join(entry.parts)}" if len(entry.parts) > 1 else ""
        lines.append(
            f"  {name:<11} REVIEW > {score_text(entry.thresholds.review)}, NOK > {score_text(entry.thresholds.nok)} "
            f"({len(entry.good_scores)} good scores{defects}{made_of})"
        )
    lines += [f"promise       {text}" for text in promise_lines(profile)]
    lines += inspection_lines(profile)
    names = training.get("train_images", [])
    if names:
        shown = ", ".join(names[:listed_images]) + (f" and {len(names) - listed_images} more" if len(names) > listed_images else "")
        lines.append(f"trained on    {shown}")
    lines.append("history")
    lines += [f"  {e.get('time', '')}  {e.get('event', '')}  {e.get('by', '')}  {e.get('detail', '')}" for e in profile.history]
    return "\n".join(lines)


def space_line(training: dict) -> str:
    """Where the diffusion model works: image patches, or a pretrained encoder's features (cited by hash)."""
    if training.get("space") != "encoder":
        return "pixel (U-Net on image patches)"
    blocks = ", ".join(str(b) for b in training.get("encoder_blocks", []))
    return f"encoder: {training.get('encoder')} blocks {blocks}, ImageNet weights SHA-256 {training.get('encoder_weights_sha256')}"
