"""Writes ONNX files exported by PyTorch's own torch.onnx.export, and the outputs PyTorch
computes for fixed inputs, for OnnxPyTorchExportTest. Tests never need Python.

Run from the repository root with Debian's PyTorch (apt-get install python3-torch):
    /usr/bin/python3 gradus-onnx/src/test/python/make_pytorch_fixture.py
"""
import json

import torch
import torch.nn as nn

OUT = "gradus-onnx/src/test/resources/pytorch/"


def export(name, model, inputs):
    model.eval()
    x = torch.randn(7, inputs, generator=torch.Generator().manual_seed(1))
    torch.onnx.export(model, x, OUT + name + ".onnx", input_names=["features"], output_names=["scores"],
                      dynamic_axes={"features": {0: "N"}, "scores": {0: "N"}}, opset_version=13)
    with torch.no_grad():
        y = model(x)
    with open(OUT + name + ".json", "w") as f:
        json.dump({"torch": torch.__version__, "inputs": x.tolist(), "outputs": y.tolist()}, f, indent=1)


torch.manual_seed(0)
export("regression_tanh_relu", nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 6), nn.ReLU(),
                                             nn.Linear(6, 2)), 4)
export("classifier_softmax", nn.Sequential(nn.Linear(5, 16), nn.ELU(), nn.Linear(16, 8), nn.LeakyReLU(0.1),
                                           nn.Linear(8, 3), nn.Softmax(dim=-1)), 5)
export("binary_sigmoid", nn.Sequential(nn.Linear(3, 4), nn.Softplus(), nn.Linear(4, 1), nn.Sigmoid()), 3)
