"""The two scripts of embedding: ``embed.js`` on the host page, and the tiny
script inside each iframe document that reports its height.

The frame script is inlined and allowed by its sha256 hash in the widget's
CSP, so a widget runs exactly this script and nothing else, and costs no
extra request. It posts ``{type: "bw:height", slug, height}`` to the parent
whenever the document's height changes; ``embed.js`` accepts such a message
only from the widget's origin and from the iframe it created.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

ASSETS = Path(__file__).parent / "assets"

FRAME_SCRIPT = (
    "(function(){var d=document.documentElement,b=document.querySelector('.bw'),"
    "h=0;function p(){var n=Math.ceil(d.getBoundingClientRect().height);"
    "if(n!==h&&parent!==window){h=n;parent.postMessage({type:'bw:height',"
    "slug:b?b.getAttribute('data-slug'):'',height:n},'*')}}"
    "if(window.ResizeObserver){new ResizeObserver(p).observe(d)}"
    "addEventListener('load',p);p()})();"
)

FRAME_SCRIPT_HASH = (
    "sha256-"
    + base64.b64encode(hashlib.sha256(FRAME_SCRIPT.encode()).digest()).decode()
)


def embed_script() -> bytes:
    """The loader pasted on blog pages (read once per call; responses cache it)."""
    return (ASSETS / "embed.js").read_bytes()
