"""Animations: scenes as data (from the window map and the engine), the renderer, files, the gallery.

Building a scene needs NumPy only; drawing and saving import matplotlib (``pip install
"convarith[anim]"``) when first used.
"""

from convarith.anim.export import (
    OutputExistsError,
    save,
    save_beamer,
    save_frames,
    save_gif,
    save_mp4,
    save_sheet,
)
from convarith.anim.gallery import GALLERY, GalleryFigure, GallerySummary, gallery_names, render_gallery
from convarith.anim.render import ChannelRenderer, Renderer, render
from convarith.anim.scenes import (
    Cell,
    ChannelFrame,
    ChannelScene,
    Frame,
    Panel,
    Scene,
    conv_scene,
    group_scene,
    layer_scene,
    overlap_scene,
    pool_scene,
    same_comparison_scene,
    symmetric_scene,
    transpose_scene,
)

__all__ = [
    "layer_scene",
    "conv_scene",
    "pool_scene",
    "transpose_scene",
    "overlap_scene",
    "group_scene",
    "symmetric_scene",
    "same_comparison_scene",
    "Scene",
    "ChannelScene",
    "Panel",
    "Frame",
    "ChannelFrame",
    "Cell",
    "render",
    "Renderer",
    "ChannelRenderer",
    "save",
    "save_gif",
    "save_mp4",
    "save_frames",
    "save_sheet",
    "save_beamer",
    "OutputExistsError",
    "render_gallery",
    "gallery_names",
    "GALLERY",
    "GalleryFigure",
    "GallerySummary",
]
