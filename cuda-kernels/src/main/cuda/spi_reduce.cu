// cortex4j CUDA kernels: the reductions of the Backend SPI (io.cortex4j.tensor.Backend; reference
// semantics: io.cortex4j.backend.cpu.Nd4jCpuBackend).
//
// Plain CUDA C, no #include (NVRTC compiles it without a toolkit). Every kernel is
// extern "C" __global__; base names take float32 tensors, the _f64 variants float64. Arguments:
// tensors in SPI order, then sizes, then scalars (double).
//
// Determinism: no atomics anywhere. Every sum is accumulated in double (for float32 too, as the CPU
// backend does) in an order fixed by the launch shape alone: one thread per output summing in
// index order, or per block a fixed strided partial per thread followed by a fixed tree in shared
// memory. So a kernel gives the same bits on every run for the same launch shape; choose the shapes
// from the sizes only (not from the device's SM count) and the results are also the same on every
// GPU. The "thread per output" kernels (column_sums, softmax_rows) add in exactly the CPU backend's
// order and give its results bit for bit (softmax: up to CUDA's exp); the tree kernels differ from
// the CPU's sequential sums only by the rounding of a different (fixed) order.
// Max-type reductions (max_abs, softmax's row max) and flags are exact in any order.
//
// Launch shapes
//   [E]  1-D grid-stride, one thread per output (count named per kernel), any blockDim.x (256
//        suggested) and gridDim.x; no shared memory.
//   [B]  one block per output (grid-stride over outputs), any blockDim.x <= 256 (256 suggested;
//        kernels do nothing if larger), any gridDim.x; static shared memory 256 doubles (2 KiB).
//   [P]  partial reduction: any blockDim.x <= 256 and gridDim.x = G (both fixed: they define the
//        summation order; suggested 256 and G = min(1024, max(1, ceil(n / 8192)))); block b reduces
//        the contiguous chunk [b*c, min(n, (b+1)*c)), c = ceil(n / G), into partials[b] (double[G]);
//        then the matching *_finish kernel with ONE block (<<<1, 256>>>) reduces partials[0..G) into
//        result[0] (double). Static shared memory 2 KiB.
//   [C]  column_sums_partial: blockDim.x = 256 exactly (32 columns x 8 row lanes), any gridDim.x
//        (one block per (column tile, row chunk) in one pass: ceil(n/32) * ceil(rows/rows_per_chunk)).
//
// Kernels
//   column_sums, column_sums_f64                 [E] count n      Backend.columnSums, CPU order
//   column_sums_partial, column_sums_partial_f64 [C]              Backend.columnSums for tall, narrow m
//   column_sums_finish, column_sums_finish_f64   [E] count n      ... second pass
//   softmax_rows, softmax_rows_f64               [E] count rows   Backend.softmaxRows, CPU order
//   softmax_rows_block, softmax_rows_block_f64   [B] per row      Backend.softmaxRows for wide rows
//   sum_partials, sum_partials_f64               [P]              Backend.sum
//   dot_partials, dot_partials_f64               [P]              Backend.dot
//   sum_finish                                   <<<1, 256>>>     second pass of sum and dot
//   max_abs_partials, max_abs_partials_f64       [P]              Backend.maxAbs
//   max_abs_finish                               <<<1, 256>>>     second pass of maxAbs
//   has_non_finite, has_non_finite_f64           [E] count n      Backend.hasNonFinite (flag)
//   same_content, same_content_f64               [E] count n      Backend.sameContent (flag)

#define RD_GRID_STRIDE(i, count) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (count); i += (long long)gridDim.x * blockDim.x)

// Java's Math.max for the values that matter here: NaN if either is NaN (fmax would drop it).
__device__ __forceinline__ double rd_max(double a, double b)
{
    return (a != a) ? a : ((b != b) ? b : (a > b ? a : b));
}

