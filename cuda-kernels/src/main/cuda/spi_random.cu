// cortex4j CUDA kernels: counter-based random numbers of the Backend SPI (io.cortex4j.random).
//
// Plain CUDA C, no #include (NVRTC compiles it without a toolkit). Every kernel is
// extern "C" __global__, uses a 1-D launch with a bounds-checked, 64-bit, grid-stride index, so
// any grid is valid; a grid with gridDim.x * blockDim.x >= (work items) does the work in one pass.
// No shared memory. Suggested blockDim.x: 256.
//
// The generator is the one of io.cortex4j.random.CounterRandom (normative layout, see that class):
//   key      k0 = lo32(seed), k1 = hi32(seed)           (seed: the Java long, passed as its 64 bits)
//   counter  (c0, c1, c2, c3) = (j, stream, lo32(step), hi32(step)) for Philox block j
//   element  i of (stream, step) is word i % 4 of Philox4x32-10(counter(j = i / 4), key)
//   uniform  u = (w + 1) * 2^-32 in double, in (0, 1]
//   normal   Box-Muller on the word pairs (0,1) and (2,3) of a block:
//            r = sqrt(-2 log u_a), theta = TWO_PI * u_b, z_a = r cos(theta), z_b = r sin(theta)
//
// Bit-exactness with the Java code:
//   * raw words (random_bits) and double uniforms (random_uniforms_f64) are bit-identical to
//     CounterRandom.bits / CounterRandom.uniform(s): integer arithmetic and one exact product;
//   * float uniforms (random_uniforms) are (float) of that double, i.e. what storing
//     CounterRandom.uniform into a float32 tensor gives; note (float)u may round up to 1.0f;
//   * normals (random_normals_f64, random_normals, ou_step, ou_step_f64) are computed with a port
//     of the fdlibm routines that StrictMath uses in CounterRandom.normal (FdLibm.Log.compute,
//     FdLibm.Sin.compute, FdLibm.Cos.compute with __ieee754_rem_pio2, __kernel_sin, __kernel_cos),
//     every double operation written with the round-to-nearest intrinsics __dadd_rn / __dmul_rn,
//     which the compiler never contracts into FMAs, so the values are bit-identical to
//     CounterRandom.normal whatever --fmad setting NVRTC gets. The square root is IEEE-rounded
//     (__dsqrt_rn, as Math.sqrt). The only part of fdlibm not ported is the large-argument
//     reduction (__kernel_rem_pio2, |x| > 2^19 * pi/2); Box-Muller angles lie in (0, 2 pi] and never
//     reach it (fd_sincos falls back to CUDA's sin/cos there, which would not be bit-exact).
//     CUDA's own log/sin/cos (1-2 ulp) would differ from StrictMath in the last bits of some
//     normals; this port does not.
//   * ou_step / ou_step_f64 reproduce Nd4jCpuBackend.ouStep: xi[i] <- decay*xi[i] + gain*z_i in
//     double (rounded once to float for float32), z_i = CounterRandom.normal(stream, step, i),
//     written with the same unfused intrinsics: bit-identical to the CPU backend for both dtypes.
//
// Element indices must stay below 2^34 (CounterRandom.INDEX_LIMIT): first + n <= 2^34.
//
// Kernels (launch: one thread per Philox block unless noted):
//   random_bits(out u32, first, n, seed, stream, step)            threads >= blocks spanned
//   random_uniforms(out f32, ...), random_uniforms_f64(out f64, ...)
//   random_normals(out f32, ...),  random_normals_f64(out f64, ...)
//   ou_step(xi f32, n, seed, stream, step, decay, gain), ou_step_f64(xi f64, ...)
//                                                                 threads >= ceil(n / 4)
//   bernoulli(p f32, out f32, n, seed, stream, step, scale), bernoulli_f64(p f64, out f64, ...)
//                                                                 threads >= ceil(n / 4)
//   random_permutation(perm int, n, seed, stream, step)           ONE thread (<<<1, 1>>>)
// "blocks spanned" for [first, first + n): (first + n - 1) / 4 - first / 4 + 1 (0 when n == 0).

// BEGIN host-testable (the section up to END host-testable uses only device functions)

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

