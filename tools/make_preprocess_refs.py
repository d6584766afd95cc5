#!/usr/bin/python3
"""Make the small reference images and tensors that suite_cli checks `tern preprocess`
against (tests/data/prep/): tern's C preprocessing must equal Pillow bit for bit.

Images: crops (no resampling) of two JPEGs from ../shared/data/imagenet-sample, one RGB
60x45 PPM and one gray 37x50 PGM, so the files stay a few KB.
Expected tensors: the presets exactly as the reference tools compute them, with the
output size as a parameter (224 in the real presets):
  tf128/tf127/unit: shared/tools/preprocess_tf.py's load() (TF central crop 87.5%,
      Pillow BILINEAR resize), then float32((p - zp) * scale) as run_ort.js does;
  torchvision: make_arch_models.py's torchvision_preset() with the resize side scaled
      (256 for 224, else size*256//224), /255, ImageNet mean/std in float32;
  none: Pillow BILINEAR resize of the whole image, p/255;
  effnet-lite: torchvision's pixels, (p - 127) / 128 in float32 (EFFICIENTNET_LITE0.md);
  generic flags (--resize N, --central-fraction F, --mean/--std in pixel units, --bgr)
      override the preset's geometry and values: (p - mean) / std in float32.
Writes tests/data/prep/*.ppm|pgm, case_*.npy and cases.txt (one case per line:
IMAGE PRESET SIZE CHANNELS LAYOUT KIND EXPECTED [FLAGS...], KIND = float or pixels).

Needs Debian's python3 with python3-pil and python3-numpy (not a venv). Run from the repo
root: /usr/bin/python3 tools/make_preprocess_refs.py
"""
import os
import sys

import numpy as np
from PIL import Image

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(REPO, '..', 'shared')
OUT = os.path.join(REPO, 'tests', 'data', 'prep')
sys.path.insert(0, os.path.join(SHARED, 'tools'))
from preprocess_tf import load as tf_load  # noqa: E402  (the zoo's own preprocessing)

MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)
TF = {'tf128': (128, 1 / 128), 'tf127': (128, 1 / 127), 'unit': (0, 1 / 255)}