// Fixed-order tree over the blockDim.x values v of a block (blockDim.x <= 256): first the
// threads t < T - P (P the largest power of two <= T) add element t + P, then a power-of-two tree.
// Every thread gets the total. sh: 256 doubles of shared memory; all threads must call it.
__device__ double rd_block_sum(double v, double* sh)
{
    int t = threadIdx.x, T = blockDim.x, P = 1;
    while (P * 2 <= T) P *= 2;
    sh[t] = v;
    __syncthreads();
    if (t < T - P) sh[t] = sh[t] + sh[t + P];
    __syncthreads();
    for (int s = P >> 1; s > 0; s >>= 1) {
        if (t < s) sh[t] = sh[t] + sh[t + s];
        __syncthreads();
    }
    double r = sh[0];
    __syncthreads();
    return r;
}

// As rd_block_sum with rd_max (NaN-propagating) instead of +.
__device__ double rd_block_max(double v, double* sh)
{
    int t = threadIdx.x, T = blockDim.x, P = 1;
    while (P * 2 <= T) P *= 2;
    sh[t] = v;
    __syncthreads();
    if (t < T - P) sh[t] = rd_max(sh[t], sh[t + P]);
    __syncthreads();
    for (int s = P >> 1; s > 0; s >>= 1) {
        if (t < s) sh[t] = rd_max(sh[t], sh[t + s]);
        __syncthreads();
    }
    double r = sh[0];
    __syncthreads();
    return r;
}

// ---------------------------------------------------------------------------------------
// Column sums: row = beta*row + alpha * (sum over i of m[i, :]), m [rows, n]
// ---------------------------------------------------------------------------------------

// One thread per column, rows added in order in double: the CPU backend's result bit for bit
// (beta == 0 ignores the old row, also NaN). Coalesced (neighbouring threads, neighbouring columns);
// for few columns and many rows use column_sums_partial + column_sums_finish. row must not alias m.
extern "C" __global__ void column_sums(const float* m, float* row, long long rows, int n, double alpha, double beta)
{
    RD_GRID_STRIDE(j, (long long)n) {
        double acc = 0.0;
        for (long long i = 0; i < rows; ++i) acc += (double)m[i * n + j];
        row[j] = (float)((beta == 0.0 ? 0.0 : beta * (double)row[j]) + alpha * acc);
    }
}

extern "C" __global__ void column_sums_f64(const double* m, double* row, long long rows, int n, double alpha, double beta)
{
    RD_GRID_STRIDE(j, (long long)n) {
        double acc = 0.0;
        for (long long i = 0; i < rows; ++i) acc += m[i * n + j];
        row[j] = (beta == 0.0 ? 0.0 : beta * row[j]) + alpha * acc;
    }
}

// First pass for tall m: rows split into chunks of rows_per_chunk (chunks = ceil(rows / rows_per_chunk)),
// columns into tiles of 32; block (tile, chunk) writes partial[chunk * n + col] (double[chunks * n]):
// thread (lane = t % 32, r8 = t / 32) sums rows r0 + r8, r0 + r8 + 8, ... of column tile*32 + lane in
// order, then the 8 row lanes are added by a fixed tree. Launch [C] (blockDim.x = 256 exactly).
extern "C" __global__ void column_sums_partial(const float* m, double* partial, long long rows, int n, long long rows_per_chunk)
{
    __shared__ double sh[256];
    if (blockDim.x != 256) return;
    int t = threadIdx.x, lane = t & 31, r8 = t >> 5;
    long long tiles = (n + 31) / 32, chunks = (rows + rows_per_chunk - 1) / rows_per_chunk, total = tiles * chunks;
    for (long long bid = blockIdx.x; bid < total; bid += gridDim.x) {
        long long tile = bid % tiles, c = bid / tiles;
        long long col = tile * 32 + lane, r0 = c * rows_per_chunk, r1 = r0 + rows_per_chunk < rows ? r0 + rows_per_chunk : rows;
        double acc = 0.0;
        if (col < n) {
            for (long long r = r0 + r8; r < r1; r += 8) acc += (double)m[r * n + col];
        }
        sh[t] = acc;
        __syncthreads();
        for (int s = 4; s > 0; s >>= 1) {
            if (r8 < s) sh[t] = sh[t] + sh[t + 32 * s];
            __syncthreads();
        }
        if (r8 == 0 && col < n) partial[c * n + col] = sh[lane];
        __syncthreads();
    }
}

