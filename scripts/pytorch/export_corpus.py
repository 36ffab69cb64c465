#!/usr/bin/python3
"""
The PyTorch corpus: small models exported with PyTorch's own ONNX exporter (torch.onnx.export), so the
project is tested on what a real exporter emits rather than on hand-written graphs.

Run with Debian's python3 (`apt-get install python3-torch python3-onnx`; measured with torch 1.13 and
onnx 1.12), not a pyenv one:

    /usr/bin/python3 scripts/pytorch/export_corpus.py [--out DIR] [name ...]   # or: npm run build:pytorch

It writes examples/pytorch/<name>/network.onnx and input.json (EZKL's format: {"input_data": [[flat values]]},
integers for int64 token ids, plus "output_data": PyTorch's own float outputs) for each model below. Weights,
BatchNorm statistics and inputs are seeded (torch.manual_seed per model), so a rerun reproduces the same
files. The files are committed: tests read them and need no Python.

Models (eval mode, opset 13, do_constant_folding=True, fixed shapes, batch 1):
  cnn                Conv-BN-ReLU-MaxPool x2 + Linear on 1x8x8 (the exporter folds BN into the Conv)
  resnet_block       ResNet basic block: conv3x3-BN-ReLU-conv3x3-BN + identity, ReLU, on 4x6x6
  mobilenet_block    MobileNetV2 inverted residual: 1x1 expand, depthwise 3x3, ReLU6 (Clip), 1x1 project, + input
  upsampler          decoder: ConvTranspose stride 2, Upsample nearest x2, Upsample bilinear x2 (Resize), Sigmoid
  tabular_layernorm  MLP with nn.LayerNorm (exported as ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add at opset 13)
  seq1d              Conv1d + ReLU + MaxPool1d, Conv1d + ReLU, global average pooling, Linear over a 2x32 sequence
  gpt                GPT-style decoder (nanoGPT layout): int64 token ids (8), token embedding (Gather), learned
                     positions, 1 pre-LayerNorm block of causal 2-head self-attention (d=16; q.k^T a MatMul of
                     two computed tensors, 1/sqrt(d_head) scaling, causal mask by masked_fill(-inf) -> Where, Softmax) and a
                     GELU (erf) MLP, residuals, final LayerNorm, logits head over a 32-token vocabulary
It prints, per model, the ops in the file and its size.
"""
import json
import math
import os
import sys
import warnings
from collections import Counter

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "examples", "pytorch")
OPSET = 13


def randomize_bn(module):
    """Non-trivial BatchNorm statistics and affine parameters (a fresh BN is the identity in eval mode)."""
    for m in module.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            with torch.no_grad():
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.3, 0.3)


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.fc = nn.Linear(8 * 2 * 2, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))


class ResnetBlock(nn.Module):
    def __init__(self, c=4):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + x)


class MobilenetBlock(nn.Module):
    def __init__(self, c=4, expand=3):
        super().__init__()
        h = c * expand
        self.expand = nn.Sequential(nn.Conv2d(c, h, 1, bias=False), nn.BatchNorm2d(h), nn.ReLU6())
        self.depthwise = nn.Sequential(nn.Conv2d(h, h, 3, padding=1, groups=h, bias=False), nn.BatchNorm2d(h), nn.ReLU6())
        self.project = nn.Sequential(nn.Conv2d(h, c, 1, bias=False), nn.BatchNorm2d(c))

    def forward(self, x):
        return x + self.project(self.depthwise(self.expand(x)))


class Upsampler(nn.Module):
    def __init__(self):
        super().__init__()
        self.deconv = nn.ConvTranspose2d(4, 4, 2, stride=2)
        self.up_nearest = nn.Upsample(scale_factor=2, mode="nearest")
        self.conv1 = nn.Conv2d(4, 2, 3, padding=1)
        self.up_bilinear = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.conv2 = nn.Conv2d(2, 1, 3, padding=1)

    def forward(self, z):
        x = F.relu(self.deconv(z))          # 4x2x2 -> 4x4x4
        x = F.relu(self.conv1(self.up_nearest(x)))  # -> 2x8x8
        x = self.conv2(self.up_bilinear(x))  # -> 1x16x16
        return torch.sigmoid(x)


class TabularLayerNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(16, 32), nn.LayerNorm(32), nn.ReLU(),
            nn.Linear(32, 16), nn.LayerNorm(16), nn.ReLU(),
            nn.Linear(16, 3),
        )

    def forward(self, x):
        return self.net(x)


