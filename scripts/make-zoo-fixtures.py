# Makes the zoo's reference exports under test/fixtures/models/: torchvision architectures exported
# by PyTorch (eval mode, so BatchNorm is folded into the convolutions), weight-stripped by
# scripts/strip-weights.js. test/graph/zoo.test.ts compares the zoo's graphs, BatchNorm folded,
# with them layer by layer, at their default input size and at other sizes (the NAME@SIZE forms).
#
# Run (Debian's python has torch 1.13 / torchvision 0.14; no network needed):
#   /usr/bin/python3 scripts/make-zoo-fixtures.py
import os
import subprocess
import tempfile

import torch
import torchvision

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'models')

# file: (constructor, keyword arguments, input size)
MODELS = {
    'googlenet.onnx': (torchvision.models.googlenet, {'aux_logits': False, 'init_weights': False}, 224),
    'googlenet_160.onnx': (torchvision.models.googlenet, {'aux_logits': False, 'init_weights': False}, 160),
    'resnet50_299.onnx': (torchvision.models.resnet50, {}, 299),
    'mobilenet_v2_160.onnx': (torchvision.models.mobilenet_v2, {}, 160),
}

torch.manual_seed(0)
for file, (make, kwargs, size) in MODELS.items():
    model = make(weights=None, **kwargs).eval()
    with tempfile.TemporaryDirectory() as tmp:
        full = os.path.join(tmp, file)
        torch.onnx.export(model, torch.zeros(1, 3, size, size), full, opset_version=13, input_names=['input'], output_names=['output'])
        subprocess.run(['node', os.path.join(ROOT, 'scripts', 'strip-weights.js'), full, os.path.join(OUT, file)], check=True)
    print(file, size)