extern "C" __global__ void column_sums_partial_f64(const double* m, double* partial, long long rows, int n,
                                                   long long rows_per_chunk)
{
    __shared__ double sh[256];
    if (blockDim.x != 256) return;
    int t = threadIdx.x, lane = t & 31, r8 = t >> 5;
    long long tiles = (n + 31) / 32, chunks = (rows + rows_per_chunk - 1) / rows_per_chunk, total = tiles * chunks;
    for (long long bid = blockIdx.x; bid < total; bid += gridDim.x) {
        long long tile = bid % tiles, c = bid / tiles;
        long long col = tile * 32 + lane, r0 = c * rows_per_chunk, r1 = r0 + rows_per_chunk < rows ? r0 + rows_per_chunk : rows;
        double acc = 0.0;
        if (col < n) {
            for (long long r = r0 + r8; r < r1; r += 8) acc += m[r * n + col];
        }
        sh[t] = acc;
        __syncthreads();
        for (int s = 4; s > 0; s >>= 1) {
            if (r8 < s) sh[t] = sh[t] + sh[t + 32 * s];
            __syncthreads();
        }
        if (r8 == 0 && col < n) partial[c * n + col] = sh[lane];
        __syncthreads();
    }
}

// Second pass: row[j] = beta*row[j] + alpha * (sum over chunks c, in order, of partial[c * n + j]).
// One thread per column [E], count n.
extern "C" __global__ void column_sums_finish(const double* partial, float* row, long long chunks, int n, double alpha, double beta)
{
    RD_GRID_STRIDE(j, (long long)n) {
        double acc = 0.0;
        for (long long c = 0; c < chunks; ++c) acc += partial[c * n + j];
        row[j] = (float)((beta == 0.0 ? 0.0 : beta * (double)row[j]) + alpha * acc);
    }
}

extern "C" __global__ void column_sums_finish_f64(const double* partial, double* row, long long chunks, int n, double alpha,
                                                  double beta)
{
    RD_GRID_STRIDE(j, (long long)n) {
        double acc = 0.0;
        for (long long c = 0; c < chunks; ++c) acc += partial[c * n + j];
        row[j] = (beta == 0.0 ? 0.0 : beta * row[j]) + alpha * acc;
    }
}

// ---------------------------------------------------------------------------------------
// Softmax of each row of x [rows, n] (out may alias x)
// ---------------------------------------------------------------------------------------

// One thread per row, exactly the CPU backend's loops: max (NaN-propagating, as Math.max),
// e_j = exp(x_j - max) stored (rounded to float for float32), s = sum of the unrounded e_j in order,
// then out_j = stored e_j / s. Uncoalesced across threads, so best for short rows (classes).
extern "C" __global__ void softmax_rows(const float* x, float* out, long long rows, int n)
{
    RD_GRID_STRIDE(i, rows) {
        const float* xr = x + i * n;
        float* orow = out + i * n;
        double mx = __longlong_as_double((long long)0xfff0000000000000ull); // -inf
        for (int j = 0; j < n; ++j) mx = rd_max(mx, (double)xr[j]);
        double s = 0.0;
        for (int j = 0; j < n; ++j) {
            double e = exp((double)xr[j] - mx);
            s += e;
            orow[j] = (float)e;
        }
        for (int j = 0; j < n; ++j) orow[j] = (float)((double)orow[j] / s);
    }
}

extern "C" __global__ void softmax_rows_f64(const double* x, double* out, long long rows, int n)
{
    RD_GRID_STRIDE(i, rows) {
        const double* xr = x + i * n;
        double* orow = out + i * n;
        double mx = __longlong_as_double((long long)0xfff0000000000000ull); // -inf
        for (int j = 0; j < n; ++j) mx = rd_max(mx, xr[j]);
        double s = 0.0;
        for (int j = 0; j < n; ++j) {
            double e = exp(xr[j] - mx);
            s += e;
            orow[j] = e;
        }
        for (int j = 0; j < n; ++j) orow[j] = orow[j] / s;
    }
}

