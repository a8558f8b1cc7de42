"""Generates the NumPy-written fixtures read by NpyTest / NpzTest.

Not run by the build: the .npy/.npz files next to this script were produced once with
NumPy 2.4.6 (`python3 make_fixtures.py` in this directory) and are committed, so the tests
prove that the Java reader understands NumPy's own output without needing Python.
The values here must match the expectations hard-coded in the tests.
"""
import numpy as np

f4 = np.array([[0.0, 0.5, -1.25], [0.1, 3.0e38, -0.0]], dtype="<f4")
np.save("f4_2x3.npy", f4)

f8 = (np.arange(24, dtype="<f8").reshape(2, 3, 4) - 11.0) / 8.0
f8[0, 0, 0] = np.inf
f8[1, 2, 3] = -np.inf
f8[1, 0, 0] = np.nan
np.save("f8_2x3x4.npy", f8)

np.save("i4_5.npy", np.array([-2**31, -1, 0, 1, 2**31 - 1], dtype="<i4"))
np.save("i8_2x2.npy", np.array([[-2**53, 2**53], [-1, 7]], dtype="<i8"))
np.save("u1_4.npy", np.array([0, 1, 128, 255], dtype="u1"))
np.save("b1_3.npy", np.array([True, False, True]))
np.save("be_f8_3.npy", np.array([1.5, -2.25, 1e300], dtype=">f8"))
np.save("be_f4_2x2.npy", np.array([[1.5, -2.25], [0.1, 65504.0]], dtype=">f4"))
np.save("scalar_f8.npy", np.float64(3.5))
np.save("empty_f4_0x3.npy", np.zeros((0, 3), dtype="<f4"))
np.save("fortran_f8_2x3.npy", np.asfortranarray(np.arange(6.0).reshape(2, 3)))
with open("v2_f4_3.npy", "wb") as fh:
    np.lib.format.write_array(fh, np.array([1.0, 2.0, 3.0], dtype="<f4"), version=(2, 0))

np.savez("archive.npz", a=f4, b=np.array([[-2**53, 2**53], [-1, 7]], dtype="<i8"), c=np.float64(3.5))
np.savez_compressed("archive_compressed.npz", a=f4, weights=f8)
