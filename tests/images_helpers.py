"""Small, real images written from bytes with the standard library, for the image tests.

Each writer returns a complete file of the requested size: a grey PNG, a baseline JPEG whose
8x8 blocks are all flat grey, a GIF of colour 0, and lossless (VP8L, optionally in a VP8X
container) WebP images whose every pixel is 0. They decode with libpng, libjpeg, giflib and
libwebp (checked with pngcheck, djpeg, gifsicle and dwebp while writing them). The lossy
`webp_vp8` is a valid VP8 key-frame header followed by filler: enough to read the size, not
a decodable picture.
"""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Iterable, Sequence


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int) -> bytes:
    """A width x height 8-bit greyscale PNG: signature, IHDR, one IDAT, IEND."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    packer = zlib.compressobj()
    row = bytes(width + 1)  # filter type 0, then one grey byte per pixel
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg(width: int, height: int, *, app: Sequence[bytes] = (), sof: int = 0xC0) -> bytes:
    """A width x height greyscale baseline JPEG; *app* payloads become APP1.. segments first.

    *sof* swaps in another start-of-frame marker for header tests (the scan is then not a
    valid one for that coding process).

    Every 8x8 block codes DC difference category 0 and an immediate end-of-block, each a
    one-bit Huffman code '0', so the scan is two zero bits per block.
    """
    out = [b"\xff\xd8", _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")]
    out += [_segment(0xE1 + i % 14, payload) for i, payload in enumerate(app)]
    out.append(_segment(0xDB, b"\x00" + bytes([1] * 64)))  # one quantisation table of ones
    out.append(_segment(sof, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"))
    one_code = bytes([1] + [0] * 15)  # a single code of length 1
    out.append(_segment(0xC4, b"\x00" + one_code + b"\x00"))  # DC table 0: category 0
    out.append(_segment(0xC4, b"\x10" + one_code + b"\x00"))  # AC table 0: end of block
    out.append(_segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"))
    blocks = -(-width // 8) * -(-height // 8)
    bits = 2 * blocks
    scan = bytearray(bits // 8)
    if bits % 8:
        scan.append(0xFF >> (bits % 8))  # pad the last byte with one bits
    out += [bytes(scan), b"\xff\xd9"]
    return b"".join(out)


def gif(width: int, height: int) -> bytes:
    """A width x height GIF89a of colour 0, LZW-coded as clear code + index 0 per pixel."""
    header = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + bytes(6)
    descriptor = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
    codes = [4, 0] * (width * height) + [5]  # clear, pixel 0, ... end; always 3-bit codes
    acc = nbits = 0
    data = bytearray()
    for code in codes:
        acc |= code << nbits
        nbits += 3
        while nbits >= 8:
            data.append(acc & 0xFF)
            acc >>= 8
            nbits -= 8
    if nbits:
        data.append(acc)
    blocks = b"".join(
        bytes([len(data[i : i + 255])]) + data[i : i + 255] for i in range(0, len(data), 255)
    )
    return header + descriptor + b"\x02" + blocks + b"\x00\x3b"


def _bits_le(fields: Iterable[tuple[int, int]]) -> bytes:
    acc = nbits = 0
    for value, width in fields:
        acc |= value << nbits
        nbits += width
    return acc.to_bytes(-(-nbits // 8), "little")


def _riff(chunks: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + chunks


def _webp_chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + (b"\x00" if len(data) % 2 else b"")


def _vp8l(width: int, height: int) -> bytes:
    # Size and flags, then: no transform, no colour cache, no meta codes, and five simple
    # prefix codes of one 1-bit symbol 0 each, so every pixel takes no bits at all.
    simple_code = [(1, 1), (0, 1), (0, 1), (0, 1)]
    fields = [(width - 1, 14), (height - 1, 14), (0, 1), (0, 3), (0, 1), (0, 1), (0, 1)]
    return b"\x2f" + _bits_le(fields + simple_code * 5)


def webp_vp8l(width: int, height: int) -> bytes:
    """A width x height lossless WebP (simple format: one VP8L chunk)."""
    return _riff(_webp_chunk(b"VP8L", _vp8l(width, height)))


def webp_vp8x(width: int, height: int) -> bytes:
    """A width x height extended WebP: a VP8X chunk giving the canvas, then the VP8L image."""
    vp8x = (
        b"\x00" + bytes(3) + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    )
    return _riff(_webp_chunk(b"VP8X", vp8x) + _webp_chunk(b"VP8L", _vp8l(width, height)))


def webp_vp8(width: int, height: int, *, scale: int = 0) -> bytes:
    """A lossy WebP whose VP8 chunk starts with a valid key-frame header (size in 14 bits,
    *scale* in the top two bits of each side); the partition after it is filler."""
    payload = b"\x00" * 32
    tag = (len(payload) << 5) | (1 << 4)  # key frame, version 0, shown, partition size
    header = struct.pack("<I", tag)[:3] + b"\x9d\x01\x2a"
    header += struct.pack("<HH", width | scale << 14, height | scale << 14)
    return _riff(_webp_chunk(b"VP8 ", header + payload))


def data_url(data: bytes, media_type: str = "image/png") -> str:
    """A base64 ``data:`` URL of *data*."""
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def b64(data: bytes) -> str:
    """*data* as a plain base64 string (Anthropic and Gemini parts)."""
    return base64.b64encode(data).decode("ascii")