// One block per row [B]: the same values as softmax_rows except that s is summed by the fixed
// strided-then-tree order (last-bit differences in s).
extern "C" __global__ void softmax_rows_block(const float* x, float* out, long long rows, int n)
{
    __shared__ double sh[256];
    if (blockDim.x > 256) return;
    int t = threadIdx.x, T = blockDim.x;
    for (long long i = blockIdx.x; i < rows; i += gridDim.x) {
        const float* xr = x + i * n;
        float* orow = out + i * n;
        double mx = __longlong_as_double((long long)0xfff0000000000000ull); // -inf
        for (int j = t; j < n; j += T) mx = rd_max(mx, (double)xr[j]);
        mx = rd_block_max(mx, sh);
        double acc = 0.0;
        for (int j = t; j < n; j += T) {
            double e = exp((double)xr[j] - mx);
            acc += e;
            orow[j] = (float)e;
        }
        double s = rd_block_sum(acc, sh);
        for (int j = t; j < n; j += T) orow[j] = (float)((double)orow[j] / s);
    }
}

extern "C" __global__ void softmax_rows_block_f64(const double* x, double* out, long long rows, int n)
{
    __shared__ double sh[256];
    if (blockDim.x > 256) return;
    int t = threadIdx.x, T = blockDim.x;
    for (long long i = blockIdx.x; i < rows; i += gridDim.x) {
        const double* xr = x + i * n;
        double* orow = out + i * n;
        double mx = __longlong_as_double((long long)0xfff0000000000000ull); // -inf
        for (int j = t; j < n; j += T) mx = rd_max(mx, xr[j]);
        mx = rd_block_max(mx, sh);
        double acc = 0.0;
        for (int j = t; j < n; j += T) {
            double e = exp(xr[j] - mx);
            acc += e;
            orow[j] = e;
        }
        double s = rd_block_sum(acc, sh);
        for (int j = t; j < n; j += T) orow[j] = orow[j] / s;
    }
}

// ---------------------------------------------------------------------------------------
// Whole-tensor reductions to one double: sum, dot, maxAbs (two passes, [P] then *_finish)
// ---------------------------------------------------------------------------------------

// The chunk [*from, *to) of block blockIdx.x for a [P] launch over n elements.
__device__ __forceinline__ void rd_chunk(long long n, long long* from, long long* to)
{
    long long c = (n + gridDim.x - 1) / gridDim.x;
    long long f = (long long)blockIdx.x * c;
    *from = f < n ? f : n;
    *to = f + c < n ? f + c : n;
}

// partials[blockIdx.x] = sum of the block's chunk of x, in double. [P]
extern "C" __global__ void sum_partials(const float* x, long long n, double* partials)
{
    __shared__ double sh[256];
    if (blockDim.x > 256) return;
    long long from, to;
    rd_chunk(n, &from, &to);
    double acc = 0.0;
    for (long long i = from + threadIdx.x; i < to; i += blockDim.x) acc += (double)x[i];
    double s = rd_block_sum(acc, sh);
    if (threadIdx.x == 0) partials[blockIdx.x] = s;
}

extern "C" __global__ void sum_partials_f64(const double* x, long long n, double* partials)
{
    __shared__ double sh[256];
    if (blockDim.x > 256) return;
    long long from, to;
    rd_chunk(n, &from, &to);
    double acc = 0.0;
    for (long long i = from + threadIdx.x; i < to; i += blockDim.x) acc += x[i];
    double s = rd_block_sum(acc, sh);
    if (threadIdx.x == 0) partials[blockIdx.x] = s;
}

// partials[blockIdx.x] = sum of x[i] * y[i] over the block's chunk, in double (the float32 product
// is exact in double, as in the CPU backend). [P]
extern "C" __global__ void dot_partials(const float* x, const float* y, long long n, double* partials)
{
    __shared__ double sh[256];
    if (blockDim.x > 256) return;
    long long from, to;
    rd_chunk(n, &from, &to);
    double acc = 0.0;
    for (long long i = from + threadIdx.x; i < to; i += blockDim.x) acc += (double)x[i] * (double)y[i];
    double s = rd_block_sum(acc, sh);
    if (threadIdx.x == 0) partials[blockIdx.x] = s;
}

extern "C" __global__ void dot_partials_f64(const double* x, const double* y, long long n, double* partials)
{
    __shared__ double sh[256];
    if (blockDim.x > 256) return;
    long long from, to;
    rd_chunk(n, &from, &to);
    double acc = 0.0;
    for (long long i = from + threadIdx.x; i < to; i += blockDim.x) acc += x[i] * y[i];
    double s = rd_block_sum(acc, sh);
    if (threadIdx.x == 0) partials[blockIdx.x] = s;
}