class Seq1d(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(2, 4, 5, padding=2)
        self.pool = nn.MaxPool1d(2)
        self.conv2 = nn.Conv1d(4, 8, 3, padding=1)
        self.gap = nn.AdaptiveAvgPool1d(1)
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))  # 2x32 -> 4x16
        x = F.relu(self.conv2(x))             # -> 8x16
        return self.fc(torch.flatten(self.gap(x), 1))


class CausalSelfAttention(nn.Module):
    def __init__(self, d, heads, block):
        super().__init__()
        self.heads = heads
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.register_buffer("bias", torch.tril(torch.ones(block, block)).view(1, 1, block, block))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        k = k.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        q = q.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        v = v.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class Block(nn.Module):
    def __init__(self, d, heads, block):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = CausalSelfAttention(d, heads, block)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt(nn.Module):
    def __init__(self, vocab=32, block=8, d=16, heads=2, layers=1):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(block, d)
        self.blocks = nn.Sequential(*[Block(d, heads, block) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        for m in self.modules():
            if isinstance(m, nn.LayerNorm):
                with torch.no_grad():
                    m.weight.uniform_(0.8, 1.2)
                    m.bias.uniform_(-0.1, 0.1)

    def forward(self, idx):
        T = idx.size(1)
        pos = torch.arange(0, T, dtype=torch.long).unsqueeze(0)
        x = self.wte(idx) + self.wpe(pos)
        return self.lm_head(self.ln_f(self.blocks(x)))


def float_input(shape):
    """Seeded inputs in [-1, 1), rounded to 4 decimals so input.json is exact and short."""
    return torch.round((torch.rand(shape) * 2 - 1) * 1e4) / 1e4


# name -> (constructor, input maker); each model is built right after torch.manual_seed(seed).
MODELS = {
    "cnn": (Cnn, lambda: float_input((1, 1, 8, 8))),
    "resnet_block": (ResnetBlock, lambda: float_input((1, 4, 6, 6))),
    "mobilenet_block": (MobilenetBlock, lambda: float_input((1, 4, 6, 6))),
    "upsampler": (Upsampler, lambda: float_input((1, 4, 2, 2))),
    "tabular_layernorm": (TabularLayerNorm, lambda: float_input((1, 16))),
    "seq1d": (Seq1d, lambda: float_input((1, 2, 32))),
    "gpt": (Gpt, lambda: torch.randint(0, 32, (1, 8), dtype=torch.long)),
}


def export(name, make_model, make_input, seed):
    torch.manual_seed(seed)
    model = make_model()
    randomize_bn(model)
    model.eval()
    x = make_input()
    with torch.no_grad():
        y = model(x)
    d = os.path.join(OUT_DIR, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "network.onnx")
    torch.onnx.export(
        model, (x,), path,
        opset_version=OPSET, do_constant_folding=True,
        input_names=["input"], output_names=["output"],
        export_params=True,
    )
    onnx.checker.check_model(onnx.load(path))
    if x.dtype == torch.long:
        flat_in = [int(v) for v in x.flatten().tolist()]
    else:
        flat_in = [float(v) for v in x.flatten().tolist()]
    doc = {"input_data": [flat_in], "output_data": [[round(float(v), 8) for v in y.flatten().tolist()]]}
    with open(os.path.join(d, "input.json"), "w") as f:
        json.dump(doc, f)
        f.write("\n")
    ops = Counter(n.op_type for n in onnx.load(path).graph.node)
    return path, ops


def main():
    global OUT_DIR
    # The exporter's tracer and shape-inference warnings are expected for these fixed-shape models.
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    args = sys.argv[1:]
    if "--out" in args:  # another directory, e.g. to check that a rerun reproduces the committed files
        i = args.index("--out")
        OUT_DIR = os.path.abspath(args[i + 1])
        del args[i : i + 2]
    only = set(args)
    print(f"torch {torch.__version__}, onnx {onnx.__version__}, opset {OPSET} -> {os.path.relpath(OUT_DIR, ROOT)}")
    for seed, (name, (make_model, make_input)) in enumerate(MODELS.items()):
        if only and name not in only:
            continue
        path, ops = export(name, make_model, make_input, seed)
        size = os.path.getsize(path)
        assert size < 200_000, f"{name}: {size} bytes"
        print(f"{name:18s} {size:7d} B  {' '.join(f'{op}x{n}' if n > 1 else op for op, n in sorted(ops.items()))}")


if __name__ == "__main__":
    main()
