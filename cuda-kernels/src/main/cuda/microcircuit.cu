// cortex4j CUDA kernels for the dendritic microcircuit (elementwise parts and noise).
//
// Plain CUDA C, float32 data, no #include: the source is compiled at run time by NVRTC
// (and, in the tests, by `nvcc --ptx`). Every kernel uses a 1-D launch, one thread per
// element (philox_normals: one thread per group of 4 elements), and bounds-checks its index,
// so any grid with gridDim.x * blockDim.x >= (number of work items) is valid.

// ---------------------------------------------------------------------------------------
// Elementwise kernels
// ---------------------------------------------------------------------------------------

// out[i] = 1 / (1 + exp(-x[i]))  (logistic sigmoid; out may alias x)
extern "C" __global__ void sigmoid(float* out, const float* x, int n)
{
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    out[i] = 1.0f / (1.0f + expf(-x[i]));
}

// y[i] = a * x[i] + b * y[i]
extern "C" __global__ void axpby(float* y, const float* x, int n, float a, float b)
{
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    y[i] = a * x[i] + b * y[i];
}

// Ornstein-Uhlenbeck noise, one Euler-Maruyama step given standard normals w:
//   xi[i] = xi[i] + (1/tau) * (-dt * xi[i] + sqrt(dt * tau) * sigma * w[i])
extern "C" __global__ void ou_noise_update(float* xi, const float* w, int n,
                                           float dt, float tau, float sigma)
{
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float inv_tau = 1.0f / tau;
    float diff = sqrtf(dt * tau) * sigma;
    float v = xi[i];
    xi[i] = v + inv_tau * (-dt * v + diff * w[i]);
}

// High-pass filter of a rate, one step:
//   hp[i] = hp[i] + (r[i] - r_old[i]) - (dt / tau_hp) * hp[i]
// (r_old is only read; the caller keeps the previous rate.)
extern "C" __global__ void highpass_update(float* hp, const float* r, const float* r_old, int n,
                                           float dt, float tau_hp)
{
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float h = hp[i];
    hp[i] = h + (r[i] - r_old[i]) - (dt / tau_hp) * h;
}

// Low-pass the weight increment d and apply it (forward weights):
//   lo[i] += k * (d[i] - lo[i]);  w[i] += lo[i]
extern "C" __global__ void lowpass_apply(float* w, float* lo, const float* d, int n, float k)
{
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float l = lo[i];
    l += k * (d[i] - l);
    lo[i] = l;
    w[i] += l;
}

// ---------------------------------------------------------------------------------------
// Philox4x32-10 counter-based generator (Salmon et al., SC'11)
// ---------------------------------------------------------------------------------------

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

struct philox_u32x4 { unsigned int x, y, z, w; };

__device__ __forceinline__ philox_u32x4 philox_round(philox_u32x4 c, unsigned int k0, unsigned int k1)
{
    unsigned int hi0 = __umulhi(PHILOX_M0, c.x);
    unsigned int lo0 = PHILOX_M0 * c.x;
    unsigned int hi1 = __umulhi(PHILOX_M1, c.z);
    unsigned int lo1 = PHILOX_M1 * c.z;
    philox_u32x4 r;
    r.x = hi1 ^ c.y ^ k0;
    r.y = lo1;
    r.z = hi0 ^ c.w ^ k1;
    r.w = lo0;
    return r;
}

// Philox4x32 with 10 rounds: counter (c0,c1,c2,c3), key (k0,k1).
__device__ __forceinline__ philox_u32x4 philox4x32_10(philox_u32x4 ctr, unsigned int k0, unsigned int k1)
{
    ctr = philox_round(ctr, k0, k1);
#pragma unroll
    for (int r = 1; r < 10; ++r) {
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
        ctr = philox_round(ctr, k0, k1);
    }
    return ctr;
}

// uniform in (0, 1]: (word + 1) * 2^-32, in double
__device__ __forceinline__ double philox_u01(unsigned int word)
{
    return ((double)word + 1.0) * 2.3283064365386962890625e-10;
}

// Standard normals, out[0..n). Element i belongs to block j = i / 4, whose four words are
// philox4x32_10(counter = (j, stream, lo32(step), hi32(step)), key = (seed_lo, seed_hi)).
// Box-Muller in double on word pairs (0,1) -> out[4j], out[4j+1] and (2,3) -> out[4j+2], out[4j+3]:
//   r = sqrt(-2 ln u_a), z_a = r cos(2 pi u_b), z_b = r sin(2 pi u_b); stored as float.
// Launch with one thread per block j, i.e. at least (n + 3) / 4 threads.
extern "C" __global__ void philox_normals(float* out, int n, unsigned int seed_lo, unsigned int seed_hi,
                                          int stream, unsigned long long step)
{
    long long j = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    long long base = 4 * j;
    if (base >= n) return;

    philox_u32x4 ctr;
    ctr.x = (unsigned int)j;
    ctr.y = (unsigned int)stream;
    ctr.z = (unsigned int)(step & 0xFFFFFFFFull);
    ctr.w = (unsigned int)(step >> 32);
    philox_u32x4 v = philox4x32_10(ctr, seed_lo, seed_hi);

    const double TWO_PI = 6.283185307179586476925286766559;
    double r01 = sqrt(-2.0 * log(philox_u01(v.x)));
    double a01 = TWO_PI * philox_u01(v.y);
    double r23 = sqrt(-2.0 * log(philox_u01(v.z)));
    double a23 = TWO_PI * philox_u01(v.w);

    out[base] = (float)(r01 * cos(a01));
    if (base + 1 < n) out[base + 1] = (float)(r01 * sin(a01));
    if (base + 2 < n) out[base + 2] = (float)(r23 * cos(a23));
    if (base + 3 < n) out[base + 3] = (float)(r23 * sin(a23));
}