// result[0] = sum of partials[0 .. count) (fixed strided-then-tree order). Launch ONE block,
// blockDim.x <= 256 (256 suggested); for sum_partials and dot_partials of either dtype.
extern "C" __global__ void sum_finish(const double* partials, int count, double* result)
{
    __shared__ double sh[256];
    if (blockDim.x > 256 || blockIdx.x != 0) return;
    double acc = 0.0;
    for (int i = threadIdx.x; i < count; i += blockDim.x) acc += partials[i];
    double s = rd_block_sum(acc, sh);
    if (threadIdx.x == 0) result[0] = s;
}

// partials[blockIdx.x] = max |x| over the block's chunk (0 for an empty chunk), NaN if any is NaN. [P]
extern "C" __global__ void max_abs_partials(const float* x, long long n, double* partials)
{
    __shared__ double sh[256];
    if (blockDim.x > 256) return;
    long long from, to;
    rd_chunk(n, &from, &to);
    double acc = 0.0;
    for (long long i = from + threadIdx.x; i < to; i += blockDim.x) acc = rd_max(acc, fabs((double)x[i]));
    double s = rd_block_max(acc, sh);
    if (threadIdx.x == 0) partials[blockIdx.x] = s;
}

extern "C" __global__ void max_abs_partials_f64(const double* x, long long n, double* partials)
{
    __shared__ double sh[256];
    if (blockDim.x > 256) return;
    long long from, to;
    rd_chunk(n, &from, &to);
    double acc = 0.0;
    for (long long i = from + threadIdx.x; i < to; i += blockDim.x) acc = rd_max(acc, fabs(x[i]));
    double s = rd_block_max(acc, sh);
    if (threadIdx.x == 0) partials[blockIdx.x] = s;
}

// result[0] = max of partials[0 .. count) and 0, NaN if any is NaN: Backend.maxAbs. ONE block.
extern "C" __global__ void max_abs_finish(const double* partials, int count, double* result)
{
    __shared__ double sh[256];
    if (blockDim.x > 256 || blockIdx.x != 0) return;
    double acc = 0.0;
    for (int i = threadIdx.x; i < count; i += blockDim.x) acc = rd_max(acc, partials[i]);
    double s = rd_block_max(acc, sh);
    if (threadIdx.x == 0) result[0] = s;
}

// ---------------------------------------------------------------------------------------
// Flags (exact in any order: every writer stores the same value, no read-modify-write)
// ---------------------------------------------------------------------------------------

// *flag = 1 if any x[i] is NaN or infinite; the caller zeroes *flag (cuMemsetD32) first. [E] count n.
extern "C" __global__ void has_non_finite(const float* x, long long n, int* flag)
{
    RD_GRID_STRIDE(i, n) {
        if ((__float_as_uint(x[i]) & 0x7f800000u) == 0x7f800000u) *flag = 1;
    }
}

extern "C" __global__ void has_non_finite_f64(const double* x, long long n, int* flag)
{
    RD_GRID_STRIDE(i, n) {
        if (((unsigned long long)__double_as_longlong(x[i]) & 0x7ff0000000000000ull) == 0x7ff0000000000000ull) *flag = 1;
    }
}

// *differs = 1 if the raw bits of any element differ (NaN payloads compared, -0 != +0):
// Backend.sameContent for two tensors of the same dtype and length n (the host checks those, and
// may answer true at once when a == b). float32 tensors are passed as their 32-bit words. The
// caller zeroes *differs first. [E] count n.
extern "C" __global__ void same_content(const unsigned int* a, const unsigned int* b, long long n, int* differs)
{
    RD_GRID_STRIDE(i, n) {
        if (a[i] != b[i]) *differs = 1;
    }
}

// float64 tensors as their 64-bit words.
extern "C" __global__ void same_content_f64(const unsigned long long* a, const unsigned long long* b, long long n, int* differs)
{
    RD_GRID_STRIDE(i, n) {
        if (a[i] != b[i]) *differs = 1;
    }
}
