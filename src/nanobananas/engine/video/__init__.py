"""AI Video in the offline engine: motions over pictures (zoom, pan, parallax, animated poster, slideshow, wipe)
streamed frame by frame into H.264 MP4, GIF or animated WebP, and a planner for plain-English video requests.

Nothing here imports Django.
"""

from __future__ import annotations

from nanobananas.engine.video.planner import CAN_DO, VideoPlan, looks_like_video_request, plan_video
from nanobananas.engine.video.render import PREVIEW_WIDTH, preview_video, render_video
from nanobananas.engine.video.spec import (
    LOOP_SECONDS,
    MOTIONS,
    VideoError,
    VideoInfo,
    VideoSpec,
    check_inputs,
    images_needed,
)

__all__ = [
    "CAN_DO",
    "LOOP_SECONDS",
    "MOTIONS",
    "PREVIEW_WIDTH",
    "VideoError",
    "VideoInfo",
    "VideoPlan",
    "VideoSpec",
    "check_inputs",
    "images_needed",
    "looks_like_video_request",
    "plan_video",
    "preview_video",
    "render_video",
]