struct rnd_u32x4 { unsigned int x, y, z, w; };

// Philox4x32-10 (Philox4x32.block): counter (c0..c3), key (k0, k1).
__device__ __forceinline__ rnd_u32x4 rnd_philox(unsigned int c0, unsigned int c1, unsigned int c2, unsigned int c3,
                                                 unsigned int k0, unsigned int k1)
{
    for (int r = 0; r < 10; ++r) {
        if (r > 0) {
            k0 += PHILOX_W0;
            k1 += PHILOX_W1;
        }
        unsigned int hi0 = __umulhi(PHILOX_M0, c0), lo0 = PHILOX_M0 * c0;
        unsigned int hi1 = __umulhi(PHILOX_M1, c2), lo1 = PHILOX_M1 * c2;
        unsigned int n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
        c0 = n0;
        c1 = lo1;
        c2 = n2;
        c3 = lo0;
    }
    rnd_u32x4 o;
    o.x = c0;
    o.y = c1;
    o.z = c2;
    o.w = c3;
    return o;
}

// The four words of Philox block j of (stream, step) under seed (CounterRandom.block).
__device__ __forceinline__ rnd_u32x4 rnd_block(unsigned long long seed, int stream, unsigned long long step, unsigned long long j)
{
    return rnd_philox((unsigned int)j, (unsigned int)stream, (unsigned int)(step & 0xFFFFFFFFull), (unsigned int)(step >> 32),
                      (unsigned int)(seed & 0xFFFFFFFFull), (unsigned int)(seed >> 32));
}

// CounterRandom.toUniform: (w + 1) * 2^-32, exact in double.
__device__ __forceinline__ double rnd_u01(unsigned int w)
{
    return (double)((unsigned long long)w + 1ull) * 2.3283064365386962890625e-10;
}

__device__ __forceinline__ unsigned int rnd_word(rnd_u32x4 b, int lane)
{
    return lane == 0 ? b.x : lane == 1 ? b.y : lane == 2 ? b.z : b.w;
}

// ---- fdlibm (as in java.lang.FdLibm), every operation rounded to nearest, never fused ----------
//
// The algorithms and constants are fdlibm's:
// ====================================================
// Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
//
// Developed at SunSoft, a Sun Microsystems, Inc. business.
// Permission to use, copy, modify, and distribute this
// software is freely granted, provided that this notice
// is preserved.
// ====================================================

