"""Plain-English video requests ("make a 10 second slideshow of my last three images") turned into a VideoPlan.

The grammar reads independent parts of a request (the motion, its options, the length, the shape, the frame
rate, the format and which pictures) so that they combine freely; anything it cannot honestly make gets a
refusal that says why and what the engine can do instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from nanobananas.engine.planner.numbers import replace_number_words
from nanobananas.engine.video.spec import LOOP_SECONDS, MAX_SLIDES, VideoSpec, images_needed

__all__ = ["CAN_DO", "VideoPlan", "looks_like_video_request", "plan_video"]

CAN_DO = (
    "I can make a slow zoom in or out framed on the subject or a face, a pan across a picture, a parallax "
    "clip (the subject floating over its blurred background), an animated poster from a poster made here, "
    "a slideshow of several pictures with crossfades or slides and captions, a before-and-after wipe, and "
    "GIF or WebP loops of up to 6 seconds; 2 to 15 seconds, 720p or 1080p, square or vertical, 24 or 30 fps."
)
SLIDESHOW_DEFAULT = 5
LOOP_DEFAULT_SECONDS = 4.0


@dataclass(frozen=True)
class VideoPlan:
    """What a request asks for: the spec and which pictures, or a refusal that says why and what is possible.

    `images_wanted` is N (the N pictures at hand; 1 = the current picture) or "last:N" (the N most recent
    pictures of the conversation, oldest first: for a wipe, the before and then the after).
    """

    spec: VideoSpec | None
    images_wanted: int | str = 1
    refusal: str | None = None
    summary: str = ""


def _refuse(reason: str) -> VideoPlan:
    return VideoPlan(spec=None, images_wanted=0, refusal=f"{reason} {CAN_DO}", summary="")


def _normal(text: str) -> str:
    lowered = text.lower().replace("\u2019", "'")
    lowered = re.sub(r"(\d)\s*-\s*(?=[a-z])", r"\1 ", lowered)
    lowered = re.sub(r"[^\w\s.:/&+']", " ", lowered.replace("-", " "))
    lowered = re.sub(r"\.(?!\d)", " ", lowered)
    tokens = replace_number_words(lowered.split())
    joined = " ".join(tokens)
    joined = re.sub(r"\b(?:a\s+)?couple\s+(?:of\s+)?", "2 ", joined)
    joined = re.sub(r"\ba\s+few\b", "3", joined)
    return re.sub(r"\bboth\b", "2", joined)


# ------------------------------------------------------------------ what a video request looks like

_VIDEO_NOUN = re.compile(
    r"\b(?:video|clip|mp4|movie|reel|tiktok)s?\b|\byoutube\s+shorts?\b"
    r"(?!\s+(?:game|games|call|calls|thumbnail|channel|cover|poster|banner|editor|editing|night|store|shop|camera))"
)
_FOR_A_VIDEO = re.compile(
    r"\b(?:for|on)\s+(?:my|a|an|the|our|your|his|her|their)\s+(?:\w+\s+)?(?:video|clip|movie|film|channel)s?\b"
)
_MOTION_WORDS = re.compile(
    r"\banimat(?:e|ed|es|ing|ion)\b|\bslide\s*shows?\b|\bmontage\b|\bken\s*burns\b|\bparallax\b"
    r"|\b(?:animated|looping)\s+(?:gif|webp)s?\b|\b(?:gif|webp)\s+(?:loop|animation)s?\b|\bloop(?:s|ing)?\b"
    r"|\bslow(?:ly)?\s+(?:zoom|push|pan|pull|dolly)|\bzoom\w*\s+(?:in|out|into|on)\b(?=.*\b(?:slow|slowly|seconds?|\d+\s*s)\b)"
    r"|\bpan(?:s|ning)?\s+(?:across|from|left|right|up|down|over|along)\b|\bbefore\s*(?:and|&|/|\+|n)\s*after\b"
    r"|\bbring\s+\w+(?:\s+\w+)?\s+to\s+life\b|\bpush(?:es|ing)?\s+in\b|\bdolly\b|\b2\.5\s*d\b"
    r"|\b(?:text|title|words|lines|letters)\s+(?:fly|flies|slide|slides|come|comes|float|floats|fade|fades|pop|pops)\s+in\b"
    r"|\b3\s*d\s+(?:effect|photo|look|motion)\b|\bin\s+3\s*d\b|\b\d+\s*(?:fps|frames?\s+(?:per|a)\s+second)\b"
    r"|\b\d+(?:\.\d+)?\s*(?:s|sec|secs|seconds?)\b.*\b(?:gifs?|webp|zoom\w*|pan|panning|loop\w*)\b"
    r"|\b(?:gifs?|webp|zoom\w*|pan|panning|loop\w*)\b.*\b\d+(?:\.\d+)?\s*(?:s|sec|secs|seconds?)\b"
)


def looks_like_video_request(text: str) -> bool:
    """Whether the chat should send this message to the video planner rather than the image planner.

    A video noun counts only for a video being made ("a poster for my video" is an image request), and
    "make it a gif" stays an image conversion unless it asks for an animated or looping one.
    """
    normal = _normal(text)
    if _MOTION_WORDS.search(normal):
        return True
    if not _VIDEO_NOUN.search(normal):
        return False
    return not _FOR_A_VIDEO.search(normal)


# ------------------------------------------------------------------ the parts of a request

_SECONDS = re.compile(r"\b(\d+(?:\.\d+)?)\s*(?:s|sec|secs|second|seconds)\b")
_MINUTES = re.compile(r"\b(?:(\d+(?:\.\d+)?)|a|an|one)\s*(?:m|min|mins|minute|minutes)\b(?!\s*read)")
_FPS = re.compile(r"\b(\d+)\s*(?:fps|frames?\s+(?:per|a)\s+second)\b")
_LAST = re.compile(
    r"\b(?:last|latest|recent|most\s+recent|previous|newest)\s+(\d+)\b|\b(\d+)\s+(?:last|latest|most\s+recent|recent)\b"
)
_COUNTED = re.compile(
    r"\b(?:these|those|the|my|all|of)\s+(\d+)\s+(?:\w+\s+)?(?:images|pictures|photos|pics|shots|versions|slides)\b"
)
_PLURAL = re.compile(r"\b(?:these|those)\s+(?:\w+\s+)?(?:images|pictures|photos|pics|shots|versions)\b")
_ALL = re.compile(r"\ball\s+(?:of\s+)?(?:my|the|these|those)\s+(?:\w+\s+)?(?:images|pictures|photos|pics|shots)\b")
_QUOTED = re.compile(r"[\"“”]([^\"“”]+)[\"“”]")

_WIPE = re.compile(
    r"\bbefore\s*(?:and|&|/|\+|n|vs|versus)\s*after\b|\bwipe\b|\bcompar(?:e|ison|ing)\b|\bside\s+by\s+side\b"
    r"|\breveal\s+(?:the\s+)?(?:edit|change|difference)"
)
_SLIDESHOW = re.compile(
    r"\bslide\s*shows?\b|\bmontage\b|\bphoto\s+reel\b|\bcarousel\b|\bone\s+after\s+(?:the\s+)?other\b"
)
_POSTER = re.compile(
    r"\b(?:poster|flyer|flier|card|banner|design|invitation|invite|announcement|graphic|menu|certificate)s?\b"
)
_POSTER_MOTION = re.compile(
    r"\banimat\w*|\b(?:video|clip|mp4|reel)s?\b|\bbring\s+\w+(?:\s+\w+)?\s+to\s+life\b"
    r"|\b(?:text|title|words|lines)\s+(?:fly|flies|slide|slides|come|comes"
    r"|float|floats|fade|fades|pop|pops|appear|appears)\b"
)
_PARALLAX = re.compile(
    r"\bparallax\b|\b2\.5\s*d\b|\b3\s*d\s+(?:effect|photo|look|motion|feel)\b|\bdepth\s+effect\b"
    r"|\b(?:pop|pops|float|floats|floating)\s+(?:out|over|above|off)\b|\bsubject\s+(?:float|pop|stand)s?\b"
)
_PAN = re.compile(
    r"\bpan(?:s|ning|ned)?\b|\b(?:scroll|sweep|travel|glide|track|move|slide)(?:s|ing)?\s+(?:across|along|over)\b"
    r"|\b(?:left|right|top|bottom)\s+to\s+(?:the\s+)?(?:left|right|top|bottom)\b"
)
_ZOOM_OUT = re.compile(
    r"\bzoom\w*\s+(?:slowly\s+)?out\b|\bpull(?:s|ing)?\s+(?:back|out|away)\b|\bdolly\s+out\b|\bwiden(?:s|ing)?\b"
)
_ZOOM_IN = re.compile(
    r"\bzoom\w*\b|\bken\s*burns\b|\bpush(?:es|ing)?\s+in\b|\bclose\s+in\b|\bdolly\s+in\b|\bmove\s+in\b"
    r"|\bget\s+closer\b|\bcloser\s+and\s+closer\b"
)
_GENERIC = re.compile(
    r"\banimat\w*|\b(?:video|clip|mp4|movie|reel)s?\b|\bloop\w*|\bgif\b|\bwebp\b|\bbring\s+\w+(?:\s+\w+)?\s+to\s+life\b"
)
_FACE = re.compile(r"\b(?:face|faces|eyes|smile|portrait|head)\b")
_CENTER = re.compile(r"\b(?:center|centre|middle)\b")

_DIRECTIONS = {
    "left": "left_to_right",
    "right": "right_to_left",
    "top": "top_to_bottom",
    "bottom": "bottom_to_top",
}
_FROM_TO = re.compile(r"\b(left|right|top|bottom)\s+to\s+(?:the\s+)?(left|right|top|bottom)\b")
_PAN_WAY = re.compile(r"\bpan(?:s|ning|ned)?\s+(?:slowly\s+)?(?:to\s+the\s+)?(left|right|up|down)\w*\b")
_FROM_SIDE = re.compile(r"\bfrom\s+(?:the\s+)?(left|right|top|bottom)\b")
_WAYS = re.compile(r"\b(left|right|up|down)wards?\b")

# Things people ask a video for that moving a camera over still pictures cannot make.
_NEEDS_GENERATIVE = re.compile(
    r"\bmake\s+(?:her|him|them|it|me|us|(?:the|my|his|their)\s+(?!title|text|words|lines|letters|head(?:ing|line)|caption|name)\w+)"
    r"\s+(?:\w+\s+)?"
    r"(?:walk|run|dance|talk|speak|smile|wave|move|blink|fly|jump|swim|sing|laugh|turn|nod|breathe|wink)\w*\b"
    r"|\b(?:walking|running|dancing|talking|speaking|waving|blinking|flying|jumping|swimming|singing|lip\s*sync\w*)\b"
    r"|\b(?:water|waves|clouds|smoke|fire|leaves|hair|trees|rain|snow)\s+(?:flow|flowing|move|moving|blow|blowing|drift\w*|fall\w*|sway\w*|ripple\w*)\b"
    r"|\btalking\s+head\b|\bcinemagraph\b"
)
# A clip described by what it shows ("a video of a cat surfing") rather than made from pictures at hand.
_DESCRIBED = re.compile(
    r"\b(?:video|clip|movie|animation|reel)s?\s+(?:of|showing|where|in\s+which|about)\s+"
    r"(?!(?:this|that|these|those|it|them|my|our|your|the\s+(?:picture|photo|image|poster|flyer|last|first|previous)"
    r"|her|him|his|me|us|before|all)\b)(?:an?|some|the|two|three|\d+)?\s*\w+"
)
_SOUND = re.compile(r"\b(?:music|soundtrack|audio|sound|sounds|voice|voiceover|narrat\w*|song|songs|beat|beats|sfx)\b")
_TOO_BIG = re.compile(r"\b(?:4\s*k|2160p?|1440p?|2\s*k|uhd|8\s*k)\b")


@dataclass(frozen=True)
class _Shape:
    width: int
    height: int
    name: str


def _shape(normal: str) -> _Shape:
    full = bool(re.search(r"\b(?:1080p?|full\s*hd|fhd|high\s+res(?:olution)?)\b", normal))
    if re.search(r"\b(?:square|1\s*[:x]\s*1|instagram\s+post|feed\s+post)\b", normal):
        side = 1080 if full else 720
        return _Shape(side, side, "square")
    if re.search(
        r"\b(?:vertical|portrait\s+(?:video|clip|format|mode|orientation)|9\s*[:/x]\s*16|stories|story|reels?|tiktok|shorts"
        r"|upright|tall)\b",
        normal,
    ):
        return _Shape(1080, 1920, "vertical") if full else _Shape(720, 1280, "vertical")
    return _Shape(1920, 1080, "landscape") if full else _Shape(1280, 720, "landscape")


def _seconds(normal: str) -> float | None:
    found = _SECONDS.search(normal)
    if found:
        return float(found.group(1))
    minutes = _MINUTES.search(normal)
    if minutes:
        return 60 * float(minutes.group(1) or 1)
    if re.search(r"\bhalf\s+a\s+minute\b", normal):
        return 30.0
    return None


def _format(normal: str) -> str:
    if re.search(r"\bwebp\b", normal):
        return "webp"
    if re.search(r"\bgifs?\b|\bloop(?:s|ing|ed)?\b", normal) and not re.search(r"\bmp4\b", normal):
        return "gif"
    return "mp4"


def _direction(normal: str) -> str | None:
    found = _FROM_TO.search(normal)
    if found and found.group(1) != found.group(2):
        return _DIRECTIONS[found.group(1)]
    way = _PAN_WAY.search(normal) or _WAYS.search(normal)
    if way:
        # "pan left" moves the view to the left: it travels from the right side to the left.
        return {"left": "right_to_left", "right": "left_to_right", "up": "bottom_to_top", "down": "top_to_bottom"}[
            way.group(1)
        ]
    side = _FROM_SIDE.search(normal)
    if side:
        return _DIRECTIONS[side.group(1)]
    return None


def _motion(normal: str) -> str | None:
    if _WIPE.search(normal):
        return "wipe"
    if _SLIDESHOW.search(normal):
        return "slideshow"
    if _POSTER.search(normal) and _POSTER_MOTION.search(normal):
        return "poster"
    if _PARALLAX.search(normal):
        return "parallax"
    if _PAN.search(normal) or (_direction(normal) and not _ZOOM_IN.search(normal)):
        return "pan"
    if _ZOOM_OUT.search(normal):
        return "zoom_out"
    if _ZOOM_IN.search(normal):
        return "zoom_in"
    many = _LAST.search(normal) or _COUNTED.search(normal) or _ALL.search(normal) or _PLURAL.search(normal)
    if many and _GENERIC.search(normal):
        return "slideshow"
    if _GENERIC.search(normal):
        return "zoom_in"
    return None


def _pictures(normal: str, motion: str, available: int) -> int | str:
    """Which pictures the request means, from its own words and the motion."""
    last = _LAST.search(normal)
    counted = _COUNTED.search(normal)
    if motion == "wipe":
        return "last:2"
    if motion != "slideshow":
        return 1
    if last:
        return f"last:{int(last.group(1) or last.group(2))}"
    if counted:
        return f"last:{int(counted.group(1))}"
    if _ALL.search(normal):
        return f"last:{min(max(available, 2), MAX_SLIDES)}"
    if _PLURAL.search(normal):
        return min(max(available, 2), MAX_SLIDES)
    return f"last:{min(max(available, 2), SLIDESHOW_DEFAULT)}"


def _count(wanted: int | str) -> int:
    return int(wanted.split(":")[1]) if isinstance(wanted, str) else wanted


def _captions(text: str, count: int) -> list[str]:
    if not re.search(r"\bcaption", text.lower()):
        return []
    quoted = [" ".join(found.split()) for found in _QUOTED.findall(text) if found.strip()]
    if quoted:
        return quoted[:count]
    listed = re.search(r"\bcaptions?\s*:\s*(.+)$", text, flags=re.IGNORECASE | re.DOTALL)
    if listed:
        return [part.strip() for part in re.split(r"[;|\n]", listed.group(1)) if part.strip()][:count]
    return []


_NAMES = {
    "zoom_in": "slow zoom in",
    "zoom_out": "slow zoom out",
    "pan": "pan",
    "parallax": "parallax clip",
    "poster": "animated poster",
    "slideshow": "slideshow",
    "wipe": "before-and-after wipe",
}


def _summary(spec: VideoSpec, wanted: int | str) -> str:
    what = _NAMES[spec.motion]
    if spec.motion in ("zoom_in", "zoom_out"):
        what += {"face": " on the face", "subject": " on the subject", "center": " on the middle"}[spec.focus]
    if spec.motion == "pan":
        what += " " + spec.direction.replace("_", " ")
    if spec.motion == "slideshow":
        what += f" of your last {_count(wanted)} pictures with {spec.transition}s"
        if spec.captions:
            what += " and captions"
    if spec.motion == "wipe":
        what += " between your last two pictures"
    kind = "loop" if spec.format != "mp4" else "video"
    return (
        f"A {spec.seconds:g} second {what}: {spec.width}x{spec.height} {spec.format.upper()} {kind} at {spec.fps} fps."
    )


def plan_video(text: str, *, available_images: int) -> VideoPlan:
    """Plan a video from a plain-English request, given how many pictures the conversation has."""
    normal = _normal(text)
    if not normal:
        return _refuse("Tell me what kind of video to make.")
    if _SOUND.search(normal):
        return _refuse("Videos made here are silent: there is no music, voice or sound track.")
    if _NEEDS_GENERATIVE.search(normal):
        return _refuse(
            "Making people or things inside a picture move (walking, talking, water flowing) needs a generative "
            "video model; the built-in engine only moves the camera over still pictures."
        )
    if _DESCRIBED.search(normal) and not (_SLIDESHOW.search(normal) or _LAST.search(normal) or _COUNTED.search(normal)):
        return _refuse(
            "Making people or things that are not in your pictures appear and move needs a generative video "
            "model; the built-in engine only moves the camera over pictures you already have."
        )
    if _TOO_BIG.search(normal):
        return _refuse("The largest video is 1080p (1920x1080, or 1080x1920 vertical).")
    motion = _motion(normal)
    if motion is None:
        return _refuse("I did not understand what video to make.")
    seconds = _seconds(normal)
    fmt = _format(normal)
    if seconds is not None and not 2 <= seconds <= 15:
        return _refuse(f"A video can be 2 to 15 seconds long, not {seconds:g}.")
    if seconds is None:
        seconds = LOOP_DEFAULT_SECONDS if fmt != "mp4" else 6.0
    if fmt != "mp4" and seconds > LOOP_SECONDS:
        return _refuse(
            f"A {fmt.upper()} loop can be at most {LOOP_SECONDS:g} seconds; ask for an MP4 for {seconds:g} seconds."
        )
    fps_found = _FPS.search(normal)
    fps = int(fps_found.group(1)) if fps_found else (24 if re.search(r"\bcinematic\b|\bfilm\s+look\b", normal) else 30)
    if fps not in (24, 30):
        return _refuse(f"Videos are made at 24 or 30 frames per second, not {fps}.")
    wanted = _pictures(normal, motion, available_images)
    count = _count(wanted)
    low, high = images_needed(motion)
    if available_images < 1:
        return _refuse("There is no picture to make a video from yet: upload or create one first.")
    if count < low:
        return _refuse(f"A {_NAMES[motion]} needs at least {low} pictures.")
    if count > high:
        return _refuse(f"A {_NAMES[motion]} can use at most {high} pictures, not {count}.")
    if count > available_images:
        there = f"there is only {available_images}" if available_images == 1 else f"there are only {available_images}"
        return _refuse(f"A {_NAMES[motion]} of {count} pictures needs {count} pictures, and {there}.")
    shape = _shape(normal)
    options: dict[str, Any] = {
        "motion": motion,
        "seconds": seconds,
        "width": shape.width,
        "height": shape.height,
        "fps": fps,
        "format": fmt,
    }
    if motion in ("zoom_in", "zoom_out", "pan", "parallax", "slideshow"):
        options["focus"] = "face" if _FACE.search(normal) else "center" if _CENTER.search(normal) else "subject"
    if motion in ("pan", "wipe"):
        options["direction"] = _direction(normal) or "left_to_right"
    if motion == "slideshow":
        slide = re.search(r"\bslid(?:e|es|ing)\b(?!\s*shows?)|\bswipe\w*|\bpush\s+transition", normal)
        options["transition"] = "slide" if slide else "crossfade"
        options["captions"] = _captions(text, count)
    try:
        spec = VideoSpec(**options)
    except ValidationError as exc:
        return _refuse(f"That video cannot be made as asked ({exc.errors()[0]['msg']}).")
    return VideoPlan(spec=spec, images_wanted=wanted, refusal=None, summary=_summary(spec, wanted))
