import torch

from .model import Net


def build(lr):
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    model.cuda()
    return model, optimizer


def build_maybe(lr, gpu):
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    if gpu:
        net.cuda()
    return net, opt