__device__ __forceinline__ double fd_add(double a, double b) { return __dadd_rn(a, b); }
__device__ __forceinline__ double fd_sub(double a, double b) { return __dadd_rn(a, -b); }
__device__ __forceinline__ double fd_mul(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ double fd_bits(unsigned long long b) { return __longlong_as_double((long long)b); }
__device__ __forceinline__ int fd_hi(double x) { return __double2hiint(x); }
__device__ __forceinline__ int fd_lo(double x) { return __double2loint(x); }
__device__ __forceinline__ double fd_hilo(int hi, int lo) { return __hiloint2double(hi, lo); }

// FdLibm.Log.compute (e_log.c)
__device__ double fd_log(double x)
{
    const double ln2_hi = fd_bits(0x3fe62e42fee00000ull), ln2_lo = fd_bits(0x3dea39ef35793c76ull);
    const double Lg1 = fd_bits(0x3fe5555555555593ull), Lg2 = fd_bits(0x3fd999999997fa04ull), Lg3 = fd_bits(0x3fd2492494229359ull),
                 Lg4 = fd_bits(0x3fcc71c51d8e78afull), Lg5 = fd_bits(0x3fc7466496cb03deull), Lg6 = fd_bits(0x3fc39a09d078c69full),
                 Lg7 = fd_bits(0x3fc2f112df3e5244ull);
    const double two54 = fd_bits(0x4350000000000000ull);
    double hfsq, f, s, z, R, w, t1, t2, dk;
    int k, hx, i, j, lx;

    hx = fd_hi(x);
    lx = fd_lo(x);
    k = 0;
    if (hx < 0x00100000) {                      // x < 2^-1022
        if (((hx & 0x7fffffff) | lx) == 0) {     // log(+-0) = -inf
            return fd_bits(0xfff0000000000000ull);
        }
        if (hx < 0) {                            // log(-#) = NaN
            return fd_bits(0x7ff8000000000000ull);
        }
        k -= 54;
        x = fd_mul(x, two54);                    // subnormal: scale up
        hx = fd_hi(x);
    }
    if (hx >= 0x7ff00000) return fd_add(x, x);
    k += (hx >> 20) - 1023;
    hx &= 0x000fffff;
    i = (hx + 0x95f64) & 0x100000;
    x = fd_hilo(hx | (i ^ 0x3ff00000), fd_lo(x)); // normalize x or x/2
    k += (i >> 20);
    f = fd_sub(x, 1.0);
    if ((0x000fffff & (2 + hx)) < 3) {           // |f| < 2^-20
        if (f == 0.0) {
            if (k == 0) return 0.0;
            dk = (double)k;
            return fd_add(fd_mul(dk, ln2_hi), fd_mul(dk, ln2_lo));
        }
        R = fd_mul(fd_mul(f, f), fd_sub(0.5, fd_mul(fd_bits(0x3fd5555555555555ull), f)));
        if (k == 0) return fd_sub(f, R);
        dk = (double)k;
        return fd_sub(fd_mul(dk, ln2_hi), fd_sub(fd_sub(R, fd_mul(dk, ln2_lo)), f));
    }
    s = f / fd_add(2.0, f);                      // IEEE division: never fused
    dk = (double)k;
    z = fd_mul(s, s);
    i = hx - 0x6147a;
    w = fd_mul(z, z);
    j = 0x6b851 - hx;
    t1 = fd_mul(w, fd_add(Lg2, fd_mul(w, fd_add(Lg4, fd_mul(w, Lg6)))));
    t2 = fd_mul(z, fd_add(Lg1, fd_mul(w, fd_add(Lg3, fd_mul(w, fd_add(Lg5, fd_mul(w, Lg7)))))));
    i |= j;
    R = fd_add(t2, t1);
    if (i > 0) {
        hfsq = fd_mul(fd_mul(0.5, f), f);
        if (k == 0) return fd_sub(f, fd_sub(hfsq, fd_mul(s, fd_add(hfsq, R))));
        return fd_sub(fd_mul(dk, ln2_hi), fd_sub(fd_sub(hfsq, fd_add(fd_mul(s, fd_add(hfsq, R)), fd_mul(dk, ln2_lo))), f));
    }
    if (k == 0) return fd_sub(f, fd_mul(s, fd_sub(f, R)));
    return fd_sub(fd_mul(dk, ln2_hi), fd_sub(fd_sub(fd_mul(s, fd_sub(f, R)), fd_mul(dk, ln2_lo)), f));
}

// FdLibm.Sin.__kernel_sin: sin(x + y) on [-pi/4, pi/4]; iy = 0 means y is 0.
__device__ double fd_kernel_sin(double x, double y, int iy)
{
    const double S1 = fd_bits(0xbfc5555555555549ull), S2 = fd_bits(0x3f8111111110f8a6ull), S3 = fd_bits(0xbf2a01a019c161d5ull),
                 S4 = fd_bits(0x3ec71de357b1fe7dull), S5 = fd_bits(0xbe5ae5e68a2b9cebull), S6 = fd_bits(0x3de5d93a5acfd57cull);
    int ix = fd_hi(x) & 0x7fffffff;
    if (ix < 0x3e400000) {                       // |x| < 2^-27
        if ((int)x == 0) return x;
    }
    double z = fd_mul(x, x);
    double v = fd_mul(z, x);
    double r = fd_add(S2, fd_mul(z, fd_add(S3, fd_mul(z, fd_add(S4, fd_mul(z, fd_add(S5, fd_mul(z, S6))))))));
    if (iy == 0) return fd_add(x, fd_mul(v, fd_add(S1, fd_mul(z, r))));
    return fd_sub(x, fd_sub(fd_sub(fd_mul(z, fd_sub(fd_mul(0.5, y), fd_mul(v, r))), y), fd_mul(v, S1)));
}

// FdLibm.Cos.__kernel_cos: cos(x + y) on [-pi/4, pi/4].
__device__ double fd_kernel_cos(double x, double y)
{
    const double C1 = fd_bits(0x3fa555555555554cull), C2 = fd_bits(0xbf56c16c16c15177ull), C3 = fd_bits(0x3efa01a019cb1590ull),
                 C4 = fd_bits(0xbe927e4f809c52adull), C5 = fd_bits(0x3e21ee9ebdb4b1c4ull), C6 = fd_bits(0xbda8fae9be8838d4ull);
    int ix = fd_hi(x) & 0x7fffffff;
    if (ix < 0x3e400000) {                       // |x| < 2^-27
        if ((int)x == 0) return 1.0;
    }
    double z = fd_mul(x, x);
    double r = fd_mul(z, fd_add(C1, fd_mul(z, fd_add(C2, fd_mul(z, fd_add(C3, fd_mul(z, fd_add(C4, fd_mul(z, fd_add(C5, fd_mul(z, C6)))))))))));
    if (ix < 0x3fd33333) {                       // |x| < 0.3
        return fd_sub(1.0, fd_sub(fd_mul(0.5, z), fd_sub(fd_mul(z, r), fd_mul(x, y))));
    }
    double qx = ix > 0x3fe90000 ? 0.28125 : fd_hilo(ix - 0x00200000, 0);
    double hz = fd_sub(fd_mul(0.5, z), qx);
    double a = fd_sub(1.0, qx);
    return fd_sub(a, fd_sub(hz, fd_sub(fd_mul(z, r), fd_mul(x, y))));
}

// high words of n * pi/2, n = 1..32 (FdLibm.RemPio2.npio2_hw)
__constant__ int fd_npio2_hw[32] = {
    0x3FF921FB, 0x400921FB, 0x4012D97C, 0x401921FB, 0x401F6A7A, 0x4022D97C,
    0x4025FDBB, 0x402921FB, 0x402C463A, 0x402F6A7A, 0x4031475C, 0x4032D97C,
    0x40346B9C, 0x4035FDBB, 0x40378FDB, 0x403921FB, 0x403AB41B, 0x403C463A,
    0x403DD85A, 0x403F6A7A, 0x40407E4C, 0x4041475C, 0x4042106C, 0x4042D97C,
    0x4043A28C, 0x40446B9C, 0x404534AC, 0x4045FDBB, 0x4046C6CB, 0x40478FDB,
    0x404858EB, 0x404921FB,
};

// FdLibm.RemPio2.__ieee754_rem_pio2 for finite |x| <= 2^19 * pi/2 (the caller checks):
// x - n*pi/2 = y0 + y1, returns n.
__device__ int fd_rem_pio2(double x, double* y0, double* y1)
{
    const double invpio2 = fd_bits(0x3fe45f306dc9c883ull), pio2_1 = fd_bits(0x3ff921fb54400000ull),
                 pio2_1t = fd_bits(0x3dd0b4611a626331ull), pio2_2 = fd_bits(0x3dd0b4611a600000ull),
                 pio2_2t = fd_bits(0x3ba3198a2e037073ull), pio2_3 = fd_bits(0x3ba3198a2e000000ull),
                 pio2_3t = fd_bits(0x397b839a252049c1ull);
    double z, w, t, r, fn, a, b;
    int i, j, n, ix, hx;

    hx = fd_hi(x);
    ix = hx & 0x7fffffff;
    if (ix <= 0x3fe921fb) {                      // |x| ~<= pi/4: no reduction
        *y0 = x;
        *y1 = 0.0;
        return 0;
    }
    if (ix < 0x4002d97c) {                       // |x| < 3pi/4: n = +-1
        if (hx > 0) {
            z = fd_sub(x, pio2_1);
            if (ix != 0x3ff921fb) {
                a = fd_sub(z, pio2_1t);
                b = fd_sub(fd_sub(z, a), pio2_1t);
            } else {                             // near pi/2: 33+33+53 bit pi
                z = fd_sub(z, pio2_2);
                a = fd_sub(z, pio2_2t);
                b = fd_sub(fd_sub(z, a), pio2_2t);
            }
            *y0 = a;
            *y1 = b;
            return 1;
        }
        z = fd_add(x, pio2_1);
        if (ix != 0x3ff921fb) {
            a = fd_add(z, pio2_1t);
            b = fd_add(fd_sub(z, a), pio2_1t);
        } else {
            z = fd_add(z, pio2_2);
            a = fd_add(z, pio2_2t);
            b = fd_add(fd_sub(z, a), pio2_2t);
        }
        *y0 = a;
        *y1 = b;
        return -1;
    }
    // medium size, |x| ~<= 2^19 * (pi/2)
    t = fabs(x);
    n = (int)fd_add(fd_mul(t, invpio2), 0.5);
    fn = (double)n;
    r = fd_sub(t, fd_mul(fn, pio2_1));
    w = fd_mul(fn, pio2_1t);                     // 1st round good to 85 bits
    if (n < 32 && ix != fd_npio2_hw[n - 1]) {
        a = fd_sub(r, w);                        // quick check: no cancellation
    } else {
        j = ix >> 20;
        a = fd_sub(r, w);
        i = j - ((fd_hi(a) >> 20) & 0x7ff);
        if (i > 16) {                            // 2nd iteration, good to 118 bits
            t = r;
            w = fd_mul(fn, pio2_2);
            r = fd_sub(t, w);
            w = fd_sub(fd_mul(fn, pio2_2t), fd_sub(fd_sub(t, r), w));
            a = fd_sub(r, w);
            i = j - ((fd_hi(a) >> 20) & 0x7ff);
            if (i > 49) {                        // 3rd iteration, 151 bits
                t = r;
                w = fd_mul(fn, pio2_3);
                r = fd_sub(t, w);
                w = fd_sub(fd_mul(fn, pio2_3t), fd_sub(fd_sub(t, r), w));
                a = fd_sub(r, w);
            }
        }
    }
    b = fd_sub(fd_sub(r, a), w);
    if (hx < 0) {
        *y0 = -a;
        *y1 = -b;
        return -n;
    }
    *y0 = a;
    *y1 = b;
    return n;
}

// StrictMath.sin(x) and StrictMath.cos(x) (FdLibm.Sin.compute, FdLibm.Cos.compute) for one x.
__device__ void fd_sincos(double x, double* s, double* c)
{
    int ix = fd_hi(x) & 0x7fffffff;
    if (ix <= 0x3fe921fb) {                      // |x| ~<= pi/4
        *s = fd_kernel_sin(x, 0.0, 0);
        *c = fd_kernel_cos(x, 0.0);
        return;
    }
    if (ix >= 0x7ff00000) {                      // Inf or NaN
        *s = fd_sub(x, x);
        *c = *s;
        return;
    }
    if (ix > 0x413921fb) {                       // not ported (huge argument): CUDA's libm, not bit-exact
        *s = sin(x);
        *c = cos(x);
        return;
    }
    double y0, y1;
    int n = fd_rem_pio2(x, &y0, &y1);
    switch (n & 3) {
    case 0:
        *s = fd_kernel_sin(y0, y1, 1);
        *c = fd_kernel_cos(y0, y1);
        break;
    case 1:
        *s = fd_kernel_cos(y0, y1);
        *c = -fd_kernel_sin(y0, y1, 1);
        break;
    case 2:
        *s = -fd_kernel_sin(y0, y1, 1);
        *c = -fd_kernel_cos(y0, y1);
        break;
    default:
        *s = -fd_kernel_cos(y0, y1);
        *c = fd_kernel_sin(y0, y1, 1);
        break;
    }
}

// One Box-Muller pair of CounterRandom.normal: from words (wa, wb),
// za = r cos(theta), zb = r sin(theta), r = sqrt(-2 log u(wa)), theta = TWO_PI * u(wb).
__device__ void rnd_box_muller(unsigned int wa, unsigned int wb, double* za, double* zb)
{
    const double two_pi = fd_bits(0x401921fb54442d18ull); // 2.0 * Math.PI
    double r = __dsqrt_rn(fd_mul(-2.0, fd_log(rnd_u01(wa))));
    double theta = fd_mul(two_pi, rnd_u01(wb));
    double s, c;
    fd_sincos(theta, &s, &c);
    *za = fd_mul(r, c);
    *zb = fd_mul(r, s);
}

// The four normals of Philox block b: z[0..3] = elements 4j .. 4j + 3.
__device__ void rnd_normals4(rnd_u32x4 b, double* z)
{
    rnd_box_muller(b.x, b.y, &z[0], &z[1]);
    rnd_box_muller(b.z, b.w, &z[2], &z[3]);
}

// END host-testable

#define RND_GRID_STRIDE(i, count) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (count); i += (long long)gridDim.x * blockDim.x)

// Number of Philox blocks that elements [first, first + n) touch.
__device__ __forceinline__ long long rnd_blocks_spanned(long long first, long long n)
{
    return n <= 0 ? 0 : (first + n - 1) / 4 - first / 4 + 1;
}

// out[i] = CounterRandom.bits(stream, step, first + i) as unsigned, i in [0, n).
// One thread per Philox block spanned (see header).
extern "C" __global__ void random_bits(unsigned int* out, long long first, long long n, unsigned long long seed, int stream,
                                       unsigned long long step)
{
    long long nb = rnd_blocks_spanned(first, n), j0 = first / 4;
    RND_GRID_STRIDE(t, nb) {
        long long j = j0 + t;
        rnd_u32x4 b = rnd_block(seed, stream, step, (unsigned long long)j);
        for (int lane = 0; lane < 4; ++lane) {
            long long e = 4 * j + lane;
            if (e >= first && e < first + n) out[e - first] = rnd_word(b, lane);
        }
    }
}

// out[i] = (float) CounterRandom.uniform(stream, step, first + i): in (0, 1], 1.0f possible.
extern "C" __global__ void random_uniforms(float* out, long long first, long long n, unsigned long long seed, int stream,
                                           unsigned long long step)
{
    long long nb = rnd_blocks_spanned(first, n), j0 = first / 4;
    RND_GRID_STRIDE(t, nb) {
        long long j = j0 + t;
        rnd_u32x4 b = rnd_block(seed, stream, step, (unsigned long long)j);
        for (int lane = 0; lane < 4; ++lane) {
            long long e = 4 * j + lane;
            if (e >= first && e < first + n) out[e - first] = (float)rnd_u01(rnd_word(b, lane));
        }
    }
}

// out[i] = CounterRandom.uniform(stream, step, first + i), bit-identical.
extern "C" __global__ void random_uniforms_f64(double* out, long long first, long long n, unsigned long long seed, int stream,
                                               unsigned long long step)
{
    long long nb = rnd_blocks_spanned(first, n), j0 = first / 4;
    RND_GRID_STRIDE(t, nb) {
        long long j = j0 + t;
        rnd_u32x4 b = rnd_block(seed, stream, step, (unsigned long long)j);
        for (int lane = 0; lane < 4; ++lane) {
            long long e = 4 * j + lane;
            if (e >= first && e < first + n) out[e - first] = rnd_u01(rnd_word(b, lane));
        }
    }
}

// out[i] = (float) CounterRandom.normal(stream, step, first + i) (the double normal rounded once).
extern "C" __global__ void random_normals(float* out, long long first, long long n, unsigned long long seed, int stream,
                                          unsigned long long step)
{
    long long nb = rnd_blocks_spanned(first, n), j0 = first / 4;
    RND_GRID_STRIDE(t, nb) {
        long long j = j0 + t;
        double z[4];
        rnd_normals4(rnd_block(seed, stream, step, (unsigned long long)j), z);
        for (int lane = 0; lane < 4; ++lane) {
            long long e = 4 * j + lane;
            if (e >= first && e < first + n) out[e - first] = (float)z[lane];
        }
    }
}

// out[i] = CounterRandom.normal(stream, step, first + i) (= CounterRandom.normals(stream, step, first, ...)), bit-identical.
extern "C" __global__ void random_normals_f64(double* out, long long first, long long n, unsigned long long seed, int stream,
                                              unsigned long long step)
{
    long long nb = rnd_blocks_spanned(first, n), j0 = first / 4;
    RND_GRID_STRIDE(t, nb) {
        long long j = j0 + t;
        double z[4];
        rnd_normals4(rnd_block(seed, stream, step, (unsigned long long)j), z);
        for (int lane = 0; lane < 4; ++lane) {
            long long e = 4 * j + lane;
            if (e >= first && e < first + n) out[e - first] = z[lane];
        }
    }
}

// Backend.ouStep (Nd4jCpuBackend.ouRange), float32: xi[i] = (float)(decay * xi[i] + gain * z_i), in double,
// z_i = CounterRandom.normal(stream, step, i). One thread per Philox block: threads >= ceil(n / 4).
extern "C" __global__ void ou_step(float* xi, long long n, unsigned long long seed, int stream, unsigned long long step,
                                   double decay, double gain)
{
    long long nb = (n + 3) / 4;
    RND_GRID_STRIDE(j, nb) {
        double z[4];
        rnd_normals4(rnd_block(seed, stream, step, (unsigned long long)j), z);
        for (int lane = 0; lane < 4; ++lane) {
            long long e = 4 * j + lane;
            if (e < n) xi[e] = (float)fd_add(fd_mul(decay, (double)xi[e]), fd_mul(gain, z[lane]));
        }
    }
}

// Backend.bernoulli: out[e] = 1 where the uniform of element e, (w + 1) * 2^-32 in double, is <= scale * p[e]
// (in double), else 0; one thread per Philox block. p and out may be the same buffer.
extern "C" __global__ void bernoulli(const float* p, float* out, long long n, unsigned long long seed, int stream,
                                     unsigned long long step, double scale)
{
    long long nb = (n + 3) / 4;
    RND_GRID_STRIDE(j, nb) {
        rnd_u32x4 b = rnd_block(seed, stream, step, (unsigned long long)j);
        for (int lane = 0; lane < 4; ++lane) {
            long long e = 4 * j + lane;
            if (e < n) out[e] = rnd_u01(rnd_word(b, lane)) <= scale * (double)p[e] ? 1.0f : 0.0f;
        }
    }
}

extern "C" __global__ void bernoulli_f64(const double* p, double* out, long long n, unsigned long long seed, int stream,
                                         unsigned long long step, double scale)
{
    long long nb = (n + 3) / 4;
    RND_GRID_STRIDE(j, nb) {
        rnd_u32x4 b = rnd_block(seed, stream, step, (unsigned long long)j);
        for (int lane = 0; lane < 4; ++lane) {
            long long e = 4 * j + lane;
            if (e < n) out[e] = rnd_u01(rnd_word(b, lane)) <= scale * p[e] ? 1.0 : 0.0;
        }
    }
}

// Backend.ouStep, float64: xi[i] = decay * xi[i] + gain * z_i.
extern "C" __global__ void ou_step_f64(double* xi, long long n, unsigned long long seed, int stream, unsigned long long step,
                                       double decay, double gain)
{
    long long nb = (n + 3) / 4;
    RND_GRID_STRIDE(j, nb) {
        double z[4];
        rnd_normals4(rnd_block(seed, stream, step, (unsigned long long)j), z);
        for (int lane = 0; lane < 4; ++lane) {
            long long e = 4 * j + lane;
            if (e < n) xi[e] = fd_add(fd_mul(decay, xi[e]), fd_mul(gain, z[lane]));
        }
    }
}

// perm[0..n) = CounterRandom.permutation(stream, step, n) (Fisher-Yates, sequential by definition).
// Launch <<<1, 1>>>; other threads return at once. O(n) on one GPU thread: for occasional shuffles.
extern "C" __global__ void random_permutation(int* perm, int n, unsigned long long seed, int stream, unsigned long long step)
{
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    for (int k = 0; k < n; ++k) perm[k] = k;
    rnd_u32x4 b;
    b.x = b.y = b.z = b.w = 0u;
    for (int k = 0; k < n - 1; ++k) {
        if ((k & 3) == 0) b = rnd_block(seed, stream, step, (unsigned long long)(k >> 2));
        int m = n - 1 - k;
        unsigned long long word = rnd_word(b, k & 3);
        int j = (int)((word * (unsigned long long)(m + 1)) >> 32);
        int tmp = perm[m];
        perm[m] = perm[j];
        perm[j] = tmp;
    }
}
