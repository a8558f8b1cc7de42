// cortex4j CUDA kernels: the convolution helpers and pooling of the Backend SPI
// (io.cortex4j.tensor.Backend im2col / col2im / maxPool; reference semantics:
// io.cortex4j.backend.cpu.Nd4jCpuBackend; geometry: io.cortex4j.tensor.ConvGeometry).
//
// Plain CUDA C, no #include (NVRTC compiles it without a toolkit). Every kernel is
// extern "C" __global__; base names take float32 tensors, the _f64 variants float64.
//
// Layouts (all row-major): x [batch, C*H*W], channel-major per sample (c, y, x);
// cols [batch*P, C*k*k] with row b*P + oy*OW + ox and column (c*k + ky)*k + kx;
// OH = (H + 2p - k)/s + 1, OW = (W + 2p - k)/s + 1, P = OH*OW (ConvGeometry.outHeight/outWidth/positions).
// The geometry is passed as ints (channels, height, width, kernel, stride, padding) = the
// ConvGeometry record's components in order; the host has validated it.
//
// Launch: every kernel is 1-D grid-stride with a 64-bit index, one thread per OUTPUT element
// (count named per kernel), any blockDim.x (256 suggested) and any gridDim.x (>= ceil(count /
// blockDim.x) for one pass). No shared memory, no atomics: col2im gathers, in a fixed order, the
// column entries that land on its input element instead of scattering them.
//
// Kernels
//   im2col, im2col_f64       count batch*P*C*k*k   Backend.im2col
//   col2im, col2im_f64       count batch*C*H*W     Backend.col2im
//   max_pool, max_pool_f64   count batch*C*(H/k)*(W/k)   Backend.maxPool

#define CV_GRID_STRIDE(i, count) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (count); i += (long long)gridDim.x * blockDim.x)

// Backend.im2col: cols[b*P + oy*OW + ox, (c*k + ky)*k + kx] = x[b, c, oy*s - p + ky, ox*s - p + kx],
// 0 where that position lies in the padding. Exact copy (bits kept).
extern "C" __global__ void im2col(const float* x, float* cols, int batch, int channels, int height, int width, int kernel, int stride,
                                  int padding)
{
    int oh = (height + 2 * padding - kernel) / stride + 1, ow = (width + 2 * padding - kernel) / stride + 1;
    int kk = kernel * kernel, patch = channels * kk;
    long long P = (long long)oh * ow, in = (long long)channels * height * width, total = (long long)batch * P * patch;
    CV_GRID_STRIDE(e, total) {
        long long row = e / patch;
        int col = (int)(e % patch);
        long long b = row / P;
        int pos = (int)(row % P), oy = pos / ow, ox = pos % ow;
        int c = col / kk, r = col % kk, ky = r / kernel, kx = r % kernel;
        int iy = oy * stride - padding + ky, ix = ox * stride - padding + kx;
        float v = 0.0f;
        if (iy >= 0 && iy < height && ix >= 0 && ix < width) v = x[b * in + ((long long)c * height + iy) * width + ix];
        cols[e] = v;
    }
}

extern "C" __global__ void im2col_f64(const double* x, double* cols, int batch, int channels, int height, int width, int kernel,
                                      int stride, int padding)
{
    int oh = (height + 2 * padding - kernel) / stride + 1, ow = (width + 2 * padding - kernel) / stride + 1;
    int kk = kernel * kernel, patch = channels * kk;
    long long P = (long long)oh * ow, in = (long long)channels * height * width, total = (long long)batch * P * patch;
    CV_GRID_STRIDE(e, total) {
        long long row = e / patch;
        int col = (int)(e % patch);
        long long b = row / P;
        int pos = (int)(row % P), oy = pos / ow, ox = pos % ow;
        int c = col / kk, r = col % kk, ky = r / kernel, kx = r % kernel;
        int iy = oy * stride - padding + ky, ix = ox * stride - padding + kx;
        double v = 0.0;
        if (iy >= 0 && iy < height && ix >= 0 && ix < width) v = x[b * in + ((long long)c * height + iy) * width + ix];
        cols[e] = v;
    }
}

// The output rows oy (or columns ox) whose window covers input row iy (column ix) with an in-range
// kernel offset: oy*s - p + ky = iy, 0 <= ky < k, 0 <= oy < out.
__device__ __forceinline__ void cv_cover(int i, int padding, int kernel, int stride, int out, int* lo, int* hi)
{
    int t = i + padding - kernel + 1;                // smallest oy*s
    int a = t <= 0 ? 0 : (t + stride - 1) / stride;
    int b = (i + padding) / stride;                  // largest oy with oy*s <= i + p
    *lo = a;
    *hi = b < out - 1 ? b : out - 1;
}

