"The objectives against direct computations of the paper's equations, written here independently of the package's helpers."
import math
import os
import subprocess
import sys
from pathlib import Path
import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F
from radiovis_nb.config import load_profile
from radiovis_nb.contrastive import SSLModel, attention_map, box_mask, cross_modal_nce, scl_loss, scl_scores

def unit(*shape, g):
    x = torch.randn(*shape, generator=g, dtype=torch.float64)
    return x/x.norm(dim=-1, keepdim=True)

def one_sided(q, kpos, negs, tau):
    "-E log e^{sim(q,k+)} / (e^{sim(q,k+)} + sum_i e^{sim(q,k-_i)}), sim(x, y) = x.y / tau, one query at a time."
    total = 0.0
    for i in range(len(q)):
        pos = math.exp(float(q[i] @ kpos[i])/tau)
        neg = sum(math.exp(float(q[i] @ n)/tau) for n in negs)
        total += -math.log(pos/(pos + neg))
    return total/len(q)

def test_cl_mcl_loss_is_eq_7():
    g = torch.Generator().manual_seed(1)
    q_r, k_v, q_v, k_r = (unit(6, 16, g=g) for _ in range(4))
    queue_v, queue_r = unit(9, 16, g=g), unit(9, 16, g=g)
    tau = 0.07
    direct = (one_sided(q_r, k_v, queue_v, tau) + one_sided(q_v, k_r, queue_r, tau))/2
    loss, _, _ = cross_modal_nce(q_r, k_v, q_v, k_r, queue_v, queue_r, tau)
    assert float(loss) == pytest.approx(direct, rel=1e-9)

def direct_attention(f_r, kernel):
    "h_n: mean cosine similarity between the kernel and the zero-padded radar window centred on bin n (even sizes: right/below the middle)."
    C, h, w = f_r.shape
    _, kh, kw = kernel.shape
    out = torch.zeros(h, w, dtype=torch.float64)
    fr = f_r/f_r.norm(dim=0, keepdim=True)
    kn = kernel/kernel.norm(dim=0, keepdim=True)
    for i in range(h):
        for j in range(w):
            acc = 0.0
            for a in range(kh):
                for b in range(kw):
                    y, x = i - kh//2 + a, j - kw//2 + b
                    if 0 <= y < h and 0 <= x < w: acc += float(fr[:, y, x] @ kn[:, a, b])
            out[i, j] = acc/(kh*kw)
    return out

@pytest.mark.parametrize('kh,kw', [(1, 1), (2, 3), (3, 2), (3, 3)])
def test_attention_map_is_eq_2(kh, kw):
    g = torch.Generator().manual_seed(kh*10 + kw)
    f_r = torch.randn(5, 4, 6, generator=g, dtype=torch.float64)
    ker = torch.randn(5, kh, kw, generator=g, dtype=torch.float64)
    torch.testing.assert_close(attention_map(f_r, ker), direct_attention(f_r, ker))

def test_scl_loss_is_eq_8_9():
    g = torch.Generator().manual_seed(3)
    f_r = torch.randn(4, 6, 5, 7, generator=g, dtype=torch.float64)
    kernels = [torch.randn(6, 2, 2, generator=g, dtype=torch.float64) for _ in range(4)]
    S_direct = torch.tensor([[float(direct_attention(f_r[i], kernels[j]).max()) for j in range(4)] for i in range(4)], dtype=torch.float64)
    S = scl_scores(f_r, kernels)
    torch.testing.assert_close(S, S_direct)
    tau = 0.1
    v2r = -np.mean([math.log(math.exp(S_direct[i, i]/tau)/sum(math.exp(S_direct[i, j]/tau) for j in range(4))) for i in range(4)])
    r2v = -np.mean([math.log(math.exp(S_direct[j, j]/tau)/sum(math.exp(S_direct[i, j]/tau) for i in range(4))) for j in range(4)])
    assert float(scl_loss(S, tau)) == pytest.approx((v2r + r2v)/2, rel=1e-9)

