#!/usr/bin/env python3
"""Renders the HTML of `gpushare-bench report` in headless Chromium and checks the screenshot.

Inputs, all without a GPU:
  * the full synthetic report the unit tests write (JsonWriterSchema.*: written figures for the
    layout, not measurements);
  * tests/fixtures/reports/host-sleep-timeslice.json, a report the harness produced with
    host-sleep tenants (a test instrument, labelled so in the page);
  * tests/fixtures/microbench/microbench-repetitions.json, Google Benchmark output of our
    microbenchmarks (the page's Microbenchmarks section).

Checks: the report command exits 0 and writes index.html with SVG and no script; Chromium
(Debian's `chromium`, installed by scripts/setup.sh) renders it to a PNG of the requested
size in which a good fraction of pixels are not background. A missing Chromium fails: CI runs
scripts/setup.sh first, and a skipped render would hide a broken page.
"""

import argparse
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

WIDTH = 1280
HEIGHT = 2000
# The page is mostly white; tables, text and charts must cover more than this share.
MIN_INK_FRACTION = 0.03
COMMAND_TIMEOUT_S = 120


class CheckFailed(Exception):
    """The render or one of its checks failed; the message says what."""


def run(command, env=None):
    result = subprocess.run(command, capture_output=True, text=True, env=env,
                            timeout=COMMAND_TIMEOUT_S, check=False)
    if result.returncode != 0:
        raise CheckFailed(f"{' '.join(map(str, command))} exited with {result.returncode}:\n"
                          f"{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return result


def find_chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise CheckFailed("chromium is not installed: run scripts/setup.sh (it installs Debian's "
                      "chromium package) and run the tests again")


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(path):
    """Returns (width, height, rows of RGB tuples) for an 8-bit RGB or RGBA PNG."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise CheckFailed(f"{path}: not a PNG file")
    offset = 8
    idat = b""
    width = height = None
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        offset += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace != 0:
                raise CheckFailed(f"{path}: unsupported PNG (depth {depth}, colour {colour}, "
                                  f"interlace {interlace})")
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    if width is None:
        raise CheckFailed(f"{path}: no IHDR chunk")
    raw = zlib.decompress(idat)
    stride = width * channels
    rows = []
    previous = bytearray(stride)
    position = 0
    for _ in range(height):
        kind = raw[position]
        line = bytearray(raw[position + 1:position + 1 + stride])
        position += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            upper_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + paeth(left, up, upper_left)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


def ink_fraction(channels, rows):
    """Share of pixels that differ from the most common colour (the page background)."""
    counts = {}
    total = 0
    for line in rows:
        for i in range(0, len(line), channels):
            pixel = line[i:i + 3]
            counts[pixel] = counts.get(pixel, 0) + 1
            total += 1
    background = max(counts.values())
    return 1 - background / total


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--binary", required=True, type=Path, help="gpushare-bench")
    parser.add_argument("--unit-tests", required=True, type=Path, help="gpushare_unit_tests")
    parser.add_argument("--fixture", required=True, type=Path,
                        help="a checked-in report of host-sleep tenants")
    parser.add_argument("--benchmark-fixture", required=True, type=Path,
                        help="checked-in Google Benchmark JSON of gpushare_microbench")
    parser.add_argument("--work-dir", required=True, type=Path)
    args = parser.parse_args()

    try:
        chromium = find_chromium()
        binary = args.binary.resolve()
        unit_tests = args.unit_tests.resolve()
        fixture = args.fixture.resolve()
        benchmark_fixture = args.benchmark_fixture.resolve()
        work = args.work_dir
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
        run([str(unit_tests), "--gtest_filter=JsonWriterSchema.*"],
            env=dict(os.environ, GPUSHARE_SCHEMA_SAMPLE_DIR=str(work)))
        sample = work / "sample-report.json"
        if not sample.exists():
            raise CheckFailed(f"{sample} was not written by JsonWriterSchema.*")
        out = work / "report"
        run([str(binary), "report", str(sample), str(fixture), str(benchmark_fixture), "-o",
             str(out)])
        html = (out / "index.html").read_text(encoding="utf-8")
        if "<svg" not in html or "<script" in html:
            raise CheckFailed(f"{out / 'index.html'}: expected inline SVG and no script")
        if "host-* test instrument, not a GPU figure" not in html:
            raise CheckFailed(f"{out / 'index.html'}: the host-sleep fixture is not labelled "
                              "as a test instrument")
        if "<h2>Microbenchmarks</h2>" not in html:
            raise CheckFailed(f"{out / 'index.html'}: no Microbenchmarks section for "
                              f"{benchmark_fixture}")

        png = work / "index.png"
        profile = work / "chromium-profile"
        run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--user-data-dir={profile}", f"--screenshot={png}",
             f"--window-size={WIDTH},{HEIGHT}", (out / "index.html").resolve().as_uri()],
            env=dict(os.environ, HOME=str(work)))
        if not png.exists():
            raise CheckFailed(f"chromium wrote no screenshot to {png}")
        width, height, channels, rows = decode_png(png)
        if (width, height) != (WIDTH, HEIGHT):
            raise CheckFailed(f"{png}: {width}x{height}, expected {WIDTH}x{HEIGHT}")
        ink = ink_fraction(channels, rows)
        if ink < MIN_INK_FRACTION:
            raise CheckFailed(f"{png}: only {ink:.1%} of pixels differ from the background "
                              f"(at least {MIN_INK_FRACTION:.0%} expected): the page looks blank")
        print(f"ok: {png} {width}x{height}, {ink:.1%} of pixels not background")
        return 0
    except (CheckFailed, subprocess.TimeoutExpired, OSError) as failure:
        print(f"FAIL: {failure}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
