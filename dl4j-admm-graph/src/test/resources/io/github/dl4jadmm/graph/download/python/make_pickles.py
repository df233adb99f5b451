"""Writes the pickle fixtures of PickleReaderTest with real CPython, NumPy and SciPy.

Run from this folder: python3 make_pickles.py. The files were made with Python 3, NumPy 2.4 and SciPy 1.17; the
objects are the kinds the Planetoid ind.* files hold (a SciPy sparse matrix, one-hot NumPy arrays, a
defaultdict(list) adjacency), plus the other sparse formats, a Fortran-ordered array and NumPy scalars.
"""
import collections
import pickle

import numpy as np
import scipy.sparse as sp

dense = np.array([[0, 1.5, 0, 0], [0, 0, 0, 0], [2, 0, 0, -1]], dtype=np.float32)
objects = (
    sp.csr_matrix(dense),
    np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]], dtype=np.float64),
    np.asfortranarray(np.array([[1, 0], [0, 1], [1, 0]], dtype=np.int32)),
    collections.defaultdict(list, {0: [1, 2], 1: [0], 2: [0, 2], 3: [0]}),
    sp.csc_matrix(dense),
    sp.coo_matrix(dense),
    sp.lil_matrix(dense),
    [np.int64(7), np.float32(0.5), np.bool_(True)],
    sp.csr_array(dense.astype(np.float64)),
)
for protocol in (0, 2, 4, 5):
    with open("objects.protocol%d.pkl" % protocol, "wb") as f:
        pickle.dump(objects, f, protocol=protocol)
