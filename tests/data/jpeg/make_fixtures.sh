#!/bin/sh
# Regenerates the JPEG test fixtures in this folder (see README.md).
# Needs python3 and libjpeg-turbo's cjpeg/djpeg (Debian libjpeg-turbo-progs,
# 2.1.5 was used). Run from this folder: sh make_fixtures.sh
set -eu

# A 37x29 synthetic image (odd sizes: partial MCUs on both edges):
# gradients, a checkerboard of saturated colours (clipping in the IDCT and
# in YCbCr->RGB) and a deterministic pseudo-random texture.
python3 - <<'PY'
w, h, s = 37, 29, 12345
px = bytearray()
for y in range(h):
    for x in range(w):
        s = (s * 1103515245 + 12345) & 0x7fffffff
        n = (s >> 16) % 41 - 20
        if (x // 6 + y // 5) % 3 == 0:
            r, g, b = (255, 0, 255) if (x + y) % 2 else (0, 255, 0)
        else:
            r, g, b = x * 255 // (w - 1), y * 255 // (h - 1), (x * 7 + y * 13) % 256
        px += bytes(max(0, min(255, v + n)) for v in (r, g, b))
open("src.ppm", "wb").write(b"P6\n%d %d\n255\n" % (w, h) + px)
# 4x2, red then blue: chroma only 2 samples wide, where libjpeg replicates
# instead of filtering (and the two would differ)
open("src4x2.ppm", "wb").write(b"P6\n4 2\n255\n" + bytes([250, 20, 30] * 2 + [10, 40, 240] * 2) * 2)
PY

enc() { # name, cjpeg options...
    name=$1; shift
    cjpeg "$@" -outfile "$name.jpg" src.ppm
}
enc f420 -quality 90 -sample 2x2
enc f422_opt_rst -quality 92 -sample 2x1 -optimize -restart 1
enc f444_q100 -quality 100 -sample 1x1
enc f440 -quality 85 -sample 1x2
enc fgray -quality 90 -grayscale
enc f411 -quality 90 -sample 4x1
enc frgb -quality 90 -rgb -sample 1x1
enc f420_q5 -quality 5 -sample 2x2
enc f420_rst3 -quality 80 -sample 2x2 -restart 3B
printf '0;\n1;\n2;\n' > scans.txt
enc f420_scans -quality 90 -sample 2x2 -scans scans.txt
cjpeg -quality 90 -sample 2x2 -outfile f420_4x2.jpg src4x2.ppm
cjpeg -quality 90 -sample 2x1 -outfile f422_4x2.jpg src4x2.ppm
rm -f scans.txt src.ppm src4x2.ppm

for f in f*.jpg; do
    b=${f%.jpg}
    if [ "$b" = fgray ]; then djpeg -pnm -outfile "$b.pgm" "$f"; else djpeg -pnm -outfile "$b.ppm" "$f"; fi
done

# Damaged files and what djpeg makes of them (it warns and goes on).
# d420_trunc: f420 cut in its entropy-coded data (the rest is gray).
python3 -c "
b = open('f420.jpg', 'rb').read()
sos = b.index(b'\xff\xda')
open('d420_trunc.jpg', 'wb').write(b[:sos + (len(b) - sos) * 6 // 10])
# d422_rst: the third restart marker of f422_opt_rst replaced by RST7
b = bytearray(open('f422_opt_rst.jpg', 'rb').read())
i = b.index(b'\xff\xd2', b.index(b'\xff\xda'))
b[i + 1] = 0xd7
open('d422_rst.jpg', 'wb').write(bytes(b))
"
djpeg -pnm -outfile d420_trunc.ppm d420_trunc.jpg || true
djpeg -pnm -outfile d422_rst.ppm d422_rst.jpg || true