// Backend.col2im: x[b, c, iy, ix] = sum of every cols entry that im2col would have copied from
// there, added in double in ascending order of output position (oy, ox), i.e. the order of the
// CPU backend's loops: the CPU result bit for bit (float32 rounded once at the end). x is
// overwritten; padding entries are dropped. x must not alias cols.
extern "C" __global__ void col2im(const float* cols, float* x, int batch, int channels, int height, int width, int kernel, int stride,
                                  int padding)
{
    int oh = (height + 2 * padding - kernel) / stride + 1, ow = (width + 2 * padding - kernel) / stride + 1;
    int patch = channels * kernel * kernel;
    long long P = (long long)oh * ow, hw = (long long)height * width, in = channels * hw, total = (long long)batch * in;
    CV_GRID_STRIDE(e, total) {
        long long b = e / in;
        long long r = e % in;
        int c = (int)(r / hw), iy = (int)((r % hw) / width), ix = (int)(r % width);
        int oy0, oy1, ox0, ox1;
        cv_cover(iy, padding, kernel, stride, oh, &oy0, &oy1);
        cv_cover(ix, padding, kernel, stride, ow, &ox0, &ox1);
        double acc = 0.0;
        for (int oy = oy0; oy <= oy1; ++oy) {
            int ky = iy + padding - oy * stride;
            for (int ox = ox0; ox <= ox1; ++ox) {
                int kx = ix + padding - ox * stride;
                acc += (double)cols[(b * P + (long long)oy * ow + ox) * patch + (c * kernel + ky) * kernel + kx];
            }
        }
        x[e] = (float)acc;
    }
}

extern "C" __global__ void col2im_f64(const double* cols, double* x, int batch, int channels, int height, int width, int kernel,
                                      int stride, int padding)
{
    int oh = (height + 2 * padding - kernel) / stride + 1, ow = (width + 2 * padding - kernel) / stride + 1;
    int patch = channels * kernel * kernel;
    long long P = (long long)oh * ow, hw = (long long)height * width, in = channels * hw, total = (long long)batch * in;
    CV_GRID_STRIDE(e, total) {
        long long b = e / in;
        long long r = e % in;
        int c = (int)(r / hw), iy = (int)((r % hw) / width), ix = (int)(r % width);
        int oy0, oy1, ox0, ox1;
        cv_cover(iy, padding, kernel, stride, oh, &oy0, &oy1);
        cv_cover(ix, padding, kernel, stride, ow, &ox0, &ox1);
        double acc = 0.0;
        for (int oy = oy0; oy <= oy1; ++oy) {
            int ky = iy + padding - oy * stride;
            for (int ox = ox0; ox <= ox1; ++ox) {
                int kx = ix + padding - ox * stride;
                acc += cols[(b * P + (long long)oy * ow + ox) * patch + (c * kernel + ky) * kernel + kx];
            }
        }
        x[e] = acc;
    }
}

// Backend.maxPool: non-overlapping k x k windows of x [batch, C*H*W] into out [batch, C*(H/k)*(W/k)]
// (rows and columns beyond (H/k)*k, (W/k)*k are ignored); argmax[b, o] = the index within the
// sample's row of x of the maximum, as a float / double value: the first maximum on ties (-0 and
// +0 tie), a NaN beats everything and the first NaN wins. The value is copied with its bits.
extern "C" __global__ void max_pool(const float* x, float* out, float* argmax, int batch, int channels, int height, int width, int k)
{
    int oh = height / k, ow = width / k;
    long long ohw = (long long)oh * ow, outLen = channels * ohw, in = (long long)channels * height * width;
    long long total = (long long)batch * outLen;
    CV_GRID_STRIDE(e, total) {
        long long b = e / outLen, o = e % outLen;
        int c = (int)(o / ohw), r = (int)(o % ohw), oy = r / ow, ox = r % ow;
        const float* xs = x + b * in;
        int base = (c * height + oy * k) * width + ox * k;
        float best = __uint_as_float(0xff800000u); // -inf
        int bestAt = base;
        for (int ky = 0; ky < k; ++ky) {
            int rowAt = base + ky * width;
            for (int kx = 0; kx < k; ++kx) {
                float v = xs[rowAt + kx];
                if (v > best || (v != v && best == best)) {
                    best = v;
                    bestAt = rowAt + kx;
                }
            }
        }
        out[e] = best;
        argmax[e] = (float)bestAt;
    }
}

extern "C" __global__ void max_pool_f64(const double* x, double* out, double* argmax, int batch, int channels, int height, int width,
                                        int k)
{
    int oh = height / k, ow = width / k;
    long long ohw = (long long)oh * ow, outLen = channels * ohw, in = (long long)channels * height * width;
    long long total = (long long)batch * outLen;
    CV_GRID_STRIDE(e, total) {
        long long b = e / outLen, o = e % outLen;
        int c = (int)(o / ohw), r = (int)(o % ohw), oy = r / ow, ox = r % ow;
        const double* xs = x + b * in;
        int base = (c * height + oy * k) * width + ox * k;
        double best = __longlong_as_double((long long)0xfff0000000000000ull); // -inf
        int bestAt = base;
        for (int ky = 0; ky < k; ++ky) {
            int rowAt = base + ky * width;
            for (int kx = 0; kx < k; ++kx) {
                double v = xs[rowAt + kx];
                if (v > best || (v != v && best == best)) {
                    best = v;
                    bestAt = rowAt + kx;
                }
            }
        }
        out[e] = best;
        argmax[e] = (double)bestAt;
    }
}