def test_mask_is_the_box_grown_by_pad_and_offset():
    m = box_mask(torch.tensor([[4., 2., 10., 8.]]), 12, 16, pad_px=2, offset_px=-1)[0, 0]
    want = torch.zeros(12, 16); want[1:9, 3:11] = 1
    torch.testing.assert_close(m, want)

def test_positive_never_among_negatives_and_queue_holds_earlier_keys():
    prof = load_profile('smoke')
    d = prof.dataset
    m = SSLModel(prof, 'mcl').train()
    g = torch.Generator().manual_seed(0)
    hm, img = torch.randn(8, 1, d.heatmap_height, d.heatmap_width, generator=g), torch.rand(8, 3, d.image_height, d.image_width, generator=g)
    boxes = torch.tensor([[10., 10., 30., 30.]]*8)
    seen = []
    for step in range(3):
        before_r = m.queue_r.keys.clone()
        with torch.no_grad():
            k_r = F.normalize(m.g_r(m.f_r(hm[:, :, :] + step)), dim=1)
        # the negatives used for this batch are exactly the queue before the step: keys of earlier batches only
        m(hm + step, img, boxes)
        for k in k_r: assert not torch.isclose(before_r, k[None], atol=1e-6).all(1).any()
        assert torch.allclose(m.queue_r.keys, k_r, atol=1e-5)              # this batch's keys enter after the loss (queue = batch)
        for old in seen: assert not torch.isclose(old, k_r, atol=1e-6).all(1).any()
        seen.append(k_r)

def test_loss_falls_and_gradients_reach_both_backbones(tmp_path):
    import json
    from radiovis_nb.data import cached_dataset
    from radiovis_nb.ssl_train import train_ssl
    prof = load_profile('smoke', ['ssl.epochs=4', 'ssl.lr=1e-3'])
    d = cached_dataset(prof)                                  # the smoke dataset (ssl.* is not a data parameter): shared, not made again
    for method in ('cl', 'mcl', 'scl'):
        train_ssl(prof, method, d, tmp_path/method, progress=False, log=lambda *a: None)
        lg = pd.read_csv(tmp_path/method/'log.csv')
        assert lg.loss.iloc[-3:].mean() < lg.loss.iloc[:3].mean(), (method, lg.loss.tolist())
        whole = torch.load(tmp_path/method/'model.pt', weights_only=False)
        for text in ((tmp_path/method/'run.json').read_text(), json.dumps(whole['config'])):   # issue 26: no machine path in what a run keeps
            assert str(tmp_path) not in text and str(d) not in text
        ck = whole['model']
        torch.manual_seed(0)
        for name in ('f_r.net.0.0.weight', 'f_v.net.0.0.weight'):
            assert not torch.equal(ck[name], SSLModel(prof, method).state_dict()[name]), (method, name)

@pytest.fixture(scope='module')
def ddp_data():
    from radiovis_nb.data import cached_dataset
    return cached_dataset(load_profile('smoke'))              # read only: the shared smoke dataset

@pytest.mark.parametrize('method', ['mcl', 'scl'])
def test_two_process_ddp_matches_one_process(ddp_data, tmp_path, method):
    exe = Path(sys.executable).parent
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    common = ['train-ssl', '--profile', 'smoke', '--method', method, '--data', str(ddp_data), '--max-steps', '1', '--no-progress', '--device', 'cpu',
              '--set', 'runtime.precision=fp32']   # the DDP maths, not bf16 rounding (which differs with the batch split)
    one = subprocess.run([str(exe/'radiovis'), *common, '--out', str(tmp_path/'one')], capture_output=True, text=True, env=env, timeout=600)
    assert one.returncode == 0, one.stderr[-2000:]
    two = subprocess.run([str(exe/'torchrun'), '--standalone', '--nproc_per_node', '2', str(exe/'radiovis'), *common, '--out', str(tmp_path/'two')],
                         capture_output=True, text=True, env=env, timeout=600)
    assert two.returncode == 0, two.stderr[-3000:]
    l1 = pd.read_csv(tmp_path/'one'/'log.csv').loss.iloc[0]
    l2 = pd.read_csv(tmp_path/'two'/'log.csv').loss.iloc[0]
    assert l1 == pytest.approx(l2, rel=1e-4), (l1, l2)