def make_images():
    src = os.path.join(SHARED, 'data', 'imagenet-sample', 'images')
    im = Image.open(os.path.join(src, 'n01440764_tench.JPEG')).convert('RGB')
    w, h = im.size
    im.crop((w // 2 - 30, h // 2 - 22, w // 2 + 30, h // 2 + 23)).save(os.path.join(OUT, 'rgb.ppm'))
    im = Image.open(os.path.join(src, 'n01443537_goldfish.JPEG')).convert('L')
    w, h = im.size
    im.crop((w // 2 - 18, h // 2 - 25, w // 2 + 19, h // 2 + 25)).save(os.path.join(OUT, 'gray.pgm'))


def torchvision_pixels(im, w, h, resize=0):
    """make_arch_models.torchvision_preset's crop and resize for an output of w x h
    (shorter side to `resize`, by default 256 for 224 and scaled for other sizes)."""
    crop = min(w, h)
    if not resize:
        resize = 256 if crop == 224 else crop * 256 // 224
    iw, ih = im.size
    short, long_ = (iw, ih) if iw <= ih else (ih, iw)
    new_short, new_long = resize, int(resize * long_ / short)
    nw, nh = (new_short, new_long) if iw <= ih else (new_long, new_short)
    im = im.resize((nw, nh), Image.BILINEAR)
    top = int(round((nh - h) / 2.0))
    left = int(round((nw - w) / 2.0))
    return np.asarray(im.crop((left, top, left + w, top + h)), dtype=np.uint8)


def tf_pixels(path, w, h, channels, frac=0.875):
    """preprocess_tf.load (square sizes) or the same steps for w x h / gray."""
    if w == h and channels == 3 and frac == 0.875:
        return tf_load(path, w)
    im = Image.open(path).convert('RGB' if channels == 3 else 'L')
    W, H = im.size
    top = int((H - H * frac) / 2)
    left = int((W - W * frac) / 2)
    im = im.crop((left, top, W - left, H - top)).resize((w, h), Image.BILINEAR)
    return np.asarray(im, dtype=np.uint8)


def parse_flags(flags):
    """The generic flags of a case as a dict: resize, fraction, mean, std, bgr."""
    f, words = {}, flags.split()
    for i, word in enumerate(words):
        if word == '--bgr':
            f['bgr'] = True
        elif word == '--resize':
            f['resize'] = int(words[i + 1])
        elif word == '--central-fraction':
            f['fraction'] = float(words[i + 1])
        elif word in ('--mean', '--std'):
            f[word[2:]] = np.array([float(v) for v in words[i + 1].split(',')], np.float32)
    return f


def expected(image, preset, w, h, channels, layout, kind, flags=''):
    path = os.path.join(OUT, image)
    f = parse_flags(flags)
    mode = 'RGB' if channels == 3 else 'L'
    if 'resize' in f or ('fraction' not in f and preset in ('torchvision', 'effnet-lite')):
        px = torchvision_pixels(Image.open(path).convert(mode), w, h, f.get('resize', 0))
    elif preset == 'none' and 'fraction' not in f:
        im = Image.open(path).convert(mode)
        px = np.asarray(im.resize((w, h), Image.BILINEAR), dtype=np.uint8)
    else:
        px = tf_pixels(path, w, h, channels, f.get('fraction', 0.875))
    px = px.reshape(h, w, channels)
    if 'mean' in f or 'std' in f:
        mean = f.get('mean', np.zeros(3, np.float32))[:channels]
        std = f.get('std', np.ones(3, np.float32))[:channels]
        if f.get('bgr') and channels == 3:
            px = px[:, :, ::-1]
            mean, std = mean[::-1], std[::-1]
        x = (px.astype(np.float32) - mean) / std
    elif f.get('bgr') and channels == 3:
        sys.exit('a --bgr case needs --mean/--std here')
    elif kind == 'pixels':
        x = px
    elif preset == 'torchvision':
        x = (px.astype(np.float32) / np.float32(255.0) - MEAN[:channels]) / STD[:channels]
    elif preset == 'effnet-lite':
        x = (px.astype(np.float32) - np.float32(127)) / np.float32(128)
    elif preset == 'none':
        x = (px.astype(np.float64) * (1 / 255)).astype(np.float32)
    else:
        zp, scale = TF[preset]
        x = ((px.astype(np.float64) - zp) * scale).astype(np.float32)
    if kind == 'pixels' and f.get('bgr') and channels == 3:
        x = px[:, :, ::-1]
    if layout == 'nchw':
        x = x.transpose(2, 0, 1)
    return np.ascontiguousarray(x[None])


CASES = [
    # image, preset, WxH, channels, layout, kind
    ('rgb.ppm', 'tf128', (24, 24), 3, 'nhwc', 'pixels'),
    ('rgb.ppm', 'tf128', (16, 16), 3, 'nhwc', 'float'),
    ('rgb.ppm', 'tf127', (13, 13), 3, 'nchw', 'float'),
    ('rgb.ppm', 'unit', (20, 16), 3, 'nhwc', 'float'),
    ('rgb.ppm', 'torchvision', (24, 24), 3, 'nchw', 'float'),
    ('rgb.ppm', 'torchvision', (20, 22), 3, 'nhwc', 'pixels'),
    ('rgb.ppm', 'none', (7, 5), 3, 'nhwc', 'pixels'),
    ('rgb.ppm', 'none', (16, 16), 1, 'nchw', 'float'),
    ('rgb.ppm', 'none', (75, 50), 1, 'nhwc', 'pixels'),
    ('gray.pgm', 'tf127', (16, 16), 3, 'nhwc', 'float'),
    ('gray.pgm', 'none', (24, 30), 1, 'nchw', 'float'),
    ('gray.pgm', 'unit', (37, 50), 1, 'nhwc', 'pixels'),
    ('rgb.ppm', 'effnet-lite', (24, 24), 3, 'nchw', 'float'),
    ('gray.pgm', 'effnet-lite', (16, 20), 3, 'nhwc', 'float'),
    ('rgb.ppm', 'tf128', (16, 12), 3, 'nhwc', 'float', '--mean 120,110,100 --std 60,50,40'),
    ('rgb.ppm', 'none', (16, 16), 3, 'nchw', 'float',
     '--central-fraction 0.6 --mean 127.5 --std 127.5 --bgr'),
    ('rgb.ppm', 'unit', (20, 18), 3, 'nhwc', 'pixels', '--resize 30'),
    ('gray.pgm', 'torchvision', (16, 16), 1, 'nhwc', 'float', '--resize 40 --mean 3 --std 0.5'),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    make_images()
    lines = []
    for k, (image, preset, (w, h), ch, layout, kind, *flags) in enumerate(CASES):
        name = 'case_%02d.npy' % k
        flags = flags[0] if flags else ''
        np.save(os.path.join(OUT, name), expected(image, preset, w, h, ch, layout, kind, flags))
        lines.append(('%s %s %dx%d %d %s %s %s %s' % (image, preset, w, h, ch, layout, kind, name,
                                                      flags)).rstrip())
    with open(os.path.join(OUT, 'cases.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('wrote %d cases to %s' % (len(CASES), OUT))


if __name__ == '__main__':
    main()
